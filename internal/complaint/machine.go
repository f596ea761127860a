// Package complaint runs the 24-hour complaint loop (DOMAIN.md): logged by
// care staff -> the care manager's plan -> the general manager's approval ->
// the responsible department handles it and reports back -> the care
// manager confirms with the owner -> closed. Each step has an actor, a note
// and a deadline; a missed deadline escalates (EscalateOverdue). An owner
// sees the status, rates the resolution and may reopen it.
package complaint

import (
	"time"

	"aftercare/ent/complaint"
	"aftercare/ent/complaintstep"
	"aftercare/internal/auth"
)

// The statuses of the loop.
const (
	Logged    = complaint.StatusLogged
	Planned   = complaint.StatusPlanned
	Approved  = complaint.StatusApproved
	Handled   = complaint.StatusHandled
	Confirmed = complaint.StatusConfirmed
	Closed    = complaint.StatusClosed
)

var (
	careManagers = []auth.Role{auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}
	approvers    = []auth.Role{auth.RoleGeneralManager, auth.RoleGroupAdmin}
	// departments report on the work: the workshop and its managers.
	departments = []auth.Role{auth.RoleAdvisor, auth.RoleTechnician, auth.RoleServiceManager,
		auth.RoleGeneralManager, auth.RoleGroupAdmin}
	confirmers = []auth.Role{auth.RoleCareAgent, auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}
	// Reopening is open to the owner and to care staff.
	reopeners = []auth.Role{auth.RoleCareAgent, auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}
)

// Transition is one move of the loop and the roles that may make it.
type Transition struct {
	Action complaintstep.Action
	Roles  []auth.Role
}

// transitions is the state machine. Reopening (confirmed or closed ->
// logged) has its own operation, because owners may do it.
var transitions = map[complaint.Status]map[complaint.Status]Transition{
	Logged:    {Planned: {complaintstep.ActionPlanned, careManagers}},
	Planned:   {Approved: {complaintstep.ActionApproved, approvers}, Logged: {complaintstep.ActionPlanRejected, approvers}},
	Approved:  {Handled: {complaintstep.ActionHandled, departments}},
	Handled:   {Confirmed: {complaintstep.ActionConfirmed, confirmers}},
	Confirmed: {Closed: {complaintstep.ActionClosed, careManagers}},
}

// Lookup returns the transition from one status to another, if the loop
// has it, and whether role may make it.
func Lookup(from, to complaint.Status, v *auth.Viewer) (t Transition, known, allowed bool) {
	t, known = transitions[from][to]
	return t, known, known && v.HasRole(t.Roles...)
}

// CanReopen reports whether a complaint in status s may be reopened.
func CanReopen(s complaint.Status) bool { return s == Confirmed || s == Closed }

// mayReopen: the owner of the complaint, or care staff.
func mayReopen(v *auth.Viewer, ownerID int) bool {
	return (v.IsOwner() && v.OwnerID == ownerID) || v.HasRole(reopeners...)
}

// stepTime is how long each step may take. Together they make the 24-hour
// loop: 2 h to plan, 2 h to approve, 12 h for the department to act and
// report (DOMAIN.md), 6 h to confirm with the owner the same day, 2 h to
// close.
var stepTime = map[complaint.Status]time.Duration{
	Logged:    2 * time.Hour,
	Planned:   2 * time.Hour,
	Approved:  12 * time.Hour,
	Handled:   6 * time.Hour,
	Confirmed: 2 * time.Hour,
}

// Deadline is when a complaint that entered status s at t must have left
// it. A closed complaint has none.
func Deadline(s complaint.Status, t time.Time) (time.Time, bool) {
	d, ok := stepTime[s]
	if !ok {
		return time.Time{}, false
	}
	return t.Add(d), true
}

// MaxLevel is the top of the escalation ladder: 1 the general manager,
// 2 the group admin.
const MaxLevel = 2

// escalationGap is how long an escalated step may stay overdue before it
// goes one level up.
const escalationGap = 4 * time.Hour

// NextEscalation is when a step at escalation level `level` whose deadline
// is due escalates next; ok is false at the top of the ladder.
func NextEscalation(level int, due time.Time) (time.Time, bool) {
	if level >= MaxLevel {
		return time.Time{}, false
	}
	return due.Add(time.Duration(level) * escalationGap), true
}

// Terminal reports whether s ends the loop.
func Terminal(s complaint.Status) bool { return s == Closed }
