package schema

import (
	"aftercare/internal/access"

	"aftercare/ent/schema/schematype"
	"aftercare/internal/validate"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// DealerGroup runs several stores; owners' phone numbers are unique within it.
type DealerGroup struct {
	ent.Schema
}

// Mixin of DealerGroup.
func (DealerGroup) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of DealerGroup.
func (DealerGroup) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("code").NotEmpty().MaxLen(32).Unique().Annotations(entgql.OrderField("CODE")),
	}
}

// Edges of DealerGroup.
func (DealerGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("dealerships", Dealership.Type).Annotations(entgql.RelayConnection()),
	}
}

// Annotations of DealerGroup.
func (DealerGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Dealership is one store ("4S store") with its own time zone and hours.
type Dealership struct {
	ent.Schema
}

// Mixin of Dealership.
func (Dealership) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Dealership.
func (Dealership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealer_group_id").Immutable().Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("code").NotEmpty().MaxLen(32).Unique().Annotations(entgql.OrderField("CODE")),
		field.Strings("brands").Optional(),
		field.String("time_zone").Default("Asia/Shanghai").Validate(validate.TimeZone),
		field.String("address").Optional().MaxLen(500),
		field.String("region").Optional().MaxLen(100).
			Comment("Administrative region (e.g. city) used to tell local from non-local owners."),
		field.Float("latitude").Optional().Nillable().Min(-90).Max(90),
		field.Float("longitude").Optional().Nillable().Min(-180).Max(180),
		field.JSON("opening_hours", []schematype.OpeningHours{}).Optional().
			Annotations(entgql.Type("[OpeningHours!]"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Set through setOpeningHours, which validates each day."),
		field.Strings("closures").Optional().
			Comment("Dates (YYYY-MM-DD) on which the store is closed, in its own time zone."),
		field.String("phone").Optional().Validate(validate.E164),
	}
}

// Edges of Dealership.
func (Dealership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealer_group", DealerGroup.Type).Ref("dealerships").Field("dealer_group_id").
			Unique().Required().Immutable(),
		edge.To("staff", Staff.Type).Annotations(entgql.RelayConnection()),
		edge.To("owners", Owner.Type).Annotations(entgql.RelayConnection()),
		edge.To("vehicles_sold", Vehicle.Type).Annotations(entgql.RelayConnection()),
		edge.To("appointments", Appointment.Type).Annotations(entgql.RelayConnection()),
		edge.To("work_orders", WorkOrder.Type).Annotations(entgql.RelayConnection()),
		edge.To("widget_keys", WidgetKey.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations of Dealership.
func (Dealership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Policy of DealerGroup: see internal/access.
func (DealerGroup) Policy() ent.Policy { return access.Policy("dealer_groups") }

// Policy of Dealership: see internal/access.
func (Dealership) Policy() ent.Policy { return access.Policy("dealerships") }
