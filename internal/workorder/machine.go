// Package workorder runs the repair visit: check-in ("three checks, three
// confirmations"), the work-order state machine with who may make each
// move, the digital health check with the owner's decisions, and delivery.
// Every move is a numbered WorkOrderEvent, published to live subscribers.
package workorder

import (
	"slices"

	"aftercare/ent/workorder"
	"aftercare/internal/auth"
)

// Statuses, in the order of a visit.
const (
	CheckedIn        = workorder.StatusCheckedIn
	Diagnosing       = workorder.StatusDiagnosing
	AwaitingApproval = workorder.StatusAwaitingApproval
	InRepair         = workorder.StatusInRepair
	WaitingParts     = workorder.StatusWaitingParts
	QualityCheck     = workorder.StatusQualityCheck
	ReadyForPickup   = workorder.StatusReadyForPickup
	Delivered        = workorder.StatusDelivered
	Cancelled        = workorder.StatusCancelled
)

var (
	technicians = []auth.Role{auth.RoleTechnician}
	advisors    = []auth.Role{auth.RoleAdvisor}
	managers    = []auth.Role{auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}
)

func roles(groups ...[]auth.Role) []auth.Role { return slices.Concat(groups...) }

// moves is the state machine: for each status, the statuses it may move to
// and the roles that may move it. Delivery and cancellation have their own
// operations (they need more than a message).
var moves = map[workorder.Status]map[workorder.Status][]auth.Role{
	CheckedIn:        {Diagnosing: roles(technicians, advisors, managers)},
	Diagnosing:       {AwaitingApproval: roles(advisors, managers), InRepair: roles(advisors, managers)},
	AwaitingApproval: {InRepair: roles(advisors, managers)},
	InRepair:         {WaitingParts: roles(technicians, advisors, managers), QualityCheck: roles(technicians, managers)},
	WaitingParts:     {InRepair: roles(technicians, advisors, managers)},
	QualityCheck:     {InRepair: roles(technicians, managers), ReadyForPickup: roles(advisors, managers)},
	ReadyForPickup:   {},
}

// Open reports whether a work order in status s can still change.
func Open(s workorder.Status) bool { return s != Delivered && s != Cancelled }

// mayMove reports whether v may move a work order from one status to another.
func mayMove(v *auth.Viewer, from, to workorder.Status) (known, allowed bool) {
	allowedRoles, ok := moves[from][to]
	if !ok {
		return false, false
	}
	return true, v.HasRole(allowedRoles...)
}

// Owner-facing messages that go with a move when staff give none.
var defaultMessages = map[workorder.Status]string{
	CheckedIn:        "Your car is checked in.",
	Diagnosing:       "A technician is looking at your car.",
	AwaitingApproval: "We found work that needs your approval.",
	InRepair:         "Your car is being repaired.",
	WaitingParts:     "We are waiting for parts.",
	QualityCheck:     "The work is done and in quality check.",
	ReadyForPickup:   "Your car is ready for pick-up.",
	Delivered:        "Thank you for your visit.",
	Cancelled:        "The work order was cancelled.",
}
