package access

import (
	"context"
	"sync"
	"time"

	"aftercare/ent"
	"aftercare/ent/hook"
	"aftercare/internal/pglisten"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// SignInChannel is the NOTIFY channel on which a trigger on owners
// (migration 20261202030000_signin_notify) announces that a sign-in uid no
// longer leads to the owner it did: its payload is that uid, or "" after a
// TRUNCATE.
const SignInChannel = "aftercare_signin"

// OwnerCache remembers which owner each sign-in uid is linked to, so that an
// owner's requests skip that lookup (a quarter of the home screen's CPU,
// issue #9). A link ends only by erasure, or by hand in the database; every
// instance hears of it from the trigger's NOTIFY, and the instance that
// commits an erasure forgets at once (Hook). While the listening session is
// down the cache is empty and bypassed: it never answers from a time it
// could have missed a change. The nil *OwnerCache caches nothing.
type OwnerCache struct {
	mu   sync.Mutex
	live bool   // the listener is listening
	gen  uint64 // counts forgets: a lookup that overlapped one is not stored
	lru  *simplelru.LRU[string, cachedOwner]
	ttl  time.Duration
	now  func() time.Time
}

type cachedOwner struct {
	ownerID, groupID int
	expires          time.Time
}

// NewOwnerCache holds up to size sign-ins, each for at most ttl: the ttl
// bounds memory for owners who stopped using the app, not staleness, which
// the NOTIFY ends.
func NewOwnerCache(size int, ttl time.Duration) *OwnerCache {
	lru, err := simplelru.NewLRU[string, cachedOwner](size, nil)
	if err != nil {
		panic(err) // size <= 0: a programming error
	}
	return &OwnerCache{lru: lru, ttl: ttl, now: time.Now}
}

// get returns the cached owner of uid, and otherwise the generation to pass
// to put once the lookup is done.
func (c *OwnerCache) get(uid string) (cachedOwner, uint64, bool) {
	if c == nil {
		return cachedOwner{}, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(uid)
	if ok && c.now().After(e.expires) {
		c.lru.Remove(uid)
		e, ok = cachedOwner{}, false
	}
	return e, c.gen, ok
}

// put stores a lookup's result unless a forget happened since it began (the
// lookup may have read the row before that change committed) or the
// listener is down.
func (c *OwnerCache) put(uid string, ownerID, groupID int, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && c.gen == gen {
		c.lru.Add(uid, cachedOwner{ownerID: ownerID, groupID: groupID, expires: c.now().Add(c.ttl)})
	}
}

// forget drops uid, or everything when uid is "".
func (c *OwnerCache) forget(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if uid == "" {
		c.lru.Purge()
	} else {
		c.lru.Remove(uid)
	}
}

func (c *OwnerCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	c.lru.Purge() // nothing read before a gap in listening is trusted after it
}

// Listener is the cache's channel on the instance's listening session.
func (c *OwnerCache) Listener() pglisten.Channel {
	return pglisten.Channel{
		Name:      SignInChannel,
		Notify:    c.forget,
		Listening: func() { c.setLive(true) },
		Lost:      func() { c.setLive(false) },
	}
}

// Hook empties this instance's cache when a transaction that erases an owner
// commits. The trigger's NOTIFY does the same moments later on every
// instance; this makes it certain here before the erasure's response is
// sent, so the owner's next request, on this instance, is already refused.
func (c *OwnerCache) Hook() ent.Hook {
	return hook.If(func(next ent.Mutator) ent.Mutator {
		return hook.OwnerFunc(func(ctx context.Context, m *ent.OwnerMutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if tx := ent.TxFromContext(ctx); tx != nil {
				tx.OnCommit(func(next ent.Committer) ent.Committer {
					return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
						err := next.Commit(ctx, tx)
						c.forget("")
						return err
					})
				})
			} else {
				c.forget("")
			}
			return v, nil
		})
	}, hook.Or(hook.HasClearedFields("auth_uid"), hook.HasOp(ent.OpDelete|ent.OpDeleteOne)))
}
