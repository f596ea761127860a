package rules

import (
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the host's zoneinfo
)

// date is a civil date at UTC midnight, the package's date convention.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// at is a wall-clock instant in loc.
func at(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, loc)
}

var (
	shanghai   = mustZone("Asia/Shanghai")
	losAngeles = mustZone("America/Los_Angeles")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// shStore is a Shanghai store opening at 08:30, Saturday and Sunday off.
var shStore = Store{Location: shanghai, Opening: 8*time.Hour + 30*time.Minute}

// find returns the reminder of kind k in rs.
func find(rs []Reminder, k Kind) (Reminder, bool) {
	for _, r := range rs {
		if r.Kind == k {
			return r, true
		}
	}
	return Reminder{}, false
}

// want describes the expected reminder of one kind at one moment; a zero
// want (present false) means the reminder must not exist.
type want struct {
	present bool
	cycle   string
	dueAt   time.Time
	sendAt  time.Time
	expires time.Time
}

func checkReminder(t *testing.T, rs []Reminder, k Kind, w want) {
	t.Helper()
	r, ok := find(rs, k)
	if ok != w.present {
		t.Fatalf("%s present = %v, want %v (got %+v)", k, ok, w.present, r)
	}
	if !ok {
		return
	}
	if r.Cycle != w.cycle {
		t.Errorf("%s Cycle = %q, want %q", k, r.Cycle, w.cycle)
	}
	if !r.DueAt.Equal(w.dueAt) {
		t.Errorf("%s DueAt = %v, want %v", k, r.DueAt, w.dueAt)
	}
	if !r.SendAt.Equal(w.sendAt) {
		t.Errorf("%s SendAt = %v, want %v", k, r.SendAt, w.sendAt)
	}
	if !r.Expires.Equal(w.expires) {
		t.Errorf("%s Expires = %v, want %v", k, r.Expires, w.expires)
	}
	if r.Category != k.Category() || r.SubjectType != k.SubjectType() {
		t.Errorf("%s Category/SubjectType = %s/%s", k, r.Category, r.SubjectType)
	}
}
