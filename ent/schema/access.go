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

// WidgetKey is a store's public key for third-party booking widgets. The
// key is embedded in other sites' pages, so it is public; it is stored only
// as a SHA-256 hash so that a database leak yields no usable keys, and it is
// bound to the web origins allowed to use it.
type WidgetKey struct {
	ent.Schema
}

// Mixin of WidgetKey.
func (WidgetKey) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of WidgetKey.
func (WidgetKey) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable(),
		field.String("name").NotEmpty().MaxLen(100),
		field.String("prefix").NotEmpty().MaxLen(16).Immutable().
			Comment("The key's first characters, shown so staff can tell keys apart."),
		field.String("key_hash").NotEmpty().Unique().Immutable().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Strings("allowed_origins"),
		field.Int("created_by_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Edges of WidgetKey.
func (WidgetKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealership", Dealership.Type).Ref("widget_keys").Field("dealership_id").Unique().Required().Immutable(),
	}
}

// Annotations of WidgetKey.
func (WidgetKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy of WidgetKey: see internal/access.
func (WidgetKey) Policy() ent.Policy { return access.Policy("widget_keys") }

// AuditEntry records that a staff member read or changed an owner's
// personal data, or that an owner exported or erased their own. It is
// append-only.
type AuditEntry struct {
	ent.Schema
}

// Mixin of AuditEntry.
func (AuditEntry) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")),
		field.Enum("actor_kind").Values("staff", "owner", "system").Immutable(),
		field.Int("actor_staff_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("dealer_group_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("owner_id").Annotations(entgql.Type("ID")).Immutable().Comment("Whose personal data."),
		field.Enum("action").Values("read_contact", "update", "export", "erase").Immutable(),
		field.Strings("fields").Optional().Immutable(),
		field.String("request_id").Optional().MaxLen(64).Immutable(),
	}
}

// Indexes of AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{index.Fields("owner_id", "at"), index.Fields("actor_staff_id", "at")}
}

// Annotations of AuditEntry.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField("auditEntries")}
}

// Policy of AuditEntry: see internal/access.
func (AuditEntry) Policy() ent.Policy { return access.Policy("audit_entries") }
