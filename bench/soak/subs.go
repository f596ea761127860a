package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	progressSub = `subscription($id: ID!, $after: Int) { workOrderProgress(workOrderID: $id, after: $after) { seq toStatus } }`
	boardSub    = `subscription($s: ID!) { storeBoard(dealershipID: $s) { id status lastEventSeq } }`
)

// watchers are the live subscriptions of the soak: each owner of a watched
// work order follows it (resuming with after = last seq if the socket
// drops, as the app does), and each store's advisor and service manager
// watch its board. They record what they got, for the lost-event check.
type watchers struct {
	base     string // ws://127.0.0.1:port/graphql
	owners   []*ownerWatch
	boards   []*boardWatch
	wg       sync.WaitGroup
	received atomic.Int64 // events and board rows
	errs     atomic.Int64 // error payloads, refused subscriptions
	resumes  atomic.Int64 // reconnections after a dropped socket
	mu       sync.Mutex
	firstErr string
}

type ownerWatch struct {
	w                     *watchedOrder
	mu                    sync.Mutex
	last, dups, gaps, got int
}

type boardWatch struct {
	store int64
	token string
	mu    sync.Mutex
	seqs  map[int64]int // highest lastEventSeq seen per work order
}

func (ws *watchers) fail(err error) {
	ws.errs.Add(1)
	ws.mu.Lock()
	if ws.firstErr == "" {
		ws.firstErr = err.Error()
	}
	ws.mu.Unlock()
}

// start opens every subscription and returns once each has answered (owner:
// its stored last event; board: connection acknowledged and subscribed).
func (ws *watchers) start(ctx context.Context, f *fixture, boardsPerStore int) error {
	ready := make(chan error, len(f.watched)+len(f.stores)*boardsPerStore)
	for _, w := range f.watched {
		o := &ownerWatch{w: w, last: w.baseline - 1}
		ws.owners = append(ws.owners, o)
		ws.wg.Go(func() { ws.follow(ctx, w.ownerToken, o, nil, ready) })
	}
	for _, st := range f.stores {
		for i := range boardsPerStore {
			tok := st.advisor
			if i%2 == 1 {
				tok = st.manager
			}
			b := &boardWatch{store: st.ID, token: tok, seqs: map[int64]int{}}
			ws.boards = append(ws.boards, b)
			ws.wg.Go(func() { ws.follow(ctx, tok, nil, b, ready) })
		}
	}
	n := len(ws.owners) + len(ws.boards)
	timeout := time.After(60 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case err := <-ready:
			if err != nil {
				return err
			}
		case <-timeout:
			return fmt.Errorf("subscriptions: %d of %d answered within 60 s", i, n)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// follow keeps one subscription open until ctx ends, resubscribing after a
// dropped socket.
func (ws *watchers) follow(ctx context.Context, token string, o *ownerWatch, b *boardWatch, ready chan<- error) {
	first := true
	for ctx.Err() == nil {
		err := ws.session(ctx, token, o, b, func(err error) {
			if first {
				first = false
				ready <- err
			}
		})
		if ctx.Err() != nil {
			return
		}
		if first {
			first = false
			ready <- err
			return
		}
		ws.resumes.Add(1)
		if err != nil {
			ws.fail(fmt.Errorf("subscription dropped: %w", err))
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// session is one websocket connection with one subscription.
func (ws *watchers) session(ctx context.Context, token string, o *ownerWatch, b *boardWatch, answered func(error)) error {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	conn, _, err := websocket.Dial(dctx, ws.base, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	cancel()
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	if err := writeJSON(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]string{"authorization": "Bearer " + token}}); err != nil {
		return err
	}
	var sub map[string]any
	if o != nil {
		o.mu.Lock()
		after := o.last
		o.mu.Unlock()
		sub = map[string]any{"query": progressSub, "variables": map[string]any{"id": idStr(o.w.ID), "after": max(after, 0)}}
	} else {
		sub = map[string]any{"query": boardSub, "variables": map[string]any{"s": idStr(b.store)}}
	}
	for {
		_, raw, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read: %w", err)
		}
		var m wsMsg
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("message is not JSON: %.100s", raw)
		}
		switch m.Type {
		case "connection_ack":
			if err := writeJSON(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": sub}); err != nil {
				return err
			}
			if b != nil {
				answered(nil) // a board answers only when something changes
			}
		case "ping":
			_ = writeJSON(ctx, conn, map[string]any{"type": "pong"})
		case "pong":
		case "next":
			var p struct {
				Data struct {
					WorkOrderProgress *struct{ Seq int } `json:"workOrderProgress"`
					StoreBoard        *struct {
						ID           string
						LastEventSeq int
					} `json:"storeBoard"`
				} `json:"data"`
				Errors []gqlError `json:"errors"`
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
				ws.fail(fmt.Errorf("subscription error: %s", m.Payload))
				continue
			}
			ws.received.Add(1)
			if e := p.Data.WorkOrderProgress; e != nil && o != nil {
				o.mu.Lock()
				switch {
				case e.Seq <= o.last:
					o.dups++
				case e.Seq > o.last+1 && o.last >= 0:
					o.gaps += e.Seq - o.last - 1
				}
				o.last = max(o.last, e.Seq)
				o.got++
				o.mu.Unlock()
				answered(nil)
			}
			if r := p.Data.StoreBoard; r != nil && b != nil {
				id, _ := strconv.ParseInt(r.ID, 10, 64)
				b.mu.Lock()
				b.seqs[id] = max(b.seqs[id], r.LastEventSeq)
				b.mu.Unlock()
			}
		case "error", "complete", "connection_error":
			err := fmt.Errorf("subscription %s: %s", m.Type, m.Payload)
			ws.fail(err)
			answered(err)
			return nil
		}
	}
}

func writeJSON(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, b)
}

// subCheck is the end-of-run comparison with the database.
type subCheck struct {
	Orders, Expected, Received, Lost, Dups, Gaps int
	Boards, BoardsBehind                         int
}

func (ws *watchers) check(final map[int64]int) subCheck {
	var c subCheck
	c.Orders = len(ws.owners)
	for _, o := range ws.owners {
		o.mu.Lock()
		want := final[o.w.ID]
		c.Expected += want - o.w.baseline
		c.Received += o.got - 1 // the first one is the stored event we asked for
		if o.last < want {
			c.Lost += want - o.last
		}
		c.Dups += o.dups
		c.Gaps += o.gaps
		o.mu.Unlock()
	}
	c.Boards = len(ws.boards)
	for _, b := range ws.boards {
		b.mu.Lock()
		behind := false
		for _, o := range ws.owners {
			if o.w.Store == b.store && final[o.w.ID] > o.w.baseline && b.seqs[o.w.ID] != final[o.w.ID] {
				behind = true
			}
		}
		b.mu.Unlock()
		if behind {
			c.BoardsBehind++
		}
	}
	return c
}

func wsURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/graphql"
}
