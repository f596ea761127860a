package booking_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/outboxmessage"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/ent/vehicle"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
	"aftercare/internal/widgetkeys"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func forEachStore(t *testing.T, fn func(t *testing.T, api *apitest.API)) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.Start(t, d, apitest.Options{Owners: 60}))
		})
	}
}

// workingDay is a Monday-to-Saturday date at least days ahead, at hh:mm
// Shanghai time (the demo stores' zone and hours, 08:30-18:00).
func workingDay(days, hh, mm int) time.Time {
	d := time.Now().In(shanghai).AddDate(0, 0, days)
	if d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, shanghai)
}

const book = `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id reference status startsAt endsAt source } }`

type booked struct {
	BookAppointment struct {
		ID, Reference, Status, Source string
		StartsAt, EndsAt              time.Time
	}
}

func bookingInput(api *apitest.API, ownerIdx int, at time.Time, key string) map[string]any {
	v := api.Client.Vehicle.Query().Where(vehicle.OwnerID(api.Demo.Owners[ownerIdx].ID)).FirstIDX(apitest.SystemCtx())
	return map[string]any{"in": map[string]any{
		"dealershipID": strconv.Itoa(api.Demo.Stores[0].ID), "ownerID": strconv.Itoa(api.Demo.Owners[ownerIdx].ID),
		"vehicleID": strconv.Itoa(v), "serviceType": "inspection", "startsAt": at, "idempotencyKey": "test-key-" + key,
	}}
}

func setCapacity(t *testing.T, api *apitest.API, units int) {
	res := api.Do(api.StaffToken(staff.RoleServiceManager, 0),
		`mutation($s: ID!, $n: Int!) { setBookingSettings(dealershipID: $s, input: {capacity: [{pool: "bay", units: $n}, {pool: "advisor", units: $n}]}) { id } }`,
		map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID), "n": units})
	if res.Errors != nil {
		t.Fatalf("set capacity: %+v", res.Errors)
	}
}

// 50 customers race for one slot with room for 3: exactly 3 get it. Half
// book in the owner app (and so cannot see each other's bookings), half
// through the advisor.
func TestSlotIsNeverOverbooked(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		setCapacity(t, api, 3)
		at := workingDay(4, 11, 0)
		advisor := api.StaffToken(staff.RoleAdvisor, 0)
		tokens := make([]string, 50)
		for i := range tokens {
			tokens[i] = advisor
			if i%2 == 1 {
				tokens[i] = api.OwnerToken((2 * i) % 60)
			}
		}
		var mu sync.Mutex
		codes := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Owners of store 1 are the even-numbered demo owners.
				res := api.Do(tokens[i], book, bookingInput(api, (2*i)%60, at, fmt.Sprintf("race-%d", i)))
				mu.Lock()
				codes[res.Code()]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if codes[""] != 3 || codes["SLOT_FULL"] != 47 {
			t.Fatalf("outcomes %v, want 3 bookings and 47 SLOT_FULL", codes)
		}
		n := api.Client.Appointment.Query().Where(appointment.StartsAt(at.UTC()), appointment.StatusNEQ(appointment.StatusCancelled)).CountX(apitest.SystemCtx())
		if n != 3 {
			t.Fatalf("%d bookings stored in the slot, want 3", n)
		}
	})
}

func TestRetriedBookingReturnsTheFirst(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		owner := api.OwnerToken(0)
		in := bookingInput(api, 0, workingDay(5, 10, 0), "retry-7f1c2a9e")
		var first, again booked
		api.Do(owner, book, in).Decode(t, &first)
		// The client retries, then retries three times at once (a flaky network).
		api.Do(owner, book, in).Decode(t, &again)
		var wg sync.WaitGroup
		ids := make([]string, 3)
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var b booked
				api.Do(owner, book, in).Decode(t, &b)
				ids[i] = b.BookAppointment.ID
			}(i)
		}
		wg.Wait()
		if again.BookAppointment.ID != first.BookAppointment.ID || ids[0] != first.BookAppointment.ID || ids[1] != ids[0] || ids[2] != ids[0] {
			t.Fatalf("retries returned %s and %v, want %s", again.BookAppointment.ID, ids, first.BookAppointment.ID)
		}
		if n := api.Client.Appointment.Query().Where(appointment.IdempotencyKey("test-key-retry-7f1c2a9e")).CountX(apitest.SystemCtx()); n != 1 {
			t.Fatalf("%d bookings for one key", n)
		}
		// Another person cannot use the key to read the booking.
		if res := api.Do(api.OwnerToken(2), book, bookingInput(api, 2, workingDay(5, 10, 0), "retry-7f1c2a9e")); res.Code() != "CONFLICT" {
			t.Fatalf("key reused by another owner: %+v, want CONFLICT", res.Errors)
		}
	})
}

func TestBookingRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		owner := api.OwnerToken(0)
		closed := workingDay(6, 9, 0)
		res := api.Do(api.StaffToken(staff.RoleServiceManager, 0), `mutation($s: ID!, $d: String!) { setBookingSettings(dealershipID: $s, input: {closures: [$d]}) { id } }`,
			map[string]any{"s": strconv.Itoa(api.Demo.Stores[0].ID), "d": closed.Format("2006-01-02")})
		if res.Errors != nil {
			t.Fatal(res.Errors)
		}
		sunday := workingDay(7, 10, 0)
		for sunday.Weekday() != time.Sunday {
			sunday = sunday.AddDate(0, 0, 1)
		}
		cases := []struct {
			name  string
			at    time.Time
			owner int
			code  string
		}{
			{"in the past", time.Now().Add(-2 * time.Hour), 0, "BAD_USER_INPUT"},
			{"on a closure day", closed, 0, "BAD_USER_INPUT"},
			{"on a Sunday (no hours)", sunday, 0, "BAD_USER_INPUT"},
			{"after closing", workingDay(8, 17, 45), 0, "BAD_USER_INPUT"},
			{"off the slot grid", workingDay(8, 10, 10), 0, "BAD_USER_INPUT"},
			{"beyond the horizon", workingDay(90, 10, 0), 0, "BAD_USER_INPUT"},
			{"someone else's vehicle", workingDay(8, 10, 0), 2, "NOT_FOUND"},
		}
		for i, c := range cases {
			in := bookingInput(api, c.owner, c.at, fmt.Sprintf("rules-%d", i))
			in["in"].(map[string]any)["ownerID"] = nil
			if res := api.Do(owner, book, in); res.Code() != c.code {
				t.Errorf("%s: %+v, want %s", c.name, res.Errors, c.code)
			}
		}
		if n := api.Client.Appointment.Query().Where(appointment.IdempotencyKeyHasPrefix("test-key-rules-")).CountX(apitest.SystemCtx()); n != 0 {
			t.Fatalf("%d refused bookings were stored", n)
		}
	})
}

func TestCancelledSlotIsFreedAndOwnerIsNotified(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		setCapacity(t, api, 1)
		at := workingDay(5, 14, 0)
		owner := api.OwnerToken(0)
		var b booked
		api.Do(owner, book, bookingInput(api, 0, at, "free-1")).Decode(t, &b)
		if b.BookAppointment.Status != "requested" || b.BookAppointment.Source != "app" || !b.BookAppointment.EndsAt.Equal(at.Add(30*time.Minute)) {
			t.Fatalf("booking %+v", b.BookAppointment)
		}
		if res := api.Do(api.OwnerToken(2), book, bookingInput(api, 2, at, "free-2")); res.Code() != "SLOT_FULL" {
			t.Fatalf("second booking in a full slot: %+v", res.Errors)
		}
		kinds := func() map[string]string {
			m := map[string]string{}
			for _, o := range api.Client.OutboxMessage.Query().Where(outboxmessage.OwnerID(api.Demo.Owners[0].ID)).AllX(ctx) {
				m[o.Kind] = string(o.Status)
			}
			return m
		}
		if k := kinds(); k["booking_confirmed"] != "pending" || k["booking_day_before"] != "pending" {
			t.Fatalf("outbox after booking: %v", k)
		}
		cancel := `mutation($id: ID!) { cancelAppointment(id: $id, reason: "plans changed") { status } }`
		for i := 0; i < 2; i++ { // the second is a retry and changes nothing
			var c struct{ CancelAppointment struct{ Status string } }
			api.Do(owner, cancel, map[string]any{"id": b.BookAppointment.ID}).Decode(t, &c)
			if c.CancelAppointment.Status != "cancelled" {
				t.Fatalf("cancel: %+v", c)
			}
		}
		if k := kinds(); k["booking_cancelled"] != "pending" || k["booking_day_before"] != "cancelled" {
			t.Fatalf("outbox after cancelling: %v", k)
		}
		var again booked
		api.Do(api.OwnerToken(2), book, bookingInput(api, 2, at, "free-3")).Decode(t, &again)
	})
}

func TestRescheduleMovesTheReminder(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		owner := api.OwnerToken(0)
		var b booked
		api.Do(owner, book, bookingInput(api, 0, workingDay(5, 9, 0), "move-1")).Decode(t, &b)
		to := workingDay(9, 15, 30)
		var moved struct{ RescheduleAppointment struct{ StartsAt time.Time } }
		api.Do(owner, `mutation($id: ID!, $at: Time!) { rescheduleAppointment(id: $id, startsAt: $at) { startsAt } }`,
			map[string]any{"id": b.BookAppointment.ID, "at": to}).Decode(t, &moved)
		if !moved.RescheduleAppointment.StartsAt.Equal(to) {
			t.Fatalf("moved to %v, want %v", moved.RescheduleAppointment.StartsAt, to)
		}
		pending := api.Client.OutboxMessage.Query().Where(outboxmessage.Kind("booking_day_before"),
			outboxmessage.StatusEQ(outboxmessage.StatusPending), outboxmessage.OwnerID(api.Demo.Owners[0].ID)).AllX(apitest.SystemCtx())
		wantEve := time.Date(to.Year(), to.Month(), to.Day()-1, 10, 0, 0, 0, shanghai)
		if len(pending) != 1 || !pending[0].SendAfter.Equal(wantEve) {
			t.Fatalf("pending day-before reminders %+v, want one at %v", pending, wantEve)
		}
	})
}

func TestOwnerCannotCancelWithinTheCutoff(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		soon := time.Now().Add(90 * time.Minute)
		a := api.Client.Appointment.Create().SetReference("BK-SOON0001").SetDealershipID(api.Demo.Stores[0].ID).
			SetOwnerID(api.Demo.Owners[0].ID).SetServiceType(appointment.ServiceTypeInspection).SetStartsAt(soon).
			SetEndsAt(soon.Add(30 * time.Minute)).SetSource(appointment.SourceApp).SaveX(ctx)
		cancel := `mutation($id: ID!) { cancelAppointment(id: $id, reason: "late") { status } }`
		vars := map[string]any{"id": strconv.Itoa(a.ID)}
		if res := api.Do(api.OwnerToken(0), cancel, vars); res.Code() != "CONFLICT" {
			t.Fatalf("owner cancelling 90 minutes before: %+v, want CONFLICT", res.Errors)
		}
		if res := api.Do(api.StaffToken(staff.RoleAdvisor, 0), cancel, vars); res.Errors != nil {
			t.Fatalf("the store cancelling: %+v", res.Errors)
		}
	})
}

const requestBooking = `mutation($in: WidgetBookingInput!) { requestBooking(input: $in) { reference status startsAt } }`

// A widget's answer is the same whether or not the phone belongs to a
// customer, and a new number becomes a prospect.
func TestWidgetBookingRevealsNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		key, _, err := widgetkeys.Create(ctx, api.Client, api.Demo.Stores[0].ID, "brand", []string{"https://brand.example"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		req := func(phone, idem string, at time.Time) map[string]any {
			return map[string]any{"in": map[string]any{"name": "Wang Fang", "phone": phone, "plate": "沪A12345",
				"serviceType": "periodic_service", "startsAt": at, "consentService": true, "idempotencyKey": idem}}
		}
		known := *api.Demo.Owners[0].Phone
		fresh := "+8613600000042"
		var a, b map[string]map[string]any
		api.DoWidget(key, requestBooking, req(known, "widget-known", workingDay(5, 10, 0))).Decode(t, &a)
		api.DoWidget(key, requestBooking, req(fresh, "widget-fresh", workingDay(5, 10, 0))).Decode(t, &b)
		if len(a["requestBooking"]) != 3 || len(b["requestBooking"]) != 3 || a["requestBooking"]["status"] != b["requestBooking"]["status"] {
			t.Fatalf("answers differ in shape: %v vs %v", a, b)
		}
		prospect := api.Client.Owner.Query().Where(owner.Phone(fresh)).OnlyX(ctx)
		if !prospect.Prospect || *prospect.HomeDealershipID != api.Demo.Stores[0].ID {
			t.Fatalf("new number: %+v, want a prospect of the widget's store", prospect)
		}
		if n := api.Client.Owner.Query().Where(owner.Phone(known)).CountX(ctx); n != 1 {
			t.Fatalf("known number now has %d owner records", n)
		}
		appt := api.Client.Appointment.Query().Where(appointment.IdempotencyKey("widget-known")).OnlyX(ctx)
		if appt.OwnerID != api.Demo.Owners[0].ID || appt.Source != appointment.SourceWidget || appt.VehiclePlate != "沪A12345" {
			t.Fatalf("widget booking %+v", appt)
		}
		bad := api.DoWidget(key, requestBooking, req("12345", "widget-bad", workingDay(5, 10, 30)))
		if bad.Code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "phone" {
			t.Fatalf("bad phone: %+v", bad.Errors)
		}
	})
}

// Slots are in the store's own zone across a daylight-saving change.
func TestSlotsFollowTheStoreTimeZone(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	mgr := api.StaffToken(staff.RoleServiceManager, 0)
	store := strconv.Itoa(api.Demo.Stores[0].ID)
	if res := api.Do(api.StaffToken(staff.RoleGroupAdmin, 0), `mutation($s: ID!) { updateDealership(id: $s, input: {timeZone: "Europe/Berlin"}) { id } }`, map[string]any{"s": store}); res.Errors != nil {
		t.Fatal(res.Errors)
	}
	if res := api.Do(mgr, `mutation($s: ID!) { setBookingSettings(dealershipID: $s, input: {bookingHorizonDays: 365}) { id } }`, map[string]any{"s": store}); res.Errors != nil {
		t.Fatal(res.Errors)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// The first Saturday before and after Berlin's next spring change.
	change := nextDSTChange(berlin, time.Now())
	for _, day := range []time.Time{change.AddDate(0, 0, -1), change.AddDate(0, 0, 6)} {
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, berlin)
		var out struct {
			AvailableSlots struct {
				Slots []struct{ StartsAt time.Time }
			}
		}
		api.Do(mgr, `query($s: ID!, $f: Time!, $t: Time!) { availableSlots(dealershipID: $s, serviceType: inspection, from: $f, to: $t) { slots { startsAt } } }`,
			map[string]any{"s": store, "f": from, "t": from.Add(24 * time.Hour)}).Decode(t, &out)
		if len(out.AvailableSlots.Slots) == 0 {
			t.Fatalf("no slots on %s", from.Format("2006-01-02"))
		}
		first := out.AvailableSlots.Slots[0].StartsAt.In(berlin)
		if first.Hour() != 8 || first.Minute() != 30 {
			t.Fatalf("first slot on %s at %s Berlin time, want 08:30", from.Format("2006-01-02"), first.Format("15:04"))
		}
	}
}

// nextDSTChange is the day (local midnight) of the next change of offset.
func nextDSTChange(loc *time.Location, from time.Time) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, loc)
	_, off := d.Zone()
	for i := 0; i < 400; i++ {
		d = d.AddDate(0, 0, 1)
		if _, o := d.Zone(); o != off {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		}
	}
	return d
}

// Pick-up and delivery is free for key and VIP owners within 3 km of the
// store and priced otherwise.
func TestPickupPricing(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	advisor := api.StaffToken(staff.RoleAdvisor, 1) // store 2, Hangzhou (30.2741, 120.1551)
	near := map[string]any{"latitude": 30.2800, "longitude": 120.1600}
	far := map[string]any{"latitude": 30.3500, "longitude": 120.1551}
	cases := []struct {
		name  string
		owner int // demo owner 9 is VIP, owner 1 basic; both customers of store 2
		where map[string]any
		price float64
	}{
		{"VIP nearby", 9, near, 0},
		{"VIP 8 km away", 9, far, 5000},
		{"basic owner nearby", 1, near, 5000},
	}
	for i, c := range cases {
		in := map[string]any{
			"dealershipID": strconv.Itoa(api.Demo.Stores[1].ID), "ownerID": strconv.Itoa(api.Demo.Owners[c.owner].ID),
			"serviceType": "inspection", "startsAt": workingDay(6, 9+i, 0), "transport": "pickup_delivery",
			"pickup": c.where, "idempotencyKey": fmt.Sprintf("pickup-case-%d", i),
		}
		var out struct {
			BookAppointment struct{ TransportPriceCents float64 }
		}
		api.Do(advisor, `mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { transportPriceCents } }`,
			map[string]any{"in": in}).Decode(t, &out)
		if out.BookAppointment.TransportPriceCents != c.price {
			t.Errorf("%s: price %v, want %v", c.name, out.BookAppointment.TransportPriceCents, c.price)
		}
	}
}
