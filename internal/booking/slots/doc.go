// Package slots is the booking slot engine: which start times a store can
// offer for a service type, whether a chosen start still fits (the check the
// booking transaction runs right before it inserts), which free slots to
// suggest first, and how full each step of a day is.
//
// Every function is pure. Nothing reads the clock, a database or a global:
// the caller passes the store's set-up, the existing non-cancelled bookings
// and now. Generate and Fits share one implementation, so a start is
// Available in Generate exactly when Fits returns nil for it.
//
// Conventions used throughout:
//
//   - Opening hours and peak hours are wall-clock times of day in the store's
//     location (Interval offsets from local midnight, 08:30 is 8h30m), applied
//     to every local date. On a daylight-saving day a wall-clock time is
//     turned into an instant as "the first moment the store's clock reads at
//     least that time": a time inside a spring-forward gap means the end of
//     the gap (02:30 on a New York spring-forward day is 03:00 EDT); a time
//     repeated by a fall-back means its first occurrence. An opening interval
//     is the real span between its two instants, so a store open 01:00-04:00
//     is open two hours on the spring-forward day and four on the fall-back
//     day.
//   - The slot grid is real time: the grid steps of an opening interval start
//     at its opening instant and follow each other every SlotLength. With
//     whole-hour DST shifts and a SlotLength dividing an hour this is the same
//     as the wall-clock grid, with no nonexistent slot (no 02:30 on a
//     spring-forward night) and, on a fall-back night, both 01:30s: they are
//     two distinct instants an hour apart, each a real half hour of opening.
//   - A service of duration d starting on the grid occupies the
//     ceil(d/SlotLength) grid steps from its start and needs one unit of each
//     of its pools in every one of them. It must end by the closing instant
//     of the same interval: a service never straddles a lunch break, even if
//     two intervals touch.
//   - A booking uses one unit of each of its pools in every grid step it
//     overlaps, even partly (a 08:15-08:45 booking holds a unit in both the
//     08:00 and the 08:30 step). Pools the store does not have are ignored.
//     Cancelled bookings are simply not passed in.
//   - Slots and steps are returned in the store's location, in time order.
//     Ranges are half-open: a slot belongs to [from, to) when its start does.
package slots
