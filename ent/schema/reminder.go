package schema

import (
	"aftercare/internal/access"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// reminderKinds are the care calendar's reminders (internal/reminder/rules)
// plus the store's holiday greetings.
var reminderKinds = []string{"first_service", "periodic_service", "service_call", "warranty_expiry",
	"insurance_expiry", "inspection", "birthday", "winback", "spring_campaign", "autumn_campaign", "holiday"}

// Reminder is one reminder of the care calendar, from the moment the sweep
// finds it due until the owner answers it (or it fails): its lifecycle is
// what owners and care staff see. dedupe_key makes the sweep write each
// (subject, kind, cycle) once, however often it runs and on however many
// instances.
type Reminder struct {
	ent.Schema
}

// Mixin of Reminder.
func (Reminder) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Reminder.
func (Reminder) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable(),
		field.Int("vehicle_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("Empty for reminders about the owner (birthday, win-back, holidays)."),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable().
			Comment("The store that reminds: the owner's home store."),
		field.Enum("kind").Values(reminderKinds...).Immutable().Annotations(entgql.OrderField("KIND")),
		field.String("cycle").NotEmpty().MaxLen(100).Immutable().
			Comment("Business key of the occurrence, e.g. periodic:2026-03-01 (the service it counts from)."),
		field.String("dedupe_key").NotEmpty().MaxLen(200).Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("category").Values("service", "safety", "marketing").Immutable(),
		field.Time("due_date").Optional().Nillable().Immutable().Annotations(entgql.Type("Time")).
			Comment("The date the reminder is about (service due, expiry, offer end)."),
		field.Time("send_at").Immutable().Annotations(entgql.OrderField("SEND_AT")),
		field.Time("expires_at").Optional().Nillable().Immutable().
			Comment("Not sent from this moment on (a birthday greeting is not sent late)."),
		field.Enum("status").Values("scheduled", "deferred", "sent", "failed", "opened", "converted", "expired", "cancelled").
			Default("scheduled").Annotations(entgql.OrderField("STATUS"), systemSet()).
			Comment("scheduled -> (deferred) -> sent -> opened -> converted; or failed, expired, cancelled (no consent)."),
		field.String("status_reason").Optional().MaxLen(200).Annotations(systemSet()),
		field.Time("sent_at").Optional().Nillable().Annotations(systemSet()),
		field.Time("opened_at").Optional().Nillable().Annotations(systemSet()),
		field.Time("converted_at").Optional().Nillable().Annotations(systemSet()),
		field.Int("appointment_id").Annotations(entgql.Type("ID")).Optional().Nillable().Annotations(systemSet()).
			Comment("The booking the reminder led to."),
	}
}

// Edges of Reminder.
func (Reminder) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", Owner.Type).Ref("reminders").Field("owner_id").Unique().Required().Immutable(),
	}
}

// Indexes of Reminder.
func (Reminder) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("owner_id", "sent_at"),
		index.Fields("dealership_id", "status", "send_at"),
		index.Fields("vehicle_id"),
		// The monthly KPIs: services due in a month, reminders sent in it.
		index.Fields("dealership_id", "kind", "due_date"),
		index.Fields("dealership_id", "send_at"),
	}
}

// Annotations of Reminder.
func (Reminder) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// Policy of Reminder: see internal/access.
func (Reminder) Policy() ent.Policy { return access.Policy("reminders") }

// ReminderCheck is the sweep's agenda: when each vehicle's care calendar
// must next be looked at. The sweep reads only rows that are due (an index
// range, not a scan of every vehicle) and moves each to the next moment a
// reminder window opens; a change to the vehicle or its owner makes it due
// again.
type ReminderCheck struct {
	ent.Schema
}

// Fields of ReminderCheck.
func (ReminderCheck) Fields() []ent.Field {
	return []ent.Field{
		field.Int("vehicle_id").Unique().Immutable(),
		field.Time("next_at"),
		field.Time("checked_at").Optional().Nillable(),
	}
}

// Indexes of ReminderCheck.
func (ReminderCheck) Indexes() []ent.Index {
	return []ent.Index{index.Fields("next_at")}
}

// Annotations of ReminderCheck: internal to the scheduler.
func (ReminderCheck) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of ReminderCheck: the system only.
func (ReminderCheck) Policy() ent.Policy { return access.Policy("reminder_checks") }

// JobLease elects the one instance that runs a periodic job, and remembers
// the job's last successful run across restarts.
type JobLease struct {
	ent.Schema
}

// Fields of JobLease.
func (JobLease) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100).Unique().Immutable(),
		field.String("holder").Optional().MaxLen(100),
		field.Time("lease_until").Optional().Nillable(),
		field.Time("last_started_at").Optional().Nillable(),
		field.Time("last_succeeded_at").Optional().Nillable().
			Comment("Start of the last run that finished: the next run picks up changes made since."),
		field.String("last_error").Optional().MaxLen(500),
	}
}

// Annotations of JobLease: internal to the scheduler.
func (JobLease) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of JobLease: the system only.
func (JobLease) Policy() ent.Policy { return access.Policy("job_leases") }
