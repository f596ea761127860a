// Package vehicles keeps the rules of a vehicle's record: its VIN, its
// mileage history (which only goes forward unless corrected) and its chain
// of owners.
package vehicles

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/odometerreading"
	"aftercare/ent/vehicle"
	"aftercare/ent/vehicleownership"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/store"
	"aftercare/internal/validate"
)

// Register creates a vehicle and opens its first ownership period. The VIN
// is normalised (upper case, trimmed) before ent's validator checks it.
func Register(ctx context.Context, c *ent.Client, in ent.CreateVehicleInput) (*ent.Vehicle, error) {
	in.Vin = validate.NormalizeVIN(in.Vin)
	if err := validate.VIN(in.Vin); err != nil {
		return nil, apperr.Input("vin", err.Error())
	}
	if in.OdometerKm != nil && *in.OdometerKm < deliveryKm(in) {
		return nil, apperr.Input("odometerKm", "the odometer cannot be below the delivery mileage")
	}
	v, err := c.Vehicle.Create().SetInput(in).Save(ctx)
	if err != nil {
		return nil, err
	}
	if v.OwnerID != nil {
		if err := c.VehicleOwnership.Create().SetVehicleID(v.ID).SetOwnerID(*v.OwnerID).
			SetStartedAt(in.DeliveryDate).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func deliveryKm(in ent.CreateVehicleInput) int {
	if in.DeliveryKm != nil {
		return *in.DeliveryKm
	}
	return 0
}

// Reading is a new odometer observation.
type Reading struct {
	VehicleID  int
	Km         int
	Source     odometerreading.Source
	RecordedAt time.Time
	Correction bool
	Note       string
}

// RecordReading appends an odometer reading and moves the vehicle's current
// odometer. The vehicle row is locked (FOR UPDATE on PostgreSQL; SQLite's
// write transaction serialises anyway), so two concurrent readings cannot
// both pass the "not below the last" check. c must be a transactional client.
func RecordReading(ctx context.Context, c *ent.Client, r Reading, now time.Time) (*ent.OdometerReading, error) {
	if r.Km < 0 || r.Km > 5_000_000 {
		return nil, apperr.Input("km", "mileage must be between 0 and 5,000,000 km")
	}
	if r.RecordedAt.IsZero() {
		r.RecordedAt = now
	}
	if r.RecordedAt.After(now.Add(5 * time.Minute)) {
		return nil, apperr.Input("recordedAt", "a reading cannot be taken in the future")
	}
	if r.Correction && r.Note == "" {
		return nil, apperr.Input("note", "a correction needs a note saying why")
	}
	v, err := lockVehicle(ctx, c, r.VehicleID)
	if err != nil {
		return nil, err
	}
	// The vehicle's odometer is the highest accepted reading so far.
	last := v.OdometerKm
	if r.Km < last && !r.Correction {
		return nil, apperr.Input("km", fmt.Sprintf("mileage cannot go backwards: the last reading is %d km (mark it as a correction if the earlier one was wrong)", last))
	}
	reading, err := c.OdometerReading.Create().SetVehicleID(v.ID).SetKm(r.Km).SetSource(r.Source).
		SetRecordedAt(r.RecordedAt).SetCorrection(r.Correction).SetNote(r.Note).Save(ctx)
	if err != nil {
		return nil, err
	}
	// The odometer is derived from the reading the viewer was just allowed
	// to record; owners may not set it directly, so the system moves it.
	if err := c.Vehicle.UpdateOneID(v.ID).SetOdometerKm(r.Km).Exec(auth.SystemContext(ctx)); err != nil {
		return nil, err
	}
	return reading, nil
}

func lockVehicle(ctx context.Context, c *ent.Client, id int) (*ent.Vehicle, error) {
	v, err := c.Vehicle.Query().Where(vehicle.ID(id)).Modify(store.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("vehicle not found")
	}
	return v, err
}

// Transfer hands a vehicle to a new owner: the current ownership period is
// closed and a new one opened, so the history of who owned it stays whole.
func Transfer(ctx context.Context, c *ent.Client, vehicleID, newOwnerID int, now time.Time) (*ent.Vehicle, error) {
	v, err := lockVehicle(ctx, c, vehicleID)
	if err != nil {
		return nil, err
	}
	if v.OwnerID != nil && *v.OwnerID == newOwnerID {
		return nil, apperr.Conflictf("the vehicle already belongs to this owner")
	}
	if _, err := c.VehicleOwnership.Update().
		Where(vehicleownership.VehicleID(v.ID), vehicleownership.EndedAtIsNil()).
		SetEndedAt(now).Save(ctx); err != nil {
		return nil, err
	}
	if err := c.VehicleOwnership.Create().SetVehicleID(v.ID).SetOwnerID(newOwnerID).
		SetStartedAt(now).Exec(ctx); err != nil {
		return nil, err
	}
	return c.Vehicle.UpdateOneID(v.ID).SetOwnerID(newOwnerID).Save(ctx)
}
