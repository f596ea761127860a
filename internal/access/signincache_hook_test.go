package access_test

import (
	"context"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/staff"
	"aftercare/internal/access"
	"aftercare/internal/auth"
	"aftercare/internal/seed"
	"aftercare/internal/store"
	"aftercare/internal/testenv"
)

// The instance that commits an erasure or a staff member's deactivation
// forgets the sign-in at the commit, not when its own NOTIFY comes back:
// the next request is refused even if it beats the notification. (SQLite,
// which has no NOTIFY, shows the hooks alone.)
func TestSignInCacheForgetsWhenAChangeCommits(t *testing.T) {
	ctx := auth.SystemContext(context.Background())
	db, err := store.Open(ctx, store.Config{DataDir: testenv.SQLite(t).DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	demo, err := seed.Run(ctx, db.Client, seed.Options{Owners: 1, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	cache := access.NewSignInCache(10, time.Hour)
	cache.Listener().Listening()
	cache.Watch(db.Client)
	dir := access.Directory{Client: db.Client, SignIns: cache}

	advisor := demo.Staff[0]
	for _, s := range demo.Staff {
		if s.Role == staff.RoleAdvisor {
			advisor = s
		}
	}
	o := demo.Owners[0]
	db.Client.Owner.UpdateOne(o).SetAuthUID("owner-uid").ExecX(ctx)
	db.Client.Staff.UpdateOne(advisor).SetAuthUID("staff-uid").ExecX(ctx)
	cases := []struct {
		name   string
		id     *auth.Identity
		want   func(*auth.Viewer) int // the record the sign-in reaches
		byHand string                 // moves the link away without NOTIFY
		change func(context.Context, *ent.Tx)
	}{
		{"an owner erased", &auth.Identity{UID: "owner-uid"}, func(v *auth.Viewer) int { return v.OwnerID },
			`UPDATE owners SET auth_uid = 'elsewhere' WHERE id = ?`,
			func(ctx context.Context, tx *ent.Tx) { tx.Owner.UpdateOneID(o.ID).ClearAuthUID().ExecX(ctx) }},
		{"a staff member deactivated", &auth.Identity{UID: "staff-uid", Email: advisor.Email}, func(v *auth.Viewer) int { return v.StaffID },
			`UPDATE staffs SET auth_uid = 'elsewhere' WHERE id = ?`,
			func(ctx context.Context, tx *ent.Tx) { tx.Staff.UpdateOneID(advisor.ID).SetActive(false).ExecX(ctx) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reaches := func() int {
				t.Helper()
				v, err := dir.Resolve(ctx, tc.id)
				if err != nil {
					t.Fatal(err)
				}
				return tc.want(v)
			}
			first := reaches()
			if first == 0 {
				t.Fatal("the sign-in does not reach its record")
			}
			if _, err := db.SQL.ExecContext(ctx, tc.byHand, first); err != nil {
				t.Fatal(err)
			}
			if reaches() != first {
				t.Fatal("the second sign-in was not answered from the cache")
			}
			tx, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(ent.NewTxContext(ctx, tx), tx)
			if reaches() != first {
				t.Fatal("forgotten before the change committed")
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if id := reaches(); id != 0 {
				t.Fatalf("after the change committed, the sign-in still reaches record %d", id)
			}
		})
	}
}
