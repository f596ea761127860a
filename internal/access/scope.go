// Package access holds the authorisation rules that sit next to the data:
// the ent privacy policy of every entity. Reads are narrowed by a filter
// (a row the viewer may not see simply does not exist for them), writes are
// allowed by role and checked against the same scopes. Resolvers may add
// checks, but a resolver that forgets one still cannot leak.
package access

import (
	"aftercare/internal/auth"

	"entgo.io/ent/entql"
)

// Table names, as ent names them.
const (
	tDealerGroups    = "dealer_groups"
	tDealerships     = "dealerships"
	tStaff           = "staffs"
	tOwners          = "owners"
	tVehicles        = "vehicles"
	tOwnerships      = "vehicle_ownerships"
	tOdometer        = "odometer_readings"
	tDevices         = "devices"
	tAppointments    = "appointments"
	tWorkOrders      = "work_orders"
	tWorkOrderEvents = "work_order_events"
	tSurveyTemplates = "survey_templates"
	tSurveyResponses = "survey_responses"
	tWidgetKeys      = "widget_keys"
	tAuditEntries    = "audit_entries"
	tServiceTypes    = "service_types"
	tOutbox          = "outbox_messages"
	tInspection      = "inspection_items"
	tPhotos          = "photos"
	tCareTasks       = "care_tasks"
	tContactAttempts = "contact_attempts"
	tReminders       = "reminders"
	tInvitations     = "survey_invitations"
	tComplaints      = "complaints"
	tComplaintSteps  = "complaint_steps"
	tPointEntries    = "point_entries"
	// reminder_checks and job_leases belong to the scheduler: no viewer
	// but the system sees them.
)

// careRoles work the care call list.
var careRoles = []auth.Role{auth.RoleCareAgent, auth.RoleCareManager, auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

// reminderReaders follow the store's reminders: care staff, and advisors,
// who see whether the owner they book for was reminded.
var reminderReaders = []auth.Role{auth.RoleAdvisor, auth.RoleCareAgent, auth.RoleCareManager,
	auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

// nothing matches no row.
var nothing = entql.FieldEQ("id", 0)

// scope returns the predicate that selects the rows of table the viewer may
// see. ok is false when the viewer may see no row of the table at all.
func scope(v *auth.Viewer, table string) (p entql.P, ok bool) {
	switch v.Kind {
	case auth.KindOwner:
		return ownerScope(v, table)
	case auth.KindStaff:
		if v.Role == auth.RoleGroupAdmin {
			return groupScope(v.DealerGroupID, table)
		}
		return storeScope(v, table)
	case auth.KindWidget:
		switch table {
		case tDealerships:
			return entql.FieldEQ("id", v.DealershipID), true
		case tServiceTypes:
			return entql.FieldEQ("dealership_id", v.DealershipID), true
		}
	}
	return nil, false
}

// writeScope is the rows the viewer may change: the rows they see, except
// that store staff, who see every store of their group, change only their own.
func writeScope(v *auth.Viewer, table string) (entql.P, bool) {
	if table == tDealerships && v.IsStaff() && v.Role != auth.RoleGroupAdmin {
		return entql.FieldEQ("id", v.DealershipID), true
	}
	return scope(v, table)
}

// ownerScope: an owner sees their own rows and their group's public rows.
func ownerScope(v *auth.Viewer, table string) (entql.P, bool) {
	if v.OwnerID == 0 {
		return nil, false // signed in, but not yet linked to an owner record
	}
	mine := entql.FieldEQ("owner_id", v.OwnerID)
	switch table {
	case tOwners:
		return entql.FieldEQ("id", v.OwnerID), true
	case tVehicles, tOwnerships, tDevices, tAppointments, tWorkOrders, tSurveyResponses, tOutbox,
		tInvitations, tComplaints, tReminders:
		return mine, true
	case tServiceTypes:
		return entql.HasEdgeWith("dealership", entql.FieldEQ("dealer_group_id", v.DealerGroupID)), true
	case tOdometer:
		return entql.HasEdgeWith("vehicle", mine), true
	case tPointEntries:
		return mine, true
	case tAuditEntries:
		return mine, true // who read my data: the owner's right to know
	case tWorkOrderEvents, tInspection, tPhotos:
		return entql.HasEdgeWith("work_order", mine), true
	case tDealerGroups:
		return entql.FieldEQ("id", v.DealerGroupID), true
	case tDealerships, tSurveyTemplates, tStaff:
		// Store facts, survey questions and staff names are public within
		// the group; staff contact fields are masked at the API edge.
		return entql.FieldEQ("dealer_group_id", v.DealerGroupID), true
	}
	return nil, false
}

// storeScope: staff of one store see that store's rows, the owners and
// vehicles the store serves, and their group's stores.
func storeScope(v *auth.Viewer, table string) (entql.P, bool) {
	store := entql.FieldEQ("dealership_id", v.DealershipID)
	switch table {
	case tDealerGroups:
		return entql.FieldEQ("id", v.DealerGroupID), true
	case tDealerships:
		return entql.FieldEQ("dealer_group_id", v.DealerGroupID), true
	case tStaff, tAppointments, tWorkOrders, tSurveyResponses, tOutbox, tInvitations, tComplaints:
		return store, true
	case tComplaintSteps:
		return entql.HasEdgeWith("complaint", store), true
	case tServiceTypes:
		return entql.HasEdgeWith("dealership", entql.FieldEQ("dealer_group_id", v.DealerGroupID)), true
	case tOwners:
		return storeOwners(v.DealershipID), true
	case tPointEntries:
		// The whole ledger of the owners the store serves (points are
		// group-wide: earned at one store, redeemed at another), as the
		// owner record itself.
		return entql.HasEdgeWith("owner", storeOwners(v.DealershipID)), true
	case tVehicles:
		return storeVehicles(v.DealershipID), true
	case tOwnerships, tOdometer:
		return entql.HasEdgeWith("vehicle", storeVehicles(v.DealershipID)), true
	case tWorkOrderEvents, tInspection, tPhotos:
		return entql.HasEdgeWith("work_order", store), true
	case tSurveyTemplates:
		return entql.FieldEQ("dealer_group_id", v.DealerGroupID), true
	case tWidgetKeys, tAuditEntries:
		if v.HasRole(auth.RoleServiceManager, auth.RoleGeneralManager) {
			return store, true
		}
	case tCareTasks:
		if v.HasRole(careRoles...) {
			return store, true
		}
	case tReminders:
		if v.HasRole(reminderReaders...) {
			return store, true
		}
	case tContactAttempts:
		if v.HasRole(careRoles...) {
			return entql.HasEdgeWith("care_task", store), true
		}
	}
	return nil, false // devices: push tokens are for the system only
}

// storeOwners are the owners a store serves: its own customers and anyone
// with an appointment or a work order there.
func storeOwners(store int) entql.P {
	at := entql.FieldEQ("dealership_id", store)
	return entql.Or(
		entql.FieldEQ("home_dealership_id", store),
		entql.HasEdgeWith("appointments", at),
		entql.HasEdgeWith("work_orders", at),
	)
}

// storeVehicles are the vehicles a store sold or serves, and those of the
// owners it serves.
func storeVehicles(store int) entql.P {
	at := entql.FieldEQ("dealership_id", store)
	return entql.Or(
		entql.FieldEQ("selling_dealership_id", store),
		entql.HasEdgeWith("owner", storeOwners(store)),
		entql.HasEdgeWith("appointments", at),
		entql.HasEdgeWith("work_orders", at),
	)
}

// groupScope: a group admin sees everything in their dealer group.
func groupScope(group int, table string) (entql.P, bool) {
	inGroup := entql.FieldEQ("dealer_group_id", group)
	atStoreOfGroup := entql.HasEdgeWith("dealership", inGroup)
	switch table {
	case tDealerGroups:
		return entql.FieldEQ("id", group), true
	case tDealerships, tStaff, tOwners, tSurveyTemplates:
		return inGroup, true
	case tVehicles:
		return entql.Or(entql.HasEdgeWith("owner", inGroup), entql.HasEdgeWith("selling_dealership", inGroup)), true
	case tOwnerships, tOdometer:
		return entql.HasEdgeWith("vehicle", entql.Or(entql.HasEdgeWith("owner", inGroup), entql.HasEdgeWith("selling_dealership", inGroup))), true
	case tAppointments, tWorkOrders, tServiceTypes:
		return atStoreOfGroup, true
	case tOutbox:
		return entql.HasEdgeWith("owner", inGroup), true
	case tWorkOrderEvents, tInspection, tPhotos:
		return entql.HasEdgeWith("work_order", atStoreOfGroup), true
	case tSurveyResponses, tInvitations, tComplaints:
		return entql.HasEdgeWith("owner", inGroup), true
	case tComplaintSteps:
		return entql.HasEdgeWith("complaint", entql.HasEdgeWith("owner", inGroup)), true
	case tWidgetKeys:
		return atStoreOfGroup, true
	case tCareTasks, tReminders, tPointEntries:
		return entql.HasEdgeWith("owner", inGroup), true
	case tContactAttempts:
		return entql.HasEdgeWith("care_task", entql.HasEdgeWith("owner", inGroup)), true
	case tAuditEntries:
		return inGroup, true
	}
	return nil, false
}

// ImpliedByParent reports whether the viewer's read filter on table is
// satisfied by every row whose edge leads to a row of parentTable that the
// viewer can see: the filter is exactly "edge leads to a visible row", or
// an OR with that as one of its terms (a work order's events; a store's
// vehicles, among them those of the owners it serves). The comparison is of
// the predicates themselves, so a rule that changes stops the implication
// instead of being bypassed.
func ImpliedByParent(v *auth.Viewer, table, edge, parentTable string) bool {
	p, ok := scope(v, table)
	parent, pok := scope(v, parentTable)
	if !ok || !pok {
		return false
	}
	via := entql.HasEdgeWith(edge, parent).String()
	for _, term := range orTerms(p) {
		if term.String() == via {
			return true
		}
	}
	return false
}

// orTerms is the terms of p if p is an OR (entql.Or makes a binary
// expression of two terms and an n-ary one of more), or else p alone.
func orTerms(p entql.Expr) []entql.Expr {
	switch e := p.(type) {
	case *entql.BinaryExpr:
		if e.Op == entql.OpOr {
			return append(orTerms(e.X), orTerms(e.Y)...)
		}
	case *entql.NaryExpr:
		if e.Op == entql.OpOr {
			var out []entql.Expr
			for _, x := range e.Xs {
				out = append(out, orTerms(x)...)
			}
			return out
		}
	}
	return []entql.Expr{p}
}
