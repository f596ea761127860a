package sqlread

import (
	"aftercare/ent/owner"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
)

// edgeKey names a connection field of an entity.
type edgeKey struct{ parent, field string }

// edge is a one-to-many edge: the child rows whose column holds the
// parent's id. The columns are ent's own constants.
type edge struct {
	child  string
	column string
}

// edges lists the connections the compiler follows. Another edge is added
// here (and to the comparison test) when a client screen needs it.
var edges = map[edgeKey]edge{
	{"Owner", "vehicles"}:       {"Vehicle", owner.VehiclesColumn},
	{"Owner", "appointments"}:   {"Appointment", owner.AppointmentsColumn},
	{"Owner", "workOrders"}:     {"WorkOrder", owner.WorkOrdersColumn},
	{"Owner", "outboxMessages"}: {"OutboxMessage", owner.OutboxMessagesColumn},
	{"Owner", "reminders"}:      {"Reminder", owner.RemindersColumn},
	{"Vehicle", "appointments"}: {"Appointment", vehicle.AppointmentsColumn},
	{"Vehicle", "workOrders"}:   {"WorkOrder", vehicle.WorkOrdersColumn},
	{"WorkOrder", "events"}:     {"WorkOrderEvent", workorder.EventsColumn},
}
