package schema

import (
	"aftercare/internal/access"

	"aftercare/internal/validate"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Owner is a customer: a person who owns (or owned) vehicles serviced here.
type Owner struct {
	ent.Schema
}

// Mixin of Owner.
func (Owner) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Owner.
func (Owner) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealer_group_id").Immutable().Annotations(entgql.Type("ID"), entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.Int("home_dealership_id").Optional().Nillable(),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("phone").Optional().Nillable().Validate(validate.E164).Annotations(pii()).
			Comment("E.164, unique within the dealer group; empty only once the owner's data is erased."),
		field.String("email").Optional().MaxLen(254).Annotations(pii()),
		dateField("birthday", true),
		field.String("region").Optional().MaxLen(100),
		field.Strings("preferred_channels").Optional().
			Comment("Channels in order of preference: push, wechat, sms, phone, email."),
		field.Bool("consent_service").Default(true).
			Comment("Service-due and safety messages; on unless the owner opts out."),
		field.Time("consent_service_at").Optional().Nillable().Annotations(systemSet()),
		field.Bool("consent_marketing").Default(false).
			Comment("Marketing needs an explicit opt-in."),
		field.Time("consent_marketing_at").Optional().Nillable().Annotations(systemSet()),
		field.String("quiet_hours_start").Default("21:00").Validate(validate.ClockTime),
		field.String("quiet_hours_end").Default("09:00").Validate(validate.ClockTime),
		field.String("time_zone").Optional().Validate(validate.TimeZone).
			Comment("The owner's own zone; empty means the home store's."),
		field.String("locale").Default("zh-CN").MaxLen(35),
		field.Enum("tier").Values("basic", "key", "vip").Default("basic").
			Annotations(entgql.OrderField("TIER")),
		field.String("auth_uid").Optional().Nillable().Unique().MaxLen(128).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("phone_invalid").Default(false).Annotations(systemSet()).
			Comment("A call found the number wrong or dead: flagged for correction, not retried."),
		field.Bool("prospect").Default(false).Annotations(systemSet()).
			Comment("Created by a widget booking from someone not yet known as a customer."),
		// No edge, so no foreign key: adding one to owners would make SQLite
		// rebuild the table, which its children's keys refuse once it has rows.
		field.Int("referred_by_id").Optional().Nillable().Annotations(entgql.Type("ID"), systemSet()).
			Comment("The owner who referred this one (recordReferral); paid points on this owner's first paid visit."),
		field.Time("erased_at").Optional().Nillable().Annotations(systemSet()).
			Comment("Set when the owner erased their account: personal fields are anonymised, history kept."),
	}
}

// Edges of Owner.
func (Owner) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("home_dealership", Dealership.Type).Ref("owners").Field("home_dealership_id").Unique(),
		edge.To("vehicles", Vehicle.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("ownerships", VehicleOwnership.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("devices", Device.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("appointments", Appointment.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("work_orders", WorkOrder.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("survey_responses", SurveyResponse.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("care_tasks", CareTask.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("outbox_messages", OutboxMessage.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("reminders", Reminder.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("point_entries", PointEntry.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of Owner.
func (Owner) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("dealer_group_id", "phone").Unique(),
		index.Fields("home_dealership_id"),
		index.Fields("updated_at"), // the reminder sweep picks up owners changed since its last run
	}
}

// Annotations of Owner.
func (Owner) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Policy of Owner: see internal/access.
func (Owner) Policy() ent.Policy { return access.Policy("owners") }
