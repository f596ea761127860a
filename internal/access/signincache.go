package access

import (
	"context"
	"sync"
	"time"

	"aftercare/ent"
	"aftercare/ent/hook"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/internal/auth"
	"aftercare/internal/pglisten"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// SignInChannel is the NOTIFY channel on which triggers on owners and staffs
// (migration 20261202030000_signin_notify) announce that a sign-in uid no
// longer leads where it did: its payload is that uid, or "" after a
// TRUNCATE.
const SignInChannel = "aftercare_signin"

// SignInCache remembers what each sign-in uid is linked to, an owner record
// or an active staff record with its role and store, so that a signed-in
// person's requests skip that lookup (a quarter of the home screen's CPU,
// issue #9). Every instance hears of a link that ends or changes from the
// triggers' NOTIFY, and the instance that commits such a change forgets at
// once (Watch). While the listening session is down the cache is empty and
// stores nothing: it never answers from a time it could have missed a
// change. The nil *SignInCache caches nothing.
type SignInCache struct {
	mu   sync.Mutex
	live bool   // the listener is listening
	gen  uint64 // counts forgets: a lookup that overlapped one is not stored
	lru  *simplelru.LRU[signInKey, linked]
	ttl  time.Duration
	now  func() time.Time
}

type signInKey struct {
	staff bool
	uid   string
}

// linked is the record a sign-in leads to, as much of it as a viewer needs.
type linked struct {
	ownerID, staffID      int
	role                  auth.Role
	dealershipID, groupID int
	expires               time.Time
}

// NewSignInCache holds up to size sign-ins, each for at most ttl: the ttl
// bounds memory for people who stopped using the apps, not staleness, which
// the NOTIFY ends.
func NewSignInCache(size int, ttl time.Duration) *SignInCache {
	lru, err := simplelru.NewLRU[signInKey, linked](size, nil)
	if err != nil {
		panic(err) // size <= 0: a programming error
	}
	return &SignInCache{lru: lru, ttl: ttl, now: time.Now}
}

// get returns the cached link of a staff or owner uid, and otherwise the
// generation to pass to put once the lookup is done.
func (c *SignInCache) get(staff bool, uid string) (linked, uint64, bool) {
	if c == nil {
		return linked{}, 0, false
	}
	k := signInKey{staff, uid}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.lru.Get(k)
	if ok && c.now().After(l.expires) {
		c.lru.Remove(k)
		l, ok = linked{}, false
	}
	return l, c.gen, ok
}

// put stores a lookup's result unless a forget happened since it began (the
// lookup may have read the row before that change committed) or the
// listener is down.
func (c *SignInCache) put(staff bool, uid string, l linked, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && c.gen == gen {
		l.expires = c.now().Add(c.ttl)
		c.lru.Add(signInKey{staff, uid}, l)
	}
}

// forget drops uid, or everything when uid is "".
func (c *SignInCache) forget(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if uid == "" {
		c.lru.Purge()
		return
	}
	c.lru.Remove(signInKey{false, uid})
	c.lru.Remove(signInKey{true, uid})
}

func (c *SignInCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	c.lru.Purge() // nothing read before a gap in listening is trusted after it
}

// Listener is the cache's channel on the instance's listening session.
func (c *SignInCache) Listener() pglisten.Channel {
	return pglisten.Channel{
		Name:      SignInChannel,
		Notify:    c.forget,
		Listening: func() { c.setLive(true) },
		Lost:      func() { c.setLive(false) },
	}
}

// Watch makes this instance forget every sign-in when a transaction commits
// that ends an owner's link (erasure) or changes a staff member's (role,
// store, deactivation). The triggers' NOTIFY does the same moments later on
// every instance; this makes it certain here before the change's response
// is sent, so the next request on this instance already sees it.
func (c *SignInCache) Watch(client *ent.Client) {
	deleted := hook.HasOp(ent.OpDelete | ent.OpDeleteOne)
	client.Owner.Use(hook.If(c.forgetAtCommit, hook.Or(hook.HasClearedFields(owner.FieldAuthUID), deleted)))
	client.Staff.Use(hook.If(c.forgetAtCommit, hook.Or(deleted,
		hook.HasFields(staff.FieldRole), hook.HasFields(staff.FieldActive),
		hook.HasFields(staff.FieldDealershipID), hook.HasClearedFields(staff.FieldDealershipID),
		hook.HasFields(staff.FieldAuthUID), hook.HasClearedFields(staff.FieldAuthUID))))
}

func (c *SignInCache) forgetAtCommit(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		tx := ent.TxFromContext(ctx)
		if tx == nil {
			c.forget("")
			return v, nil
		}
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				err := next.Commit(ctx, tx)
				c.forget("")
				return err
			})
		})
		return v, nil
	})
}
