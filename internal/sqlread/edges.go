package sqlread

import (
	"aftercare/ent/appointment"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/owner"
	"aftercare/ent/reminder"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/ent/workorderevent"
)

// edgeKey names a connection field of an entity.
type edgeKey struct{ parent, field string }

// edge is a one-to-many edge: the child rows whose column holds the
// parent's id, and the child's edge back to the parent (the name its
// privacy filter uses). The names are ent's own constants.
type edge struct {
	child  string
	column string
	back   string
}

// edges lists the connections the compiler follows. Another edge is added
// here (and to the comparison test) when a client screen needs it.
var edges = map[edgeKey]edge{
	{"Owner", "vehicles"}:       {"Vehicle", owner.VehiclesColumn, vehicle.EdgeOwner},
	{"Owner", "appointments"}:   {"Appointment", owner.AppointmentsColumn, appointment.EdgeOwner},
	{"Owner", "workOrders"}:     {"WorkOrder", owner.WorkOrdersColumn, workorder.EdgeOwner},
	{"Owner", "outboxMessages"}: {"OutboxMessage", owner.OutboxMessagesColumn, outboxmessage.EdgeOwner},
	{"Owner", "reminders"}:      {"Reminder", owner.RemindersColumn, reminder.EdgeOwner},
	{"Vehicle", "appointments"}: {"Appointment", vehicle.AppointmentsColumn, appointment.EdgeVehicle},
	{"Vehicle", "workOrders"}:   {"WorkOrder", vehicle.WorkOrdersColumn, workorder.EdgeVehicle},
	{"WorkOrder", "events"}:     {"WorkOrderEvent", workorder.EventsColumn, workorderevent.EdgeWorkOrder},
}
