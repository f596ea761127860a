package reminder

import (
	"fmt"
	"strconv"

	"aftercare/ent"
	"aftercare/internal/reminder/rules"
)

// message is the push of one reminder: the visible text and the app's deep
// link. The booking link is pre-filled with the vehicle and service type, so
// one tap reaches a slot list.
func message(r rules.Reminder, v *ent.Vehicle) (title, body string, data map[string]string) {
	car := "your car"
	if v != nil {
		car = v.Make + " " + v.Model
		if v.Plate != "" {
			car += " (" + v.Plate + ")"
		}
	}
	due := ""
	if !r.DueAt.IsZero() {
		due = r.DueAt.Format("2 Jan 2006")
	}
	data = map[string]string{"kind": string(r.Kind)}
	book := func(serviceType string) {
		data["link"] = "aftercare://book?serviceType=" + serviceType
		if v != nil {
			data["link"] += "&vehicle=" + strconv.Itoa(v.ID)
		}
	}
	switch r.Kind {
	case rules.KindFirstService:
		title, body = "Your first service is due", fmt.Sprintf("The first service of %s is due by %s. Oil, oil filter and a basic check are free. Bring your service booklet.", car, due)
		book("first_service")
	case rules.KindPeriodicService:
		title, body = "Time for a service", fmt.Sprintf("%s is due for its periodic service around %s. Pick a slot that suits you.", car, due)
		book("periodic_service")
	case rules.KindWarrantyExpiry:
		title, body = "Your warranty ends soon", fmt.Sprintf("The warranty of %s ends on %s. A check before then is covered.", car, due)
		book("inspection")
	case rules.KindInsuranceExpiry:
		title, body = "Insurance renewal", fmt.Sprintf("The insurance of %s expires on %s.", car, due)
		data["link"] = "aftercare://vehicle?id=" + strconv.Itoa(r.Subject)
	case rules.KindInspection:
		title, body = "Annual inspection", fmt.Sprintf("The annual inspection of %s is due by %s.", car, due)
		book("inspection")
	case rules.KindBirthday:
		title, body = "Happy birthday!", "Everyone at the store wishes you a happy birthday."
	case rules.KindWinBack:
		title, body = "We miss you", fmt.Sprintf("20%% off labour on your next visit, valid until %s.", due)
		book("periodic_service")
	case rules.KindSpringCampaign, rules.KindAutumnCampaign:
		title, body = "Seasonal health check", fmt.Sprintf("Free seasonal health check for %s until %s.", car, due)
		book("seasonal_check")
	}
	return title, body, data
}

// greetingMessage is a holiday greeting.
func greetingMessage(name string) (title, body string, data map[string]string) {
	return name, "Season's greetings from everyone at the store. Drive safely.", map[string]string{"kind": kindHoliday}
}
