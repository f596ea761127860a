package access

import (
	"testing"
	"time"
)

// The cache's rules, step by step: what a lookup finds after each sequence.
func TestSignInCacheRules(t *testing.T) {
	type step func(c *SignInCache)
	lookupThen := func(between step) step { // a lookup that another change overlaps
		return func(c *SignInCache) {
			_, gen, _ := c.get(false, "u1")
			if between != nil {
				between(c)
			}
			c.put(false, "u1", linked{ownerID: 11}, gen)
		}
	}
	listening := func(c *SignInCache) { c.Listener().Listening() }
	lost := func(c *SignInCache) { c.Listener().Lost() }
	forget := func(uid string) step { return func(c *SignInCache) { c.Listener().Notify(uid) } }
	store := func(uid string, id int) step {
		return func(c *SignInCache) { _, gen, _ := c.get(false, uid); c.put(false, uid, linked{ownerID: id}, gen) }
	}
	later := func(d time.Duration) step {
		return func(c *SignInCache) { t0 := c.now(); c.now = func() time.Time { return t0.Add(d) } }
	}
	cases := []struct {
		name  string
		steps []step
		want  map[string]int // uid → cached owner id; absent: a miss
	}{
		{"stored while listening", []step{listening, store("u1", 11)}, map[string]int{"u1": 11}},
		{"not stored before the listener listens", []step{store("u1", 11)}, nil},
		{"not stored while the listener is down", []step{listening, lost, store("u1", 11)}, nil},
		{"emptied when the listener drops", []step{listening, store("u1", 11), lost, listening}, nil},
		{"emptied again when it listens anew", []step{listening, store("u1", 11), listening}, nil},
		{"a NOTIFY forgets its uid only", []step{listening, store("u1", 11), store("u2", 12), forget("u1")}, map[string]int{"u2": 12}},
		{"an empty NOTIFY forgets all", []step{listening, store("u1", 11), store("u2", 12), forget("")}, nil},
		{"a lookup that a NOTIFY overlapped is not stored", []step{listening, lookupThen(forget("u9"))}, nil},
		{"a lookup that a drop overlapped is not stored", []step{listening, lookupThen(func(c *SignInCache) { lost(c); listening(c) })}, nil},
		{"a lookup nothing overlapped is stored", []step{listening, lookupThen(nil)}, map[string]int{"u1": 11}},
		{"kept within the ttl", []step{listening, store("u1", 11), later(59 * time.Minute)}, map[string]int{"u1": 11}},
		{"dropped after the ttl", []step{listening, store("u1", 11), later(61 * time.Minute)}, nil},
		{"the least recent goes when full", []step{listening, store("u1", 11), store("u2", 12), store("u3", 13)}, map[string]int{"u2": 12, "u3": 13}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewSignInCache(2, time.Hour)
			for _, s := range tc.steps {
				s(c)
			}
			for _, uid := range []string{"u1", "u2", "u3"} {
				e, _, ok := c.get(false, uid)
				want, wantOK := tc.want[uid]
				if ok != wantOK || e.ownerID != want {
					t.Errorf("%s: cached %v (owner %d), want %v (owner %d)", uid, ok, e.ownerID, wantOK, want)
				}
			}
		})
	}
}

func TestNilSignInCacheCachesNothing(t *testing.T) {
	var c *SignInCache
	c.put(false, "u1", linked{ownerID: 11}, 0)
	if _, _, ok := c.get(false, "u1"); ok {
		t.Fatal("a nil cache answered")
	}
}

// A NOTIFY names a uid, not whose it is: it forgets the uid both as an owner
// and as staff.
func TestSignInCacheForgetsBothKinds(t *testing.T) {
	c := NewSignInCache(10, time.Hour)
	c.Listener().Listening()
	for _, staff := range []bool{false, true} {
		_, gen, _ := c.get(staff, "u1")
		c.put(staff, "u1", linked{ownerID: 11, staffID: 21}, gen)
	}
	c.Listener().Notify("u1")
	for _, staff := range []bool{false, true} {
		if _, _, ok := c.get(staff, "u1"); ok {
			t.Errorf("staff=%v: still cached after its uid's NOTIFY", staff)
		}
	}
}
