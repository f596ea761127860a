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
		field.JSON("greeting_days", []schematype.GreetingDay{}).Optional().
			Annotations(entgql.Type("[GreetingDay!]"), systemSet()).
			Comment("Holidays on which the store greets its customers; set through setGreetingDays."),
		field.JSON("care_calendar", schematype.CareCalendar{}).Optional().
			Annotations(entgql.Type("CareCalendar"), systemSet()).
			Comment("The store's own care-calendar numbers; set through setCareCalendar. Unset ones keep the defaults."),
		// Booking settings (see internal/booking); set through setBookingSettings.
		field.Int("slot_minutes").Default(30).Range(5, 240).Annotations(systemSet()),
		field.JSON("capacity", []schematype.PoolCapacity{}).Optional().
			Annotations(entgql.Type("[PoolCapacity!]"), systemSet()).
			Comment("Units per slot of each capacity pool (bays, advisors)."),
		field.Strings("peak_hours").Optional().Annotations(systemSet()).
			Comment("The store's busy times of day, HH:MM-HH:MM, avoided by slot suggestions."),
		field.Int("booking_horizon_days").Default(60).Range(1, 365).Annotations(systemSet()),
		field.Int("min_lead_minutes").Default(60).Range(0, 7*24*60).Annotations(systemSet()),
		field.Int("cancel_cutoff_hours").Default(2).Range(0, 168).Annotations(systemSet()).
			Comment("Owners may cancel or move a booking until this long before it starts."),
		field.Float("pickup_radius_km").Default(3).Min(0).Annotations(systemSet()).
			Comment("Key and VIP owners get free pick-up and delivery within this distance."),
		field.Int64("pickup_price_cents").Default(5000).NonNegative().Annotations(systemSet()),
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
		edge.To("service_types", ServiceType.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
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
