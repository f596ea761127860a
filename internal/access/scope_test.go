package access

import (
	"testing"

	"aftercare/internal/auth"
)

// Which child filters a visible parent row proves, for each kind of viewer.
func TestImpliedByParent(t *testing.T) {
	owner := &auth.Viewer{Kind: auth.KindOwner, OwnerID: 7, DealerGroupID: 1}
	advisor := &auth.Viewer{Kind: auth.KindStaff, Role: auth.RoleAdvisor, DealershipID: 3, DealerGroupID: 1}
	admin := &auth.Viewer{Kind: auth.KindStaff, Role: auth.RoleGroupAdmin, DealerGroupID: 1}
	unlinked := &auth.Viewer{Kind: auth.KindOwner}
	cases := []struct {
		name                     string
		v                        *auth.Viewer
		table, edge, parentTable string
		want                     bool
	}{
		{"owner: a work order's events", owner, tWorkOrderEvents, "work_order", tWorkOrders, true},
		{"advisor: a work order's events", advisor, tWorkOrderEvents, "work_order", tWorkOrders, true},
		{"admin: a work order's events", admin, tWorkOrderEvents, "work_order", tWorkOrders, true},
		{"advisor: a served owner's vehicles (one term of an OR)", advisor, tVehicles, "owner", tOwners, true},
		{"admin: an owner's vehicles (one term of an OR)", admin, tVehicles, "owner", tOwners, true},
		{"owner: own vehicles are filtered by column, not by edge", owner, tVehicles, "owner", tOwners, false},
		{"advisor: a vehicle's work orders are the store's only", advisor, tWorkOrders, "vehicle", tVehicles, false},
		{"advisor: an owner's appointments are the store's only", advisor, tAppointments, "owner", tOwners, false},
		{"the wrong parent table", advisor, tWorkOrderEvents, "work_order", tOwners, false},
		{"the wrong edge", advisor, tVehicles, "selling_dealership", tOwners, false},
		{"a viewer with no scope", unlinked, tWorkOrderEvents, "work_order", tWorkOrders, false},
		{"anonymous", &auth.Viewer{}, tWorkOrderEvents, "work_order", tWorkOrders, false},
	}
	for _, tc := range cases {
		if got := ImpliedByParent(tc.v, tc.table, tc.edge, tc.parentTable); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
