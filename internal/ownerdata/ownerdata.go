// Package ownerdata serves an owner's data-protection rights (PIPL, GDPR):
// an export of everything kept about them, and erasure, which anonymises
// their personal fields while keeping the service history that the store's
// accounts and statistics need.
package ownerdata

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/auditentry"
	"aftercare/ent/device"
	"aftercare/ent/odometerreading"
	"aftercare/ent/owner"
	"aftercare/ent/pointentry"
	"aftercare/ent/surveyresponse"
	"aftercare/ent/vehicle"
	"aftercare/ent/vehicleownership"
	"aftercare/ent/workorder"
	"aftercare/internal/apperr"
	"aftercare/internal/audit"
	"aftercare/internal/auth"
)

// Export gathers the signed-in owner's data. It runs under the owner's own
// viewer, so privacy rules guarantee nothing of anyone else is included.
func Export(ctx context.Context, c *ent.Client, requestID string) (map[string]any, error) {
	v := auth.FromContext(ctx)
	if !v.IsOwner() || v.OwnerID == 0 {
		return nil, apperr.Forbiddenf("only a signed-in owner can export their data")
	}
	id := v.OwnerID
	o, err := c.Owner.Query().Where(owner.ID(id)).Only(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"exportedAt": time.Now().UTC(), "owner": o}
	parts := []struct {
		name string
		load func() (any, error)
	}{
		{"vehicles", func() (any, error) { return c.Vehicle.Query().Where(vehicle.OwnerID(id)).All(ctx) }},
		{"ownerships", func() (any, error) { return c.VehicleOwnership.Query().Where(vehicleownership.OwnerID(id)).All(ctx) }},
		{"odometerReadings", func() (any, error) {
			return c.OdometerReading.Query().Where(odometerreading.HasVehicleWith(vehicle.OwnerID(id))).All(ctx)
		}},
		{"devices", func() (any, error) { return c.Device.Query().Where(device.OwnerID(id)).All(ctx) }},
		{"appointments", func() (any, error) { return c.Appointment.Query().Where(appointment.OwnerID(id)).All(ctx) }},
		{"workOrders", func() (any, error) {
			return c.WorkOrder.Query().Where(workorder.OwnerID(id)).WithEvents().All(ctx)
		}},
		{"surveyResponses", func() (any, error) { return c.SurveyResponse.Query().Where(surveyresponse.OwnerID(id)).All(ctx) }},
		{"pointEntries", func() (any, error) {
			return c.PointEntry.Query().Where(pointentry.OwnerID(id)).Order(pointentry.BySeq()).All(ctx)
		}},
		{"accessLog", func() (any, error) { return c.AuditEntry.Query().Where(auditentry.OwnerID(id)).All(ctx) }},
	}
	for _, p := range parts {
		rows, err := p.load()
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", p.name, err)
		}
		out[p.name] = rows
	}
	if err := audit.Change(ctx, c, auditentry.ActionExport, id, o.DealerGroupID, nil, requestID); err != nil {
		return nil, err
	}
	return out, nil
}

// Erase anonymises the signed-in owner. Name, phone, e-mail, birthday,
// region and sign-in link are cleared and push devices removed; vehicles,
// visits and survey scores stay, no longer tied to a person who can be
// identified. The account cannot sign in again. c must be transactional.
func Erase(ctx context.Context, c *ent.Client, now time.Time, requestID string) error {
	v := auth.FromContext(ctx)
	if !v.IsOwner() || v.OwnerID == 0 {
		return apperr.Forbiddenf("only a signed-in owner can erase their account")
	}
	o, err := c.Owner.Query().Where(owner.ID(v.OwnerID)).Only(ctx)
	if err != nil {
		return err
	}
	// The owner has proved who they are; the system performs the erasure,
	// which touches fields an owner may not set themselves.
	sys := auth.SystemContext(ctx)
	if err := c.Owner.UpdateOne(o).SetName(fmt.Sprintf("Erased customer %d", o.ID)).
		ClearPhone().ClearEmail().ClearBirthday().ClearRegion().ClearAuthUID().ClearTimeZone().
		SetConsentMarketing(false).SetErasedAt(now).Exec(sys); err != nil {
		return err
	}
	if _, err := c.Device.Delete().Where(device.OwnerID(o.ID)).Exec(sys); err != nil {
		return err
	}
	return audit.Change(ctx, c, auditentry.ActionErase, o.ID, o.DealerGroupID,
		[]string{"name", "phone", "email", "birthday", "region", "devices"}, requestID)
}
