package access_test

import (
	"context"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/internal/access"
	"aftercare/internal/auth"
	"aftercare/internal/seed"
	"aftercare/internal/store"
	"aftercare/internal/testenv"
)

// The instance that commits an erasure forgets the sign-in at the commit,
// not when its own NOTIFY comes back: the owner's next request is refused
// even if it beats the notification. (SQLite, which has no NOTIFY, shows
// the hook alone.)
func TestOwnerCacheForgetsWhenAnErasureCommits(t *testing.T) {
	ctx := auth.SystemContext(context.Background())
	d := testenv.SQLite(t)
	db, err := store.Open(ctx, store.Config{DataDir: d.DataDir})
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
	o := demo.Owners[0]
	db.Client.Owner.UpdateOne(o).SetAuthUID("uid-1").ExecX(ctx)

	cache := access.NewOwnerCache(10, time.Hour)
	cache.Listener().Listening()
	db.Client.Owner.Use(cache.Hook())
	dir := access.Directory{Client: db.Client, Owners: cache}
	reaches := func() int {
		t.Helper()
		v, err := dir.Resolve(ctx, &auth.Identity{UID: "uid-1"})
		if err != nil {
			t.Fatal(err)
		}
		return v.OwnerID
	}
	if reaches() != o.ID {
		t.Fatal("the sign-in does not reach its owner")
	}
	// Behind the hook's back (no NOTIFY on SQLite): the cache still answers.
	if _, err := db.SQL.ExecContext(ctx, `UPDATE owners SET auth_uid = 'uid-2' WHERE id = ?`, o.ID); err != nil {
		t.Fatal(err)
	}
	if reaches() != o.ID {
		t.Fatal("the second sign-in was not answered from the cache")
	}

	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txCtx := ent.NewTxContext(ctx, tx)
	tx.Owner.UpdateOneID(o.ID).ClearAuthUID().ExecX(txCtx)
	if reaches() != o.ID {
		t.Fatal("forgotten before the erasure committed")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if id := reaches(); id != 0 {
		t.Fatalf("after the erasure committed, the sign-in still reaches owner %d", id)
	}
}
