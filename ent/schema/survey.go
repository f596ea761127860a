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

// Policy of SurveyTemplate: see internal/access.
func (SurveyTemplate) Policy() ent.Policy { return access.Policy("survey_templates") }

// Policy of SurveyResponse: see internal/access.
func (SurveyResponse) Policy() ent.Policy { return access.Policy("survey_responses") }
