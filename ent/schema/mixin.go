package schema

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin stamps every row with its creation and last-update time. Rows are
// never hard-deleted (see NoDeleteMixin), so these two stamps plus the
// domain's own status fields are the history.
type TimeMixin struct {
	mixin.Schema
}

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Annotations(
				entgql.OrderField("CREATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(
				entgql.OrderField("UPDATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// dateField is a calendar date without a time of day (birthday, delivery
// date, warranty end). It is stored as a SQL DATE and exposed as the GraphQL
// Date scalar (YYYY-MM-DD); in Go it is a time.Time at UTC midnight.
// An optional date is nillable, so that "no date" is not 0001-01-01.
func dateField(name string, optional bool, ann ...schema.Annotation) ent.Field {
	f := field.Time(name).
		SchemaType(map[string]string{dialect.Postgres: "date", dialect.SQLite: "date"}).
		Annotations(append(ann, entgql.Type("Date"))...)
	if optional {
		f = f.Optional().Nillable()
	}
	return f
}

// HistoryMixin refuses hard deletes: history is kept, and records leave the
// active set through their own status (cancelled, inactive, anonymised).
type HistoryMixin struct {
	mixin.Schema
}

// Hooks of the HistoryMixin.
func (HistoryMixin) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
					return nil, fmt.Errorf("%s rows are history and are never deleted", m.Type())
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

// pii marks a field as personal contact data: the GraphQL @pii directive
// masks it for viewers whose role does not need it and audits staff reads.
func pii() entgql.Annotation {
	return entgql.Directives(entgql.NewDirective("pii"))
}

// systemSet marks a field the API sets itself; clients read it but never
// write it.
func systemSet() entgql.Annotation {
	return entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
}
