package store

import (
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// ForUpdate is a query modifier that locks the selected rows until the
// transaction ends, on PostgreSQL. SQLite has no row locks and needs none:
// its write transactions (BEGIN IMMEDIATE) already run one at a time.
//
//	c.Vehicle.Query().Where(vehicle.ID(id)).Modify(store.ForUpdate).Only(ctx)
func ForUpdate(s *entsql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}
