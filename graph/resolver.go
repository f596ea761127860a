// Package graph holds the GraphQL resolvers. They are thin: decode the
// arguments, call a domain package under internal/, return ent entities.
// Authorisation lives with the data (internal/access), not here.
package graph

import (
	"context"
	"log/slog"
	"time"

	"aftercare/ent"
	"aftercare/internal/auth"
	"aftercare/internal/booking"
	"aftercare/internal/photos"
	"aftercare/internal/points"
	"aftercare/internal/progress"
	"aftercare/internal/survey"
	"aftercare/internal/workorder"
)

// Resolver carries the dependencies of every resolver.
type Resolver struct {
	Client *ent.Client
	Logger *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// PhoneRegion is the country read into phone numbers written without a
	// country code (ISO 3166, e.g. "CN").
	PhoneRegion string
	// Booking books appointments.
	Booking *booking.Service
	// WorkOrders runs repair visits; Hub carries their live progress.
	WorkOrders *workorder.Service
	Hub        *progress.Hub
	// Surveys answers satisfaction surveys and signs their links.
	Surveys *survey.Service
	// Photos keeps work-order photos.
	Photos *photos.Service
	// Points keeps the owners' points ledger.
	Points *points.Ledger
	// Claims updates sign-in accounts on role grants; nil without Firebase.
	Claims auth.ClaimsSetter
}

// db returns the transactional client that entgql.Transactioner opened for
// a mutation, or the plain client for queries.
func (r *Resolver) db(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.Client
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
