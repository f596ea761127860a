package booking

import (
	"context"
	"fmt"
	"time"

	"aftercare/ent"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/servicetype"
	"aftercare/internal/apperr"
	"aftercare/internal/booking/slots"
)

// ServiceTypeSpec describes one service a store offers.
type ServiceTypeSpec struct {
	Code            servicetype.Code
	Name            string
	DurationMinutes int
	Pools           []string
	PriceCents      *int64
	Active          bool
}

// SetServiceType adds or changes one of a store's service types.
func SetServiceType(ctx context.Context, c *ent.Client, storeID int, s ServiceTypeSpec) (*ent.ServiceType, error) {
	if len(s.Pools) == 0 {
		return nil, apperr.Input("pools", "a service holds at least one capacity pool")
	}
	st, err := c.ServiceType.Query().Where(servicetype.DealershipID(storeID), servicetype.CodeEQ(s.Code)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return c.ServiceType.Create().SetDealershipID(storeID).SetCode(s.Code).SetName(s.Name).
			SetDurationMinutes(s.DurationMinutes).SetPools(s.Pools).SetNillablePriceCents(s.PriceCents).
			SetActive(s.Active).Save(ctx)
	case err != nil:
		return nil, err
	}
	return st.Update().SetName(s.Name).SetDurationMinutes(s.DurationMinutes).SetPools(s.Pools).
		SetNillablePriceCents(s.PriceCents).SetActive(s.Active).Save(ctx)
}

// Settings are a store's booking settings; nil fields stay as they are.
type Settings struct {
	SlotMinutes, BookingHorizonDays, MinLeadMinutes, CancelCutoffHours *int
	Capacity                                                           []schematype.PoolCapacity
	PeakHours, Closures                                                []string
	PickupRadiusKm                                                     *float64
	PickupPriceCents                                                   *int64
}

// SetSettings validates and applies booking settings.
func SetSettings(ctx context.Context, c *ent.Client, storeID int, s Settings) (*ent.Dealership, error) {
	if err := checkSettings(s); err != nil {
		return nil, err
	}
	upd := c.Dealership.UpdateOneID(storeID).SetNillableSlotMinutes(s.SlotMinutes).
		SetNillableBookingHorizonDays(s.BookingHorizonDays).SetNillableMinLeadMinutes(s.MinLeadMinutes).
		SetNillableCancelCutoffHours(s.CancelCutoffHours).SetNillablePickupRadiusKm(s.PickupRadiusKm).
		SetNillablePickupPriceCents(s.PickupPriceCents)
	if s.Capacity != nil {
		upd.SetCapacity(s.Capacity)
	}
	if s.PeakHours != nil {
		upd.SetPeakHours(s.PeakHours)
	}
	if s.Closures != nil {
		upd.SetClosures(s.Closures)
	}
	d, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("dealership not found")
	}
	return d, err
}

func checkSettings(s Settings) error {
	for i, p := range s.Capacity {
		if p.Pool == "" || p.Units < 0 || p.Units > 1000 {
			return apperr.Input(fmt.Sprintf("capacity[%d]", i), "a pool has a name and 0 to 1000 units")
		}
	}
	for i, ph := range s.PeakHours {
		if _, err := slots.ParseInterval(ph); err != nil {
			return apperr.Input(fmt.Sprintf("peakHours[%d]", i), "write busy hours as HH:MM-HH:MM")
		}
	}
	for i, d := range s.Closures {
		if _, err := time.Parse(slots.DateLayout, d); err != nil {
			return apperr.Input(fmt.Sprintf("closures[%d]", i), "write dates as YYYY-MM-DD")
		}
	}
	return nil
}

// DefaultCapacity is what a new store starts with until its manager sets it.
func DefaultCapacity() []schematype.PoolCapacity {
	return []schematype.PoolCapacity{{Pool: slots.PoolBay, Units: 4}, {Pool: slots.PoolAdvisor, Units: 3}}
}
