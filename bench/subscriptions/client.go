package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	progressQuery = `subscription($id: ID!, $after: Int) { workOrderProgress(workOrderID: $id, after: $after) { seq toStatus createdAt } }`
	boardQuery    = `subscription($s: ID!) { storeBoard(dealershipID: $s) { id status lastEventSeq updatedAt } }`
)

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// flexID reads a GraphQL ID given as a string or a number.
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	*f = flexID(n)
	return err
}

type nextPayload struct {
	Data struct {
		WorkOrderProgress *struct {
			Seq       int       `json:"seq"`
			ToStatus  string    `json:"toStatus"`
			CreatedAt time.Time `json:"createdAt"`
		} `json:"workOrderProgress"`
		StoreBoard *struct {
			ID           flexID    `json:"id"`
			Status       string    `json:"status"`
			LastEventSeq int       `json:"lastEventSeq"`
			UpdatedAt    time.Time `json:"updatedAt"`
		} `json:"storeBoard"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// delivery is one event received by an owner.
type delivery struct {
	Seq       int
	Recv      time.Time
	CreatedAt time.Time
}

// boardDelivery is one work-order row received by a board.
type boardDelivery struct {
	WO        int64
	Seq       int
	Recv      time.Time
	UpdatedAt time.Time
}

// client is one websocket connection with one subscription. Its records
// are written only by its own goroutine and read after it ended.
type client struct {
	n      int
	board  bool
	wo     watched // owners
	store  int64   // boards
	token  string
	events []delivery
	rows   []boardDelivery

	acked   bool // the subscription answered (owner: its first event)
	failed  bool // it never answered
	err     error
	dialDur time.Duration
	ackDur  time.Duration // dial to first message of the subscription
	errs    int           // error / complete messages
}

// counters the ramp and drain watch while clients run.
type counters struct {
	dialed, connAcked, ownerAcked, boardAcked, failed atomic.Int64
	ownerNext, boardNext, errMsgs                     atomic.Int64
	stopping                                          atomic.Bool // the run is over: a closed connection is no error
}

// run dials, authenticates, subscribes and reads until ctx ends. ready is
// called once the owner's subscription answered, the board's was sent, or
// the client failed (it bounds the connections in flight).
func (cl *client) run(ctx context.Context, wsURL string, cnt *counters, ready func()) {
	released := false
	release := func() {
		if !released {
			released = true
			ready()
		}
	}
	defer release()
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	conn, _, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	cancel()
	if err != nil {
		cl.fail(cnt, fmt.Errorf("dial: %w", err))
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	cnt.dialed.Add(1)
	cl.dialDur = time.Since(start)
	if subproto := conn.Subprotocol(); subproto != "graphql-transport-ws" {
		cl.fail(cnt, fmt.Errorf("server chose subprotocol %q", subproto))
		return
	}
	if err := writeJSON(ctx, conn, map[string]any{"type": "connection_init",
		"payload": map[string]string{"authorization": "Bearer " + cl.token}}); err != nil {
		cl.fail(cnt, fmt.Errorf("connection_init: %w", err))
		return
	}
	// connection_ack, within the server's init timeout.
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	for {
		m, err := readMsg(actx, conn)
		if err != nil {
			cancel()
			cl.fail(cnt, fmt.Errorf("await connection_ack: %w", err))
			return
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type == "ping" {
			_ = writeJSON(ctx, conn, map[string]any{"type": "pong"})
			continue
		}
		cancel()
		cl.fail(cnt, fmt.Errorf("await connection_ack: got %s %s", m.Type, m.Payload))
		return
	}
	cancel()
	cnt.connAcked.Add(1)
	var sub map[string]any
	if cl.board {
		sub = map[string]any{"query": boardQuery, "variables": map[string]any{"s": strconv.FormatInt(cl.store, 10)}}
	} else {
		// Ask for the last event already stored: its arrival proves the
		// subscription is registered (WatchOrder subscribes before reading).
		sub = map[string]any{"query": progressQuery, "variables": map[string]any{
			"id": strconv.FormatInt(cl.wo.ID, 10), "after": max(0, cl.wo.Baseline-1)}}
	}
	if err := writeJSON(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": sub}); err != nil {
		cl.fail(cnt, fmt.Errorf("subscribe: %w", err))
		return
	}
	if cl.board {
		release() // a board answers only when a work order changes: do not hold the ramp
	}
	for {
		m, err := readMsg(ctx, conn)
		if err != nil {
			if ctx.Err() == nil && !cnt.stopping.Load() {
				cl.fail(cnt, fmt.Errorf("read: %w", err))
			}
			return
		}
		recv := time.Now()
		switch m.Type {
		case "next":
			var p nextPayload
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				cl.errs++
				cnt.errMsgs.Add(1)
				continue
			}
			if len(p.Errors) > 0 {
				cl.errs++
				cnt.errMsgs.Add(1)
				if cl.err == nil {
					cl.err = errors.New(p.Errors[0].Message)
				}
				continue
			}
			if e := p.Data.WorkOrderProgress; e != nil {
				cl.events = append(cl.events, delivery{Seq: e.Seq, Recv: recv, CreatedAt: e.CreatedAt})
				if e.Seq > cl.wo.Baseline {
					cnt.ownerNext.Add(1)
				}
			}
			if r := p.Data.StoreBoard; r != nil {
				cl.rows = append(cl.rows, boardDelivery{WO: int64(r.ID), Seq: r.LastEventSeq, Recv: recv, UpdatedAt: r.UpdatedAt})
				cnt.boardNext.Add(1)
			}
			if !cl.acked {
				cl.acked = true
				cl.ackDur = time.Since(start)
				if cl.board {
					cnt.boardAcked.Add(1)
				} else {
					cnt.ownerAcked.Add(1)
				}
				release()
			}
		case "ping":
			_ = writeJSON(ctx, conn, map[string]any{"type": "pong"})
		case "pong":
		case "error", "complete":
			cl.errs++
			cnt.errMsgs.Add(1)
			cl.fail(cnt, fmt.Errorf("%s: %s", m.Type, m.Payload))
			if m.Type == "complete" || !cl.acked {
				return
			}
		}
	}
}

// fail records the first error; a client that never answered counts as failed.
func (cl *client) fail(cnt *counters, err error) {
	if cl.err == nil {
		cl.err = err
	}
	if !cl.acked && !cl.failed {
		cl.failed = true
		cnt.failed.Add(1)
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

func readMsg(ctx context.Context, c *websocket.Conn) (wsMsg, error) {
	var m wsMsg
	_, b, err := c.Read(ctx)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// pool of clients plus what they share.
type fleet struct {
	clients []*client
	cnt     counters
	wg      sync.WaitGroup
}
