package schema

import (
	"time"

	"aftercare/internal/access"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// complaintStatuses are the steps of the 24-hour loop (internal/complaint).
var complaintStatuses = []string{"logged", "planned", "approved", "handled", "confirmed", "closed"}

// Complaint is an owner's complaint and where it stands in the 24-hour
// loop. Every step is a ComplaintStep; the row holds the current state.
type Complaint struct {
	ent.Schema
}

// Mixin of Complaint.
func (Complaint) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Complaint.
func (Complaint) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealership_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("owner_id").Immutable(),
		field.Int("work_order_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Int("survey_response_id").Optional().Nillable().Immutable().Unique().Annotations(entgql.Type("ID")).
			Comment("The dissatisfied response that opened it (a hot alert); one complaint per response."),
		field.Enum("source").Values("survey", "app", "phone", "walk_in").Immutable(),
		field.Enum("category").Values("service_quality", "waiting_time", "price", "staff_attitude",
			"facility", "parts", "other").Immutable(),
		field.Enum("severity").Values("low", "medium", "high").Immutable(),
		field.String("description").NotEmpty().MaxLen(2000).Immutable(),
		field.Enum("status").Values(complaintStatuses...).Default("logged").
			Annotations(entgql.OrderField("STATUS"), systemSet()),
		field.Time("due_at").Annotations(entgql.OrderField("DUE_AT"), systemSet()).
			Comment("The deadline of the current step."),
		field.Time("escalate_at").Optional().Nillable().Annotations(entgql.Skip()).
			Comment("When the next escalation is due; empty once closed or at the top of the ladder."),
		field.Int("escalation_level").Default(0).NonNegative().Annotations(systemSet()).
			Comment("How far the current step has escalated: 1 general manager, 2 group admin."),
		field.Int("reopened_count").Default(0).NonNegative().Annotations(systemSet()),
		field.Int("resolution_rating").Optional().Nillable().Range(1, 5).Annotations(systemSet()).
			Comment("The owner's rating of the resolution, 1-5."),
		field.String("resolution_comment").Optional().MaxLen(1000).Annotations(systemSet()),
		field.Time("closed_at").Optional().Nillable().Annotations(systemSet()),
	}
}

// Edges of Complaint.
func (Complaint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("owner", Owner.Type).Field("owner_id").Unique().Required().Immutable(),
		edge.To("steps", ComplaintStep.Type),
	}
}

// Indexes of Complaint.
func (Complaint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealership_id", "status", "due_at"), index.Fields("owner_id"),
		index.Fields("escalate_at"), index.Fields("dealership_id", "created_at")}
}

// Annotations of Complaint.
func (Complaint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// Policy of Complaint: see internal/access.
func (Complaint) Policy() ent.Policy { return access.Policy("complaints") }

// ComplaintStep is one step of a complaint: who did what, when, with which
// note, and the deadline it set. Escalations are steps too.
type ComplaintStep struct {
	ent.Schema
}

// Mixin of ComplaintStep.
func (ComplaintStep) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of ComplaintStep.
func (ComplaintStep) Fields() []ent.Field {
	return []ent.Field{
		field.Int("complaint_id").Immutable(),
		field.Enum("action").Values("logged", "planned", "approved", "plan_rejected", "handled", "confirmed",
			"closed", "reopened", "rated", "escalated").Immutable(),
		field.Enum("to_status").Values(complaintStatuses...).Immutable(),
		field.Enum("actor_kind").Values("staff", "owner", "system").Immutable(),
		field.Int("staff_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.String("note").Optional().MaxLen(2000).Immutable(),
		field.Int("escalation_level").Default(0).Immutable(),
		field.Time("due_at").Optional().Nillable().Immutable().Comment("The deadline this step set."),
		field.Time("at").Default(time.Now).Immutable(),
	}
}

// Edges of ComplaintStep.
func (ComplaintStep) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("complaint", Complaint.Type).Ref("steps").Field("complaint_id").Unique().Required().Immutable(),
	}
}

// Indexes of ComplaintStep.
func (ComplaintStep) Indexes() []ent.Index {
	return []ent.Index{index.Fields("complaint_id", "at")}
}

// Policy of ComplaintStep: see internal/access.
func (ComplaintStep) Policy() ent.Policy { return access.Policy("complaint_steps") }
