package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftercare/ent/appointment"
	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
	"aftercare/internal/widgetkeys"

	"github.com/chromedp/chromedp"
)

// step bounds each browser action; the widget's own retries of a blocked
// call take about 1.6s, well within it.
const step = 10 * time.Second

// TestBookingWidgetInRealBrowser embeds the booking widget with its one
// script tag in pages on real origins in headless Chromium: on a site the
// key allows, a customer books a slot and gets a reference; on any other
// site the browser blocks the widget's calls, the widget says so, and
// nothing is booked.
func TestBookingWidgetInRealBrowser(t *testing.T) {
	tab := Browser(t) // first: skips (or fails under CI) before any setup
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	calls := &recorder{}
	bookings := &bookingTap{}
	front := httptest.NewServer(calls.wrap(bookings.wrap(api.App.Handler)))
	t.Cleanup(front.Close)

	store := api.Demo.Stores[0]
	dealer := hostSite(t, front.URL)   // the store's own website
	stranger := hostSite(t, front.URL) // a site that copied the tag
	key, wk, err := widgetkeys.Create(apitest.SystemCtx(), api.Client, store.ID, "dealer site", []string{dealer.URL}, 0)
	if err != nil {
		t.Fatal(err)
	}
	widgetBookings := func() int {
		return api.Client.Appointment.Query().Where(appointment.WidgetKeyID(wk.ID)).CountX(apitest.SystemCtx())
	}

	t.Run("allowed site books a slot", func(t *testing.T) {
		open(t, tab, dealer.URL+"/?container=1&key="+url.QueryEscape(key))
		if state := widgetState(t, tab); state != "ready" {
			t.Fatalf("widget state %q, want ready; widget: %s", state, widgetHTML(tab))
		}
		if name := eval[string](t, tab, inWidgetJS(`r.getElementById("store").textContent`)); name != store.Name {
			t.Fatalf("store name %q, want %q", name, store.Name)
		}

		startsAt := pickFirstFreeSlot(t, tab, workingDay(3))
		// The host page hides every button and input; the widget's own are
		// in its Shadow DOM, so they stay visible and clickable.
		fillIn(t, tab, "13800138000")
		if err := Do(tab, step, chromedp.Click(inWidget("#book"))); err != nil {
			t.Fatal(err)
		}
		if state := widgetState(t, tab, "ready"); state != "booked" {
			t.Fatalf("widget state %q after Book, want booked; widget: %s", state, widgetHTML(tab))
		}
		ref := eval[string](t, tab, inWidgetJS(`r.getElementById("reference").textContent`))
		if ref == "" {
			t.Fatalf("no reference shown; widget: %s", widgetHTML(tab))
		}

		a, err := api.Client.Appointment.Query().Where(appointment.Reference(ref)).Only(apitest.SystemCtx())
		if err != nil {
			t.Fatalf("appointment %s: %v", ref, err)
		}
		if a.Source != appointment.SourceWidget || a.WidgetKeyID == nil || *a.WidgetKeyID != wk.ID ||
			a.DealershipID != store.ID || !a.StartsAt.Equal(startsAt) || a.ServiceType != appointment.ServiceTypeInspection ||
			a.VehiclePlate != "沪A12345" {
			t.Fatalf("appointment %s = %+v; want a widget booking of inspection at %s, plate 沪A12345", ref, a, startsAt)
		}
		if n := widgetBookings(); n != 1 {
			t.Fatalf("%d bookings through the key, want 1", n)
		}
	})

	t.Run("other site is blocked and books nothing", func(t *testing.T) {
		before := widgetBookings()
		mark := calls.mark()
		// No container on this page: the script adds one after itself.
		open(t, tab, stranger.URL+"/?key="+url.QueryEscape(key))
		if state := widgetState(t, tab); state != "error" {
			t.Fatalf("widget state %q on a site the key does not allow, want error; widget: %s", state, widgetHTML(tab))
		}
		shown := eval[map[string]any](t, tab, inWidgetJS(`({
			alert: r.getElementById("alert-text").textContent,
			formHidden: r.getElementById("form").hidden,
			slots: r.querySelectorAll(".slot").length,
			afterScript: r.host.previousElementSibling?.tagName,
		})`))
		if shown["alert"] == "" || shown["formHidden"] != true || shown["slots"] != 0.0 || shown["afterScript"] != "SCRIPT" {
			t.Fatalf("error state shows %v; want an alert, no form, no slots, in a container after the script", shown)
		}
		got := calls.since(mark)
		if post := find(got, http.MethodPost, key, stranger.URL); len(post) != 0 {
			t.Fatalf("the browser sent operations from a site the key does not allow: %v", post)
		}
		if pre := find(got, http.MethodOptions, key, stranger.URL); len(pre) == 0 || pre[0].AllowOrigin != "" {
			t.Fatalf("want the widget's preflights refused without CORS headers; server saw %v", got)
		}
		if n := widgetBookings(); n != before {
			t.Fatalf("bookings through the key went from %d to %d", before, n)
		}
	})

	t.Run("a lost answer is retried with the same idempotency key", func(t *testing.T) {
		open(t, tab, dealer.URL+"/?container=1&key="+url.QueryEscape(key))
		if state := widgetState(t, tab); state != "ready" {
			t.Fatalf("widget state %q, want ready; widget: %s", state, widgetHTML(tab))
		}
		pickFirstFreeSlot(t, tab, workingDay(4))
		fillIn(t, tab, "13800138001")
		seen := len(bookings.keys())
		bookings.dropNext() // the server books, the answer is lost
		if err := Do(tab, step, chromedp.Click(inWidget("#book"))); err != nil {
			t.Fatal(err)
		}
		if state := widgetState(t, tab, "ready"); state != "booked" {
			t.Fatalf("widget state %q after a lost answer, want booked; widget: %s", state, widgetHTML(tab))
		}
		ref := eval[string](t, tab, inWidgetJS(`r.getElementById("reference").textContent`))
		keys := bookings.keys()[seen:]
		if len(keys) != 2 || keys[0] != keys[1] || len(keys[0]) < 8 {
			t.Fatalf("requestBooking idempotency keys %q; want the same key twice", keys)
		}
		a, err := api.Client.Appointment.Query().Where(appointment.IdempotencyKey(keys[0])).Only(apitest.SystemCtx())
		if err != nil || a.Reference != ref {
			t.Fatalf("bookings with key %s: %v, %v; want one, %s", keys[0], a, err, ref)
		}
	})

	t.Run("field error, then a slot just taken", func(t *testing.T) {
		// One unit per slot, so one booking fills a slot.
		if res := api.Do(api.StaffToken(staff.RoleServiceManager, 0),
			`mutation($s: ID!) { setBookingSettings(dealershipID: $s, input: {capacity: [{pool: "bay", units: 1}, {pool: "advisor", units: 1}]}) { id } }`,
			map[string]any{"s": strconv.Itoa(store.ID)}); len(res.Errors) > 0 {
			t.Fatalf("setBookingSettings: %+v", res.Errors)
		}
		open(t, tab, dealer.URL+"/?container=1&key="+url.QueryEscape(key))
		if state := widgetState(t, tab); state != "ready" {
			t.Fatalf("widget state %q, want ready; widget: %s", state, widgetHTML(tab))
		}
		taken := pickFirstFreeSlot(t, tab, workingDay(5))
		before := widgetBookings()

		fillIn(t, tab, "12345") // not a phone number
		if err := Do(tab, step, chromedp.Click(inWidget("#book"))); err != nil {
			t.Fatal(err)
		}
		msg := poll[string](t, tab, inWidgetJS(`r && r.getElementById("phone-err").textContent`))
		if invalid := eval[string](t, tab, inWidgetJS(`r.getElementById("phone").getAttribute("aria-invalid")`)); invalid != "true" {
			t.Fatalf("phone error %q shown, but aria-invalid is %q", msg, invalid)
		}

		// Someone else takes the slot while the customer fixes the number.
		res := api.DoWidget(key, `mutation($in: WidgetBookingInput!) { requestBooking(input: $in) { reference } }`,
			map[string]any{"in": map[string]any{"name": "Zhang Wei", "phone": "+8613700000001", "plate": "沪B54321",
				"serviceType": "inspection", "startsAt": taken, "consentService": true, "idempotencyKey": "browsertest-rival"}})
		if len(res.Errors) > 0 {
			t.Fatalf("rival booking: %+v", res.Errors)
		}
		if err := Do(tab, step,
			chromedp.Clear(inWidget("#phone")),
			chromedp.SendKeys(inWidget("#phone"), "13800138002"),
			chromedp.Click(inWidget("#book")),
		); err != nil {
			t.Fatal(err)
		}
		msg = poll[string](t, tab, inWidgetJS(`r && r.getElementById("startsAt-err").textContent`))
		if !strings.Contains(msg, "just taken") {
			t.Fatalf("slot error %q, want the just-taken message", msg)
		}
		// The slots were refreshed: the taken one is now disabled, none picked.
		slot := eval[map[string]any](t, tab, inWidgetJS(fmt.Sprintf(`({
			disabled: [...r.querySelectorAll(".slot")].find(b => Date.parse(b.dataset.startsAt) === %d)?.disabled,
			pressed: r.querySelectorAll('.slot[aria-pressed="true"]').length,
			phoneErr: r.getElementById("phone-err").textContent,
		})`, taken.UnixMilli())))
		if slot["disabled"] != true || slot["pressed"] != 0.0 || slot["phoneErr"] != "" {
			t.Fatalf("after SLOT_FULL: %v; want the taken slot disabled, none picked, the phone error gone", slot)
		}

		if err := Do(tab, step,
			chromedp.Click(inWidget(`#startsAt .slot:not(:disabled)`)),
			chromedp.Click(inWidget("#book")),
		); err != nil {
			t.Fatal(err)
		}
		if state := widgetState(t, tab, "ready"); state != "booked" {
			t.Fatalf("widget state %q after picking another slot, want booked; widget: %s", state, widgetHTML(tab))
		}
		if n := widgetBookings(); n != before+2 {
			t.Fatalf("bookings through the key went from %d to %d, want the rival's and the widget's", before, n)
		}
	})

	t.Run("demo page", func(t *testing.T) {
		// The demo page is on the API's origin, so its key must allow it.
		demoKey, _, err := widgetkeys.Create(apitest.SystemCtx(), api.Client, store.ID, "demo", []string{front.URL}, 0)
		if err != nil {
			t.Fatal(err)
		}
		open(t, tab, front.URL+"/widget/"+demoKey+"/demo")
		if state := widgetState(t, tab); state != "ready" {
			t.Fatalf("demo page: widget state %q, want ready; widget: %s", state, widgetHTML(tab))
		}
		// The page's strict CSP (no inline styles but its own, by hash)
		// lets both the page's and the widget's styles apply.
		styles := eval[map[string]any](t, tab, inWidgetJS(`({
			page: getComputedStyle(document.body).maxWidth,
			widget: getComputedStyle(r.getElementById("book")).backgroundColor,
		})`))
		if styles["page"] != "704px" || styles["widget"] != "rgb(47, 111, 222)" {
			t.Fatalf("computed styles %v: the page's or the widget's stylesheet did not apply", styles)
		}
	})
}

// workingDay is a Monday-to-Saturday date at least days ahead in the demo
// stores' zone, as YYYY-MM-DD.
func workingDay(days int) string {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Now().In(shanghai).AddDate(0, 0, days)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(time.DateOnly)
}

// pickFirstFreeSlot chooses an inspection on date in the widget, clicks
// the first free slot and returns its start.
func pickFirstFreeSlot(t *testing.T, tab context.Context, date string) time.Time {
	t.Helper()
	// The day first: with no service chosen, it loads nothing.
	if got := choose(t, tab, "date", date); got != date {
		t.Fatalf("date input holds %q, want %q", got, date)
	}
	if got := choose(t, tab, "serviceType", "inspection"); got != "inspection" {
		t.Fatalf("service select holds %q, want inspection (options: %s)", got,
			eval[string](t, tab, inWidgetJS(`[...r.getElementById("serviceType").options].map(o => o.value).join(",")`)))
	}
	firstFree := inWidget(`#startsAt .slot:not(:disabled)`)
	if err := Do(tab, step, chromedp.WaitVisible(firstFree)); err != nil {
		t.Fatalf("no free slot shown: %v; widget: %s", err, widgetHTML(tab))
	}
	startsAt, err := time.Parse(time.RFC3339, eval[string](t, tab, inWidgetJS(`r.querySelector("#startsAt .slot:not(:disabled)").dataset.startsAt`)))
	if err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	if got := startsAt.In(shanghai).Format(time.DateOnly); got != date {
		t.Fatalf("first slot %s is not on %s", startsAt, date)
	}
	if err := Do(tab, step, chromedp.Click(firstFree)); err != nil {
		t.Fatal(err)
	}
	if pressed := eval[string](t, tab, inWidgetJS(`r.querySelector('.slot[aria-pressed="true"]')?.dataset.startsAt`)); pressed != startsAt.Format(time.RFC3339) {
		t.Fatalf("picked slot %q, want %s", pressed, startsAt.Format(time.RFC3339))
	}
	return startsAt
}

// fillIn types the customer's details and ticks the consent box.
func fillIn(t *testing.T, tab context.Context, phone string) {
	t.Helper()
	if err := Do(tab, step,
		chromedp.SendKeys(inWidget("#name"), "Li Lei"),
		chromedp.SendKeys(inWidget("#phone"), phone),
		chromedp.SendKeys(inWidget("#plate"), "沪A12345"),
		chromedp.Click(inWidget("#consentService")),
	); err != nil {
		t.Fatalf("fill in: %v; widget: %s", err, widgetHTML(tab))
	}
}

// bookingTap notes the idempotency key of every requestBooking that
// reaches the API and, when told, loses the API's answer to one, as a
// gateway that timed out would: the booking is made, but the browser gets
// a 502 without CORS headers, which fetch reports as a network error. (A
// dropped connection would not do: Chromium itself resends a POST whose
// reused connection closes without an answer, hiding the widget's retry.)
type bookingTap struct {
	mu   sync.Mutex
	drop bool
	seen []string
}

func (b *bookingTap) dropNext() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop = true
}

func (b *bookingTap) keys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.seen)
}

func (b *bookingTap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/graphql") {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var op struct {
			Query     string
			Variables struct {
				In struct{ IdempotencyKey string }
			}
		}
		_ = json.Unmarshal(body, &op)
		if !strings.Contains(op.Query, "requestBooking") {
			next.ServeHTTP(w, r)
			return
		}
		b.mu.Lock()
		b.seen = append(b.seen, op.Variables.In.IdempotencyKey)
		drop := b.drop
		b.drop = false
		b.mu.Unlock()
		if drop {
			next.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostSite serves a third-party page that embeds the widget of the key in
// its query string, from the API at api, with a stylesheet that would hide
// every control of a widget that were not in a Shadow DOM.
func hostSite(t *testing.T, api string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = hostPage.Execute(w, map[string]any{
			"Script":    api + "/widget/" + url.PathEscape(r.URL.Query().Get("key")) + "/embed.js",
			"Container": r.URL.Query().Get("container") == "1",
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

var hostPage = template.Must(template.New("host").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour Motors</title><link rel="icon" href="data:,">
<style>button, input, select, label { display: none !important; } p { color: red; }</style>
</head><body>
<h1>Harbour Motors: book your service</h1>
{{if .Container}}<div id="aftercare-booking"></div>{{end}}
<script src="{{.Script}}" async></script>
<p>Footer</p>
</body></html>`))

// open navigates the tab to u.
func open(t *testing.T, tab context.Context, u string) {
	t.Helper()
	if err := Do(tab, step, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
}

// widgetRoot is a JS expression for the widget's (open) shadow root.
const widgetRoot = `document.querySelector("#aftercare-booking")?.shadowRoot`

// inWidget selects the first element matching css inside the widget.
func inWidget(css string) chromedp.JSPath {
	return chromedp.JSPath(widgetRoot + `?.querySelector(` + strconv.Quote(css) + `)`)
}

// inWidgetJS wraps expr, which may use r for the shadow root, into an
// expression.
func inWidgetJS(expr string) string {
	return `(() => { const r = ` + widgetRoot + `; return (` + expr + `); })()`
}

func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := Run(tab, step, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// poll waits until expr is truthy and returns its value.
func poll[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := Run(tab, step, chromedp.Poll[T](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(step)))
	if err != nil {
		t.Fatalf("wait for %s: %v; widget: %s", expr, err, widgetHTML(tab))
	}
	return v
}

// widgetState waits until the widget's state is neither loading nor one of
// also, and returns it: ready, error or booked.
func widgetState(t *testing.T, tab context.Context, also ...string) string {
	t.Helper()
	skip, _ := json.Marshal(append([]string{"loading"}, also...))
	expr := inWidgetJS(fmt.Sprintf(`r && !%s.includes(r.querySelector(".w").dataset.state) && r.querySelector(".w").dataset.state`, skip))
	return poll[string](t, tab, expr)
}

// choose sets a select or input of the widget as a user would and returns
// the value it then holds.
func choose(t *testing.T, tab context.Context, id, value string) string {
	t.Helper()
	return eval[string](t, tab, inWidgetJS(fmt.Sprintf(
		`((el) => { el.value = %s; el.dispatchEvent(new Event("change", {bubbles: true})); return el.value; })(r.getElementById(%s))`,
		strconv.Quote(value), strconv.Quote(id))))
}

// widgetHTML is the widget's markup, for failure messages.
func widgetHTML(tab context.Context) string {
	html, err := Run(tab, 2*time.Second, chromedp.Evaluate[string](inWidgetJS(`r ? r.innerHTML : "(no widget)"`)))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return html
}
