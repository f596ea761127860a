package complaint

import (
	"testing"
	"time"

	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/internal/auth"
)

func staff(r auth.Role) *auth.Viewer { return &auth.Viewer{Kind: auth.KindStaff, Role: r, StaffID: 1} }

func TestTransitionTable(t *testing.T) {
	allRoles := []auth.Role{auth.RoleAdvisor, auth.RoleTechnician, auth.RoleCareAgent, auth.RoleCareManager,
		auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}
	for _, tc := range []struct {
		from, to complaint.Status
		action   complaintstep.Action
		allowed  []auth.Role
	}{
		{Logged, Planned, complaintstep.ActionPlanned, []auth.Role{auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}},
		{Planned, Approved, complaintstep.ActionApproved, []auth.Role{auth.RoleGeneralManager, auth.RoleGroupAdmin}},
		{Planned, Logged, complaintstep.ActionPlanRejected, []auth.Role{auth.RoleGeneralManager, auth.RoleGroupAdmin}},
		{Approved, Handled, complaintstep.ActionHandled, []auth.Role{auth.RoleAdvisor, auth.RoleTechnician, auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}},
		{Handled, Confirmed, complaintstep.ActionConfirmed, []auth.Role{auth.RoleCareAgent, auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}},
		{Confirmed, Closed, complaintstep.ActionClosed, []auth.Role{auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}},
	} {
		for _, r := range allRoles {
			tr, known, allowed := Lookup(tc.from, tc.to, staff(r))
			want := false
			for _, a := range tc.allowed {
				want = want || a == r
			}
			if !known || tr.Action != tc.action || allowed != want {
				t.Errorf("%s -> %s as %s: known %v action %s allowed %v, want allowed %v", tc.from, tc.to, r, known, tr.Action, allowed, want)
			}
		}
		owner := &auth.Viewer{Kind: auth.KindOwner, OwnerID: 1}
		if _, _, allowed := Lookup(tc.from, tc.to, owner); allowed {
			t.Errorf("an owner moves %s -> %s", tc.from, tc.to)
		}
	}
	// Skipping steps, going back (other than a rejected plan) and leaving
	// closed are not moves of the loop.
	for _, bad := range [][2]complaint.Status{{Logged, Approved}, {Logged, Closed}, {Approved, Planned},
		{Handled, Closed}, {Closed, Logged}, {Confirmed, Logged}, {Handled, Handled}} {
		if _, known, _ := Lookup(bad[0], bad[1], staff(auth.RoleGroupAdmin)); known {
			t.Errorf("%s -> %s is a move", bad[0], bad[1])
		}
	}
}

func TestReopenRules(t *testing.T) {
	for s, want := range map[complaint.Status]bool{Logged: false, Planned: false, Approved: false, Handled: false, Confirmed: true, Closed: true} {
		if CanReopen(s) != want {
			t.Errorf("reopen from %s: %v", s, !want)
		}
	}
	own := &auth.Viewer{Kind: auth.KindOwner, OwnerID: 7}
	if !mayReopen(own, 7) || mayReopen(own, 8) || !mayReopen(staff(auth.RoleCareAgent), 8) || mayReopen(staff(auth.RoleTechnician), 8) {
		t.Fatal("reopen is for the complaint's owner and care staff")
	}
}

func TestDeadlinesMakeThe24HourLoop(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	want := map[complaint.Status]time.Duration{Logged: 2 * time.Hour, Planned: 2 * time.Hour, Approved: 12 * time.Hour,
		Handled: 6 * time.Hour, Confirmed: 2 * time.Hour}
	total := time.Duration(0)
	for s, d := range want {
		got, ok := Deadline(s, t0)
		if !ok || got.Sub(t0) != d {
			t.Errorf("deadline of %s: %v %v, want +%v", s, got, ok, d)
		}
		total += d
	}
	if total != 24*time.Hour {
		t.Errorf("the loop takes %v, want 24h", total)
	}
	if _, ok := Deadline(Closed, t0); ok {
		t.Error("a closed complaint has a deadline")
	}
}

func TestEscalationLadder(t *testing.T) {
	due := time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		level int
		at    time.Time
		ok    bool
	}{{0, due, true}, {1, due.Add(4 * time.Hour), true}, {2, time.Time{}, false}, {3, time.Time{}, false}} {
		at, ok := NextEscalation(tc.level, due)
		if ok != tc.ok || !at.Equal(tc.at) {
			t.Errorf("level %d: %v %v, want %v %v", tc.level, at, ok, tc.at, tc.ok)
		}
	}
}
