package sqlread

import (
	"testing"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/reminder"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
)

// Each edge's back edge is the one the join follows: the same column, to the
// parent's table. The compiler trusts a parent row for its children's
// privacy filter by the back edge's name (access.ImpliedByParent), so a
// name that pointed elsewhere would skip a filter it should not.
func TestEdgesJoinOnTheirBackEdge(t *testing.T) {
	type backEdge struct{ child, name string }
	type fk struct{ column, parentTable string }
	// ent's constants for each back edge: its column and the table it
	// points to.
	generated := map[backEdge]fk{
		{"Vehicle", vehicle.EdgeOwner}:                   {vehicle.OwnerColumn, vehicle.OwnerInverseTable},
		{"Appointment", appointment.EdgeOwner}:           {appointment.OwnerColumn, appointment.OwnerInverseTable},
		{"Appointment", appointment.EdgeVehicle}:         {appointment.VehicleColumn, appointment.VehicleInverseTable},
		{"WorkOrder", workorder.EdgeOwner}:               {workorder.OwnerColumn, workorder.OwnerInverseTable},
		{"WorkOrder", workorder.EdgeVehicle}:             {workorder.VehicleColumn, workorder.VehicleInverseTable},
		{"OutboxMessage", outboxmessage.EdgeOwner}:       {outboxmessage.OwnerColumn, outboxmessage.OwnerInverseTable},
		{"Reminder", reminder.EdgeOwner}:                 {reminder.OwnerColumn, reminder.OwnerInverseTable},
		{"WorkOrderEvent", workorderevent.EdgeWorkOrder}: {workorderevent.WorkOrderColumn, workorderevent.WorkOrderInverseTable},
	}
	for k, e := range edges {
		want, ok := generated[backEdge{e.child, e.back}]
		if !ok {
			t.Errorf("%s.%s: no back edge %s.%s known to this test", k.parent, k.field, e.child, e.back)
			continue
		}
		if got := (fk{e.column, ent.SQLTables[k.parent].Name}); got != want {
			t.Errorf("%s.%s joins %v; its back edge %s is %v", k.parent, k.field, got, e.back, want)
		}
	}
}
