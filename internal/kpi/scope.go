// Package kpi computes the figures a store manager reads every month
// (DOMAIN.md, "What the store manager reads every month"): return rates for
// first and periodic services, appointment and no-show rates, lapse by
// class, reminder reach, call success, win-back, satisfaction and the
// 24-hour complaint loop.
//
// Every figure is the size of a named list of rows (List), and the list is
// one set of ent predicates. The count, the drill-down connection and the
// CSV export all run those same predicates, so a manager who opens a figure
// sees exactly the rows it counts, and SQLite and PostgreSQL compute it
// with the same SQL.
package kpi

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/dealers"
)

// Scope is one store and one calendar month of its own time zone.
type Scope struct {
	StoreID int
	Store   *ent.Dealership // as read by Open, for the report's dealership field
	Month   string          // YYYY-MM
	// From and To bound the month's instants in the store's time zone.
	From, To time.Time
	// DayFrom and DayTo bound its calendar dates. Due dates are stored as
	// dates (midnight UTC), so they are compared with these.
	DayFrom, DayTo time.Time
	// Now is when the report is read: a complaint is overdue only once its
	// 24 hours are over.
	Now time.Time
}

// managerRoles read their own store's KPIs; group admins read every store
// of their group (the dealership's privacy rule hides other groups').
var managerRoles = []auth.Role{auth.RoleServiceManager, auth.RoleCareManager, auth.RoleGeneralManager}

// Open checks that the viewer may read storeID's KPIs and returns the
// store's scope for month (YYYY-MM).
func Open(ctx context.Context, c *ent.Client, storeID int, month string, now time.Time) (Scope, error) {
	v := auth.FromContext(ctx)
	switch {
	case v.IsAnonymous():
		return Scope{}, &apperr.Error{Code: apperr.Unauthenticated, Message: "sign in to read KPIs"}
	case v.HasRole(auth.RoleGroupAdmin):
	case v.HasRole(managerRoles...) && v.DealershipID == storeID:
	default:
		return Scope{}, apperr.Forbiddenf("a store's KPIs are for its managers and group admins")
	}
	st, err := c.Dealership.Get(ctx, storeID)
	if ent.IsNotFound(err) {
		return Scope{}, apperr.NotFoundf("store not found")
	}
	if err != nil {
		return Scope{}, err
	}
	return NewScope(st, month, now)
}

// NewScope is store st's scope for month, without access checks.
func NewScope(st *ent.Dealership, month string, now time.Time) (Scope, error) {
	from, to, err := dealers.MonthRange(month, st.TimeZone)
	if err != nil {
		return Scope{}, err
	}
	if !from.Before(now) {
		return Scope{}, apperr.Input("month", "the month has not begun")
	}
	day := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Scope{
		StoreID: st.ID, Store: st, Month: month,
		From: from.UTC(), To: to.UTC(),
		DayFrom: day, DayTo: day.AddDate(0, 1, 0),
		Now: now,
	}, nil
}

// DealershipID is the store's id (the API's name for it).
func (s Scope) DealershipID() int { return s.StoreID }
