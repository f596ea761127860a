// Package rules is the care calendar: when each after-sales reminder is due,
// when it should be sent, and which owners are lapsing.
//
// Every function is pure. Nothing reads the clock, a database or a global:
// the caller passes now, the facts about the vehicle, owner and store, and a
// Config carrying the store's numbers (DefaultConfig gives the industry
// defaults from DOMAIN.md). That keeps the rules table-testable on any date.
//
// Conventions used throughout:
//
//   - A "date" (DeliveryDate, WarrantyEnd, a reminder's DueAt...) is a civil
//     day. It is read from the value's own calendar fields (t.Date()), never
//     converted to another zone first, because a day stored as UTC midnight
//     would otherwise move to the previous day west of Greenwich. Dates this
//     package returns are UTC midnight.
//   - "Today" for vehicle reminders is now's civil day in the store's zone;
//     for the birthday greeting it is the owner's zone.
//   - Instants this package returns (SendAt, Expires) are real moments.
//   - Month arithmetic clamps to the end of the month: 31 Jan + 1 month is
//     28 (or 29) Feb, never 3 March (see AddMonths).
package rules
