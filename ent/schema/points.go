package schema

import (
	"context"
	"fmt"
	"time"

	"aftercare/internal/access"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PointEntry is one line of an owner's points ledger. The balance is never
// stored anywhere else and never changed in place: each entry carries the
// balance after it and the owner's next sequence number, and the unique
// (owner_id, seq) index lets only one of two concurrent writers append on
// the same balance (internal/points). idempotency_key makes a work order
// earn once, a referral pay once and a retried redemption count once.
type PointEntry struct {
	ent.Schema
}

// Mixin of PointEntry.
func (PointEntry) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of PointEntry.
func (PointEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable(),
		field.Int("seq").Positive().Immutable().Annotations(entgql.OrderField("SEQ")).
			Comment("1, 2, 3, ... per owner, without gaps."),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable().
			Comment("The store where the points were earned or redeemed."),
		field.Enum("kind").Values("earn_visit", "earn_referral", "redeem", "reversal").Immutable().
			Annotations(entgql.OrderField("KIND")),
		field.Int("points").Immutable().
			Comment("Signed: positive when earned, negative when redeemed."),
		field.Int("balance").NonNegative().Immutable().
			Comment("The owner's balance after this entry."),
		field.Int64("value_cents").Optional().Nillable().Immutable().
			Comment("What a redemption is worth off the work order."),
		field.Int("work_order_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("The delivered work order that earned the points, or the open one they were redeemed on."),
		field.Int("referred_owner_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("For a referral: the owner whose first paid visit paid it."),
		field.Int("staff_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("Who redeemed the points."),
		field.String("idempotency_key").NotEmpty().MaxLen(200).Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("note").Optional().MaxLen(500).Immutable(),
		field.Time("created_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of PointEntry.
func (PointEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", Owner.Type).Ref("point_entries").Field("owner_id").Unique().Required().Immutable(),
	}
}

// Indexes of PointEntry.
func (PointEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("owner_id", "seq").Unique(),
		index.Fields("work_order_id"),
		index.Fields("dealership_id", "created_at"),
	}
}

// Annotations of PointEntry.
func (PointEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks of PointEntry: a ledger entry, once written, is never changed.
func (PointEntry) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
					return nil, fmt.Errorf("%s rows are a ledger and are never changed", m.Type())
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

// Policy of PointEntry: see internal/access.
func (PointEntry) Policy() ent.Policy { return access.Policy("point_entries") }
