package booking

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"math"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/owner"
	"aftercare/ent/servicetype"
	"aftercare/ent/vehicle"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/booking/slots"
	"aftercare/internal/reminder"
)

// Request is a booking to make.
type Request struct {
	StoreID     int
	OwnerID     int
	VehicleID   *int
	ServiceType servicetype.Code
	StartsAt    time.Time
	AdvisorID   *int
	Source      appointment.Source
	Transport   appointment.Transport
	// Pickup is where to collect the car, for pick-up and delivery.
	Pickup *Point
	Notes  string
	// IdempotencyKey is chosen by the client per booking attempt; a retry
	// with the same key returns the first booking.
	IdempotencyKey string
	// Set by the widget flow.
	VehiclePlate, VehicleVIN string
	WidgetKeyID              *int
	Status                   appointment.Status
}

// Point is a location in degrees.
type Point struct{ Latitude, Longitude float64 }

// Book makes an appointment if the slot has room. c must be transactional:
// the per-day lock, the capacity check and the insert happen in one
// transaction, so concurrent bookings cannot overfill a slot.
func (s *Service) Book(ctx context.Context, c *ent.Client, r Request) (*ent.Appointment, error) {
	if err := checkKey(r.IdempotencyKey); err != nil {
		return nil, err
	}
	d, store, st, err := storeSetup(ctx, c, r.StoreID, r.ServiceType)
	if err != nil {
		return nil, err
	}
	if err := s.lockDay(ctx, c, r.StoreID, r.StartsAt.In(store.Location).Format(slots.DateLayout)); err != nil {
		return nil, err
	}
	// Under the lock, so that a concurrent retry sees the first attempt.
	if prior, err := replay(ctx, c, r); prior != nil || err != nil {
		return prior, err
	}
	if err := s.checkFits(ctx, c, store, st, r.StoreID, r.StartsAt, 0); err != nil {
		return nil, err
	}
	price, err := transportPrice(ctx, c, d, r)
	if err != nil {
		return nil, err
	}
	a, err := insert(ctx, c, r, st, price)
	if err != nil {
		return nil, err
	}
	// The reminders this booking answers count as converted.
	if err := reminder.Convert(ctx, c, a.OwnerID, a.VehicleID, a.ID, s.now()); err != nil {
		return nil, err
	}
	return a, notifyBooked(ctx, c, a, store.Location, s.now())
}

func (s *Service) checkFits(ctx context.Context, c *ent.Client, store slots.Store, st slots.ServiceType, storeID int, start time.Time, except int) error {
	booked, err := bookingsAround(ctx, c, storeID, start.Add(-24*time.Hour), start.Add(24*time.Hour), except)
	if err != nil {
		return err
	}
	return slotError(slots.Fits(store, st, start, booked, s.now()))
}

func checkKey(key string) error {
	if len(key) < 8 || len(key) > 128 {
		return apperr.Input("idempotencyKey", "give a unique key of 8 to 128 characters per booking attempt (a UUID)")
	}
	return nil
}

// replay returns the booking an earlier attempt with the same key made. A
// key reused by someone else is a conflict, and reveals nothing.
func replay(ctx context.Context, c *ent.Client, r Request) (*ent.Appointment, error) {
	prior, err := c.Appointment.Query().Where(appointment.DealershipID(r.StoreID), appointment.IdempotencyKey(r.IdempotencyKey)).
		Only(auth.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sameWidget := r.WidgetKeyID != nil && prior.WidgetKeyID != nil && *r.WidgetKeyID == *prior.WidgetKeyID
	if prior.OwnerID != r.OwnerID && !sameWidget {
		return nil, apperr.Conflictf("this idempotency key was already used for another booking")
	}
	return prior, nil
}

func insert(ctx context.Context, c *ent.Client, r Request, st slots.ServiceType, price int64) (*ent.Appointment, error) {
	ref, err := newReference()
	if err != nil {
		return nil, err
	}
	status := r.Status
	if status == "" {
		status = appointment.StatusRequested
	}
	transport := r.Transport
	if transport == "" {
		transport = appointment.TransportWait
	}
	return c.Appointment.Create().SetReference(ref).SetDealershipID(r.StoreID).SetOwnerID(r.OwnerID).
		SetNillableVehicleID(r.VehicleID).SetNillableAdvisorID(r.AdvisorID).
		SetServiceType(appointment.ServiceType(r.ServiceType)).SetStartsAt(r.StartsAt.UTC()).
		SetEndsAt(r.StartsAt.Add(st.Duration).UTC()).SetPools(st.Pools).SetStatus(status).SetSource(r.Source).
		SetTransport(transport).SetTransportPriceCents(price).SetNotes(r.Notes).
		SetVehiclePlate(r.VehiclePlate).SetVehicleVin(r.VehicleVIN).SetNillableWidgetKeyID(r.WidgetKeyID).
		SetIdempotencyKey(r.IdempotencyKey).Save(ctx)
}

// transportPrice: pick-up and delivery is free for key and VIP owners
// within the store's radius, and priced otherwise (also when the distance
// cannot be told).
func transportPrice(ctx context.Context, c *ent.Client, d *ent.Dealership, r Request) (int64, error) {
	if r.Transport != appointment.TransportPickupDelivery {
		return 0, nil
	}
	if r.Pickup == nil {
		return 0, apperr.Input("pickup", "pick-up and delivery needs the pick-up location")
	}
	o, err := c.Owner.Query().Where(owner.ID(r.OwnerID)).Select(owner.FieldTier).Only(auth.SystemContext(ctx))
	if err != nil {
		return 0, err
	}
	perk := o.Tier == owner.TierKey || o.Tier == owner.TierVip
	if perk && d.Latitude != nil && d.Longitude != nil &&
		distanceKm(*d.Latitude, *d.Longitude, r.Pickup.Latitude, r.Pickup.Longitude) <= d.PickupRadiusKm {
		return 0, nil
	}
	return d.PickupPriceCents, nil
}

// distanceKm is the great-circle distance (haversine).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthKm = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthKm * math.Asin(math.Sqrt(a))
}

// newReference is a short booking reference a person can read out on the
// phone: "BK-" and 8 characters of A-Z and 2-7.
func newReference() (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "BK-" + strings.ToUpper(base32.StdEncoding.EncodeToString(b[:])), nil
}

// ownVehicle checks that a vehicle belongs to the owner being booked.
func ownVehicle(ctx context.Context, c *ent.Client, vehicleID, ownerID int) error {
	ok, err := c.Vehicle.Query().Where(vehicle.ID(vehicleID), vehicle.OwnerID(ownerID)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("vehicle not found")
	}
	return nil
}
