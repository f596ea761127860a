package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// The documents. Home, day and node are the side-by-side benchmark's
// (bench/compare/queries/aftercare), so the figures can be compared.
const (
	homeDoc = `query Home($now: Time!) { me { owner { id name tier
  vehicles(first: 10) { edges { node { id plate model odometerKm
    appointments(first: 1, where: {startsAtGT: $now, statusIn: [requested, confirmed]}, orderBy: {field: STARTS_AT, direction: ASC}) { edges { node { id startsAt status serviceType } } }
    workOrders(first: 1, where: {statusNotIn: [delivered, cancelled]}, orderBy: {field: OPENED_AT, direction: DESC}) { edges { node { id number status promisedAt
      events(first: 1, orderBy: {field: SEQ, direction: DESC}) { edges { node { seq toStatus message createdAt } } } } } } } } }
  outboxMessages(first: 10, where: {status: pending}, orderBy: {field: SEND_AFTER, direction: ASC}) { edges { node { id kind title sendAfter } } } } } }`
	nodeDoc = `query Node($id: ID!) { node(id: $id) { id ... on Vehicle { vin plate model modelYear odometerKm } } }`
	dayDoc  = `query AdvisorDay($store: ID!, $from: Time!, $to: Time!) {
  appointments(first: 50, where: {dealershipID: $store, startsAtGTE: $from, startsAtLT: $to}, orderBy: {field: STARTS_AT, direction: ASC}) {
    edges { node { id startsAt status serviceType owner { id name } vehicle { id plate model } } } }
  workOrders(first: 50, where: {dealershipID: $store, statusNotIn: [delivered, cancelled]}, orderBy: {field: OPENED_AT, direction: DESC}) {
    edges { node { id number status promisedAt lastEventSeq vehicle { id plate model } } } } }`
	slotsDoc   = `query Slots($s: ID!, $from: Time!, $to: Time!) { availableSlots(dealershipID: $s, serviceType: inspection, from: $from, to: $to) { slots { startsAt available } suggestions { startsAt } } }`
	bookDoc    = `mutation Book($in: WidgetBookingInput!) { requestBooking(input: $in) { reference status startsAt } }`
	findDoc    = `query Find($ref: String!) { appointments(first: 1, where: {reference: $ref}) { edges { node { id status } } } }`
	cancelDoc  = `mutation Cancel($id: ID!) { cancelAppointment(id: $id, reason: "Soak test: the customer called to cancel.") { id status } }`
	advanceDoc = `mutation Advance($in: AdvanceWorkOrderInput!) { advanceWorkOrder(input: $in) { id status lastEventSeq } }`
	statusDoc  = `query Status($id: ID!) { node(id: $id) { ... on WorkOrder { status } } }`
	keyDoc     = `mutation Key($s: ID!) { createWidgetKey(dealershipID: $s, name: "Soak test", allowedOrigins: ["https://soak.example"]) { key } }`
)

// op is one kind of traffic in the mix.
type op struct {
	name   string
	weight int
	run    func(ctx context.Context, r *rand.Rand) error
}

// mix is the traffic: ops picked at random by weight.
type mix struct {
	g     *gql
	f     *fixture
	ops   []op
	total int

	booked   chan booking // widget bookings for the advisors to cancel
	bookings atomic.Int64 // bookings made
	cancels  atomic.Int64
	moves    atomic.Int64 // work-order moves committed
	seq      atomic.Int64 // idempotency keys and phone numbers
	runID    string
}

type booking struct {
	store int64
	ref   string
}

// errSkip is an op that found nothing to do (no booking to cancel, every
// watched order busy); it is not counted.
var errSkip = errors.New("skip")

func newMix(g *gql, f *fixture) *mix {
	m := &mix{g: g, f: f, booked: make(chan booking, 100000), runID: fmt.Sprintf("%x", time.Now().UnixNano())}
	m.ops = []op{
		{"home", 35, m.home},
		{"node", 15, m.node},
		{"day", 10, m.day},
		{"slots", 20, m.slots},
		{"book", 4, m.book},
		{"cancel", 3, m.cancel},
		{"progress", 13, m.progress},
	}
	for _, o := range m.ops {
		m.total += o.weight
	}
	return m
}

func (m *mix) pick(r *rand.Rand) *op {
	n := r.IntN(m.total)
	for i := range m.ops {
		if n < m.ops[i].weight {
			return &m.ops[i]
		}
		n -= m.ops[i].weight
	}
	return &m.ops[len(m.ops)-1]
}

// widgetKeys gives every store a widget key (the group admin makes it).
func (m *mix) widgetKeys(ctx context.Context) error {
	for i := range m.f.stores {
		st := &m.f.stores[i]
		var out struct {
			CreateWidgetKey struct{ Key string }
		}
		if err := m.g.do(ctx, "/graphql", m.f.admin, keyDoc, map[string]any{"s": idStr(st.ID)}, &out); err != nil {
			return fmt.Errorf("createWidgetKey for store %d: %w", st.ID, err)
		}
		st.widgetKey = out.CreateWidgetKey.Key
	}
	return nil
}

func (m *mix) home(ctx context.Context, r *rand.Rand) error {
	o := m.f.randomOwner(r)
	return m.g.do(ctx, "/graphql", o.token, homeDoc, map[string]any{"now": time.Now().UTC()}, nil)
}

func (m *mix) node(ctx context.Context, r *rand.Rand) error {
	o := m.f.randomOwner(r)
	var out struct {
		Node *struct{ ID string }
	}
	if err := m.g.do(ctx, "/graphql", o.token, nodeDoc, map[string]any{"id": idStr(o.Vehicle)}, &out); err != nil {
		return err
	}
	if out.Node == nil {
		return fmt.Errorf("node: the owner's own vehicle %d is null", o.Vehicle)
	}
	return nil
}

func (m *mix) day(ctx context.Context, r *rand.Rand) error {
	st := m.f.randomStore(r)
	from := time.Now().UTC().Truncate(24 * time.Hour)
	return m.g.do(ctx, "/graphql", st.advisor, dayDoc, map[string]any{"store": idStr(st.ID), "from": from, "to": from.Add(24 * time.Hour)}, nil)
}

type slotsOut struct {
	AvailableSlots struct {
		Slots []struct {
			StartsAt  time.Time
			Available bool
		}
	}
}

// slotsOn reads a store's free inspection slots on the day `days` from now.
func (m *mix) slotsOn(ctx context.Context, st *store, days int) (slotsOut, error) {
	from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, days)
	var out slotsOut
	err := m.g.do(ctx, "/widget/"+st.widgetKey+"/graphql", "", slotsDoc,
		map[string]any{"s": idStr(st.ID), "from": from, "to": from.Add(24 * time.Hour)}, &out)
	return out, err
}

func (m *mix) slots(ctx context.Context, r *rand.Rand) error {
	_, err := m.slotsOn(ctx, m.f.randomStore(r), 1+r.IntN(30))
	return err
}

// book is a widget visitor: read a day's slots (days 20-58, clear of the
// home screens' near appointments), book a free one with a new phone number.
func (m *mix) book(ctx context.Context, r *rand.Rand) error {
	st := m.f.randomStore(r)
	for try := 0; try < 3; try++ {
		out, err := m.slotsOn(ctx, st, 20+r.IntN(39))
		if err != nil {
			return err
		}
		var free []time.Time
		for _, s := range out.AvailableSlots.Slots {
			if s.Available {
				free = append(free, s.StartsAt)
			}
		}
		if len(free) == 0 {
			continue // a closed or full day
		}
		n := m.seq.Add(1)
		var res struct {
			RequestBooking struct{ Reference string }
		}
		err = m.g.do(ctx, "/widget/"+st.widgetKey+"/graphql", "", bookDoc, map[string]any{"in": map[string]any{
			"name": "Soak Visitor", "phone": fmt.Sprintf("+86137%08d", (time.Now().UnixNano()/1000+n)%100000000),
			"plate": "沪S" + fmt.Sprintf("%05d", n%100000), "serviceType": "inspection",
			"startsAt": free[r.IntN(len(free))], "consentService": true,
			"idempotencyKey": fmt.Sprintf("soak-%s-%d", m.runID, n)}}, &res)
		if err != nil {
			return err
		}
		m.bookings.Add(1)
		select {
		case m.booked <- booking{store: st.ID, ref: res.RequestBooking.Reference}:
		default:
		}
		return nil
	}
	return errSkip
}

// cancel is an advisor cancelling a widget booking (so the days never fill).
func (m *mix) cancel(ctx context.Context, _ *rand.Rand) error {
	var b booking
	select {
	case b = <-m.booked:
	default:
		return errSkip
	}
	var st *store
	for i := range m.f.stores {
		if m.f.stores[i].ID == b.store {
			st = &m.f.stores[i]
		}
	}
	var found struct {
		Appointments struct {
			Edges []struct{ Node struct{ ID, Status string } }
		}
	}
	if err := m.g.do(ctx, "/graphql", st.advisor, findDoc, map[string]any{"ref": b.ref}, &found); err != nil {
		return err
	}
	if len(found.Appointments.Edges) != 1 {
		return fmt.Errorf("advisor cannot find widget booking %s", b.ref)
	}
	if err := m.g.do(ctx, "/graphql", st.advisor, cancelDoc, map[string]any{"id": found.Appointments.Edges[0].Node.ID}, nil); err != nil {
		return err
	}
	m.cancels.Add(1)
	return nil
}

// progress is the technician moving a watched work order in_repair <->
// waiting_parts; one move per order at a time.
func (m *mix) progress(ctx context.Context, r *rand.Rand) error {
	ws := m.f.watched
	if len(ws) == 0 {
		return errSkip
	}
	start := r.IntN(len(ws))
	for i := 0; i < 8; i++ {
		w := ws[(start+i)%len(ws)]
		select {
		case w.lock <- struct{}{}:
		default:
			continue
		}
		err := m.move(ctx, w)
		<-w.lock
		return err
	}
	return errSkip
}

func (m *mix) move(ctx context.Context, w *watchedOrder) error {
	tech := ""
	for _, st := range m.f.stores {
		if st.ID == w.Store {
			tech = st.technician
		}
	}
	if w.status == "" { // unknown after a failed move: ask
		var out struct {
			Node struct{ Status string }
		}
		if err := m.g.do(ctx, "/graphql", tech, statusDoc, map[string]any{"id": idStr(w.ID)}, &out); err != nil {
			return err
		}
		w.status = out.Node.Status
	}
	to := "waiting_parts"
	if w.status == "waiting_parts" {
		to = "in_repair"
	}
	err := m.g.do(ctx, "/graphql", tech, advanceDoc, map[string]any{"in": map[string]any{"workOrderID": idStr(w.ID), "to": to}}, nil)
	if err != nil {
		w.status = ""
		return err
	}
	w.status = to
	m.moves.Add(1)
	return nil
}
