// Package progress carries live repair progress to subscribers. A change
// publishes a small Event (ids only); subscribers are woken and read what
// is new from the database, which stays the single source of truth. So a
// wake-up can be coalesced, delayed or repeated without losing or
// duplicating anything, and a subscriber that reconnects catches up by
// reading from where it was.
package progress

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// Event says that a work order changed: its newest event number and store.
type Event struct {
	WorkOrderID  int `json:"wo"`
	DealershipID int `json:"store"`
	Seq          int `json:"seq"`
}

// Hub fans events out to this instance's subscribers.
type Hub struct {
	mu      sync.Mutex
	byOrder map[int]map[*Sub]struct{}
	byStore map[int]map[*Sub]struct{}
	// boardReads lets the board subscribers of a store share one read.
	boardReads singleflight.Group
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{byOrder: map[int]map[*Sub]struct{}{}, byStore: map[int]map[*Sub]struct{}{}}
}

// Sub is one subscriber. Wake has room for one signal: many events
// before the subscriber looks coalesce into one wake-up.
type Sub struct {
	Wake chan struct{}

	hub     *Hub
	key     int
	byStore bool
	mu      sync.Mutex
	changed map[int]struct{} // store subscribers: work orders changed since the last Changed
}

// SubscribeOrder wakes the subscriber on every event of one work order.
func (h *Hub) SubscribeOrder(workOrderID int) *Sub {
	return h.add(h.byOrder, workOrderID, false)
}

// SubscribeStore wakes the subscriber on every work-order change of a store.
func (h *Hub) SubscribeStore(dealershipID int) *Sub {
	return h.add(h.byStore, dealershipID, true)
}

func (h *Hub) add(m map[int]map[*Sub]struct{}, key int, byStore bool) *Sub {
	s := &Sub{Wake: make(chan struct{}, 1), hub: h, key: key, byStore: byStore, changed: map[int]struct{}{}}
	h.mu.Lock()
	defer h.mu.Unlock()
	if m[key] == nil {
		m[key] = map[*Sub]struct{}{}
	}
	m[key][s] = struct{}{}
	return s
}

// Close removes the subscriber.
func (s *Sub) Close() {
	h := s.hub
	m := h.byOrder
	if s.byStore {
		m = h.byStore
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(m[s.key], s)
	if len(m[s.key]) == 0 {
		delete(m, s.key)
	}
}

// Changed returns and forgets the work orders changed since the last call
// (store subscribers).
func (s *Sub) Changed() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, 0, len(s.changed))
	for id := range s.changed {
		out = append(out, id)
	}
	clear(s.changed)
	return out
}

func (s *Sub) poke(workOrderID int) {
	if s.byStore && workOrderID != 0 {
		s.mu.Lock()
		s.changed[workOrderID] = struct{}{}
		s.mu.Unlock()
	}
	select {
	case s.Wake <- struct{}{}:
	default: // a wake-up is already pending; it will see this change too
	}
}

// Dispatch wakes the subscribers an event concerns.
func (h *Hub) Dispatch(e Event) {
	h.mu.Lock()
	subs := make([]*Sub, 0, len(h.byOrder[e.WorkOrderID])+len(h.byStore[e.DealershipID]))
	for s := range h.byOrder[e.WorkOrderID] {
		subs = append(subs, s)
	}
	for s := range h.byStore[e.DealershipID] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.poke(e.WorkOrderID)
	}
}

// WakeAll wakes every subscriber, so each re-reads what it may have missed
// (after the cross-instance listener lost its connection). Store
// subscribers are told to reload the whole board (changed id 0).
func (h *Hub) WakeAll() {
	h.mu.Lock()
	var subs []*Sub
	for _, m := range []map[int]map[*Sub]struct{}{h.byOrder, h.byStore} {
		for _, set := range m {
			for s := range set {
				subs = append(subs, s)
			}
		}
	}
	h.mu.Unlock()
	for _, s := range subs {
		if s.byStore {
			s.mu.Lock()
			s.changed[0] = struct{}{}
			s.mu.Unlock()
		}
		s.poke(0)
	}
}

// Count is the number of subscribers, for metrics and tests.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range []map[int]map[*Sub]struct{}{h.byOrder, h.byStore} {
		for _, set := range m {
			n += len(set)
		}
	}
	return n
}
