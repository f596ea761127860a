package seed

import (
	"aftercare/ent/owner"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
)

// tierFor spreads owners about 70% basic, 20% key, 10% VIP, as DOMAIN.md says.
func tierFor(i int) owner.Tier {
	switch {
	case i%10 == 9:
		return owner.TierVip
	case i%10 >= 7:
		return owner.TierKey
	}
	return owner.TierBasic
}

func fuelFor(n int) vehicle.FuelType {
	return []vehicle.FuelType{vehicle.FuelTypePetrol, vehicle.FuelTypePetrol, vehicle.FuelTypeHybrid,
		vehicle.FuelTypeElectric, vehicle.FuelTypePlugInHybrid, vehicle.FuelTypeDiesel}[n%6]
}

func workOrderStatuses() []workorder.Status {
	return []workorder.Status{workorder.StatusCheckedIn, workorder.StatusDiagnosing,
		workorder.StatusAwaitingApproval, workorder.StatusInRepair, workorder.StatusWaitingParts,
		workorder.StatusQualityCheck, workorder.StatusReadyForPickup, workorder.StatusDelivered,
		workorder.StatusCancelled}
}

func indicator(key, title string, weight float64) schematype.SurveyIndicator {
	return schematype.SurveyIndicator{Key: key, Title: title, Weight: weight}
}

// ServiceSurveyAspects is a service (CSI) survey on the usual factors:
// service initiation, advisor, facility, vehicle pick-up, service quality.
func ServiceSurveyAspects() []schematype.SurveyAspect {
	return []schematype.SurveyAspect{
		{Key: "initiation", Title: "Service initiation", Weight: 20, Indicators: []schematype.SurveyIndicator{
			indicator("booking_ease", "Ease of booking", 50), indicator("timely_reception", "Timely reception", 50)}},
		{Key: "advisor", Title: "Service advisor", Weight: 20, Indicators: []schematype.SurveyIndicator{
			indicator("advisor_courtesy", "Courtesy", 50), indicator("advisor_explanation", "Explanation of work and cost", 50)}},
		{Key: "facility", Title: "Service facility", Weight: 15, Indicators: []schematype.SurveyIndicator{
			indicator("lounge_comfort", "Lounge comfort", 50), indicator("cleanliness", "Cleanliness", 50)}},
		{Key: "pickup", Title: "Vehicle pick-up", Weight: 20, Indicators: []schematype.SurveyIndicator{
			indicator("ready_on_time", "Ready when promised", 60), indicator("invoice_clear", "Clear invoice", 40)}},
		{Key: "quality", Title: "Service quality", Weight: 25, Indicators: []schematype.SurveyIndicator{
			indicator("fixed_first_time", "Fixed right the first time", 60), indicator("car_clean", "Car returned clean", 40)}},
	}
}

// SalesSurveyAspects is the sales (SSI) example of DOMAIN.md.
func SalesSurveyAspects() []schematype.SurveyAspect {
	one := func(key, title string) []schematype.SurveyIndicator {
		return []schematype.SurveyIndicator{indicator(key, title, 100)}
	}
	return []schematype.SurveyAspect{
		{Key: "sales_start", Title: "Sales start", Weight: 20.49, Indicators: one("welcome", "Welcome and needs analysis")},
		{Key: "salesperson", Title: "Salesperson", Weight: 18.84, Indicators: one("salesperson_knowledge", "Product knowledge")},
		{Key: "facility", Title: "Sales facility", Weight: 19.17, Indicators: one("showroom", "Showroom")},
		{Key: "deal", Title: "Deal", Weight: 19.00, Indicators: one("fair_deal", "Fair and clear deal")},
		{Key: "delivery", Title: "Delivery", Weight: 22.50, Indicators: one("delivery_process", "Delivery process")},
	}
}

// serviceNames are the service types' display names.
var serviceNames = map[string]string{
	"first_service": "First service", "periodic_service": "Periodic service", "repair": "Repair and diagnosis",
	"inspection": "Annual inspection", "seasonal_check": "Tyre, A/C and seasonal check",
	"insurance_claim": "Insurance claim", "recall": "Recall",
}
