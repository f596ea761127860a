package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Protocols of GraphQL over websockets.
const (
	TransportWS = "graphql-transport-ws" // the graphql-ws library's protocol
	LegacyWS    = "graphql-ws"           // subscriptions-transport-ws, still used by older apps
)

// Subscription is a real websocket client of one GraphQL subscription.
type Subscription struct {
	t        testing.TB
	conn     *websocket.Conn
	protocol string
	msgs     chan wsMessage
	done     chan struct{}
	// CloseErr is how the server ended the connection, once Next saw it.
	CloseErr error
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Subscribe connects to url (an http:// base URL) with protocol, signs in
// with token in connection_init, and starts query.
func Subscribe(t testing.TB, baseURL, protocol, token, query string, vars map[string]any) (*Subscription, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{protocol}})
	if err != nil {
		return nil, err
	}
	s := &Subscription{t: t, conn: conn, protocol: protocol, msgs: make(chan wsMessage, 64), done: make(chan struct{})}
	init := map[string]any{}
	if token != "" {
		init["authorization"] = "Bearer " + token
	}
	if err := s.send(wsMessage{Type: "connection_init", Payload: mustJSON(init)}); err != nil {
		return nil, err
	}
	go s.read()
	if m, err := s.expect("connection_ack", 5*time.Second); err != nil {
		return nil, fmt.Errorf("connection_init: %v (%s)", err, m.Payload)
	}
	start := "subscribe"
	if protocol == LegacyWS {
		start = "start"
	}
	body := mustJSON(map[string]any{"query": query, "variables": vars})
	if err := s.send(wsMessage{ID: "1", Type: start, Payload: body}); err != nil {
		return nil, err
	}
	t.Cleanup(s.Close)
	return s, nil
}

func (s *Subscription) read() {
	defer close(s.done)
	for {
		var m wsMessage
		if err := wsjson.Read(context.Background(), s.conn, &m); err != nil {
			s.CloseErr = err
			close(s.msgs)
			return
		}
		switch m.Type {
		case "ping":
			_ = s.send(wsMessage{Type: "pong"})
		case "ka", "pong":
		default:
			s.msgs <- m
		}
	}
}

func (s *Subscription) send(m wsMessage) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return wsjson.Write(ctx, s.conn, m)
}

func (s *Subscription) expect(typ string, timeout time.Duration) (wsMessage, error) {
	select {
	case m, ok := <-s.msgs:
		if !ok {
			return m, fmt.Errorf("connection closed: %v", s.CloseErr)
		}
		if m.Type != typ {
			return m, fmt.Errorf("got %s, want %s", m.Type, typ)
		}
		return m, nil
	case <-time.After(timeout):
		return wsMessage{}, fmt.Errorf("no %s within %s", typ, timeout)
	}
}

// Next returns the next result's data, or the GraphQL errors the server
// sent for the subscription, or an error when nothing came in time or the
// connection closed.
func (s *Subscription) Next(timeout time.Duration) (json.RawMessage, []Error, error) {
	select {
	case m, ok := <-s.msgs:
		if !ok {
			return nil, nil, fmt.Errorf("connection closed: %w", s.CloseErr)
		}
		switch m.Type {
		case "next", "data":
			var r Response
			if err := json.Unmarshal(m.Payload, &r); err != nil {
				return nil, nil, err
			}
			return r.Data, r.Errors, nil
		case "error":
			var errs []Error
			if json.Unmarshal(m.Payload, &errs) != nil {
				var one Error
				_ = json.Unmarshal(m.Payload, &one)
				errs = []Error{one}
			}
			return nil, errs, nil
		case "complete":
			return nil, nil, fmt.Errorf("subscription completed")
		}
		return nil, nil, fmt.Errorf("unexpected message %s", m.Type)
	case <-time.After(timeout):
		return nil, nil, fmt.Errorf("nothing within %s", timeout)
	}
}

// Close ends the connection like an app that goes to the background.
func (s *Subscription) Close() {
	_ = s.conn.Close(websocket.StatusNormalClosure, "bye")
	<-s.done
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
