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

// Staff is an employee of a store (or of the group, for group admins).
type Staff struct {
	ent.Schema
}

// Mixin of Staff.
func (Staff) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Staff.
func (Staff) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealer_group_id").Immutable().Annotations(entgql.Type("ID"), entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.Int("dealership_id").Optional().Nillable().
			Comment("The store; empty for group admins."),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("email").NotEmpty().MaxLen(254).Unique().Annotations(pii()),
		field.String("phone").Optional().Validate(validate.E164).Annotations(pii()),
		field.Enum("role").Values("advisor", "technician", "care_agent", "care_manager",
			"service_manager", "general_manager", "group_admin").
			Annotations(entgql.OrderField("ROLE")),
		field.Bool("active").Default(true),
		field.String("auth_uid").Optional().Nillable().Unique().MaxLen(128).
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Staff.
func (Staff) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealership", Dealership.Type).Ref("staff").Field("dealership_id").Unique(),
	}
}

// Indexes of Staff.
func (Staff) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealership_id", "role")}
}

// Annotations of Staff.
func (Staff) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField("staff"),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Policy of Staff: see internal/access.
func (Staff) Policy() ent.Policy { return access.Policy("staffs") }
