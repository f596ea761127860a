package schema

import (
	"aftercare/internal/access"

	"time"

	"aftercare/ent/schema/schematype"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SurveyTemplate is one version of a weighted satisfaction survey. A new
// version is a new row, so each response keeps the version it answered.
type SurveyTemplate struct {
	ent.Schema
}

// Mixin of SurveyTemplate.
func (SurveyTemplate) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of SurveyTemplate.
func (SurveyTemplate) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealer_group_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("Empty for a group-wide template."),
		field.String("name").NotEmpty().MaxLen(200),
		field.Enum("kind").Values("sales", "service").Immutable(),
		field.Int("version").Positive().Immutable(),
		field.Int("scale_max").Default(10).Range(5, 10).Immutable(),
		field.JSON("aspects", []schematype.SurveyAspect{}).Immutable().
			Annotations(entgql.Type("[SurveyAspect!]")),
		field.Strings("free_text_questions").Optional().Immutable(),
		field.Bool("active").Default(true),
		// The hot-alert thresholds, on the 0-100 scale of the index: a
		// response whose index, or any indicator, falls below opens a
		// complaint.
		field.Float("alert_index_below").Default(60).Range(0, 100).Immutable(),
		field.Float("alert_indicator_below").Default(40).Range(0, 100).Immutable(),
	}
}

// Edges of SurveyTemplate.
func (SurveyTemplate) Edges() []ent.Edge {
	return []ent.Edge{edge.To("responses", SurveyResponse.Type)}
}

// Indexes of SurveyTemplate.
func (SurveyTemplate) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealer_group_id", "kind", "name", "version").Unique()}
}

// Annotations of SurveyTemplate.
func (SurveyTemplate) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// SurveyResponse is one owner's answers to one survey invitation.
type SurveyResponse struct {
	ent.Schema
}

// Mixin of SurveyResponse.
func (SurveyResponse) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of SurveyResponse.
func (SurveyResponse) Fields() []ent.Field {
	return []ent.Field{
		field.Int("template_id").Immutable(),
		field.Int("owner_id").Immutable(),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Int("work_order_id").Optional().Nillable().Immutable(),
		field.Int("advisor_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("invitation_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().Unique().
			Comment("One response per invitation."),
		field.JSON("answers", []schematype.SurveyAnswer{}).Immutable().
			Annotations(entgql.Type("[SurveyAnswer!]")),
		field.Float("index_score").Immutable().Annotations(entgql.OrderField("INDEX_SCORE")),
		field.Bool("top_box").Immutable().Comment("The owner was \"very satisfied\"."),
		field.Time("submitted_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("SUBMITTED_AT")),
	}
}

// Edges of SurveyResponse.
func (SurveyResponse) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("template", SurveyTemplate.Type).Ref("responses").Field("template_id").Unique().Required().Immutable(),
		edge.From("owner", Owner.Type).Ref("survey_responses").Field("owner_id").Unique().Required().Immutable(),
		edge.From("work_order", WorkOrder.Type).Ref("survey_responses").Field("work_order_id").Unique().Immutable(),
	}
}

// Indexes of SurveyResponse.
func (SurveyResponse) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealership_id", "submitted_at"), index.Fields("owner_id")}
}

// Annotations of SurveyResponse.
func (SurveyResponse) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// SurveyInvitation asks an owner to answer a survey after a visit. It pins
// the template version at the time of the invitation, and is answered once.
type SurveyInvitation struct {
	ent.Schema
}

// Mixin of SurveyInvitation.
func (SurveyInvitation) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of SurveyInvitation.
func (SurveyInvitation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("template_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("owner_id").Immutable(),
		field.Int("dealership_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("work_order_id").Optional().Nillable().Immutable().Unique().Annotations(entgql.Type("ID")).
			Comment("One invitation per delivered work order."),
		field.Int("advisor_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Enum("status").Values("pending", "answered").Default("pending").
			Annotations(entgql.OrderField("STATUS"), systemSet()),
		field.Time("invited_at").Immutable().Annotations(entgql.OrderField("INVITED_AT")).
			Comment("When the first push goes out."),
		field.Time("expires_at").Immutable(),
		field.Time("answered_at").Optional().Nillable().Annotations(systemSet()),
	}
}

// Edges of SurveyInvitation.
func (SurveyInvitation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("owner", Owner.Type).Field("owner_id").Unique().Required().Immutable(),
		edge.To("template", SurveyTemplate.Type).Field("template_id").Unique().Required().Immutable(),
	}
}

// Indexes of SurveyInvitation.
func (SurveyInvitation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("owner_id", "status"), index.Fields("dealership_id", "invited_at")}
}

// Annotations of SurveyInvitation.
func (SurveyInvitation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// Policy of SurveyInvitation: see internal/access.
func (SurveyInvitation) Policy() ent.Policy { return access.Policy("survey_invitations") }

// Policy of SurveyTemplate: see internal/access.
func (SurveyTemplate) Policy() ent.Policy { return access.Policy("survey_templates") }

// Policy of SurveyResponse: see internal/access.
func (SurveyResponse) Policy() ent.Policy { return access.Policy("survey_responses") }
