// Package fcmfake is a fake Firebase Cloud Messaging HTTP v1 server on
// loopback, for tests that drive the real Firebase Admin SDK.
//
// It serves POST /v1/projects/{project}/messages:send, the request the SDK
// makes once per message (Send, and every message of SendEach), records
// accepted messages, and lets a test inject per-token faults or take the
// whole server down. Errors use the FCM v1 format the SDK parses: a
// google.rpc.Status envelope whose details carry
// type.googleapis.com/google.firebase.fcm.v1.FcmError{errorCode}.
//
//	srv := fcmfake.New()
//	defer srv.Close()
//	srv.FailToken("dead", fcmfake.Unregistered())
//	sender, _ := notify.NewFCMSender(ctx, notify.FCMConfig{ProjectID: "p"}, srv.ClientOptions()...)
//
// Note the SDK itself retries network errors and 503 responses (up to 4
// retries with 0s, 1s, 2s, 4s delays, or Retry-After when longer and at most
// 2 minutes). Use Fault.Times to see a message recover, or a RetryAfter above
// 2 minutes on a 503 to make the SDK give up at once.
package fcmfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
)

// Fault is an injected failure.
type Fault struct {
	// HTTPStatus of the error response (e.g. 404).
	HTTPStatus int
	// Status is the google.rpc status string (e.g. "NOT_FOUND").
	Status string
	// ErrorCode is the FcmError errorCode (e.g. "UNREGISTERED"); empty omits
	// the FcmError detail.
	ErrorCode string
	// Message is the human-readable error message.
	Message string
	// TokenViolation adds a google.rpc.BadRequest detail with a field
	// violation on "message.token", as FCM does for malformed tokens.
	TokenViolation bool
	// RetryAfter, if positive, is sent as a Retry-After header (whole seconds,
	// rounded up).
	RetryAfter time.Duration
	// HangUp closes the connection without any response (a network error
	// for the client); the other fields are then ignored.
	HangUp bool
	// Times is how many requests fail before the fault clears; 0 = forever.
	Times int
}

// Limit returns f failing only n times, then succeeding.
func (f Fault) Limit(n int) Fault { f.Times = n; return f }

// Unregistered is FCM's answer for an uninstalled app / expired token (404).
func Unregistered() Fault {
	return Fault{HTTPStatus: http.StatusNotFound, Status: "NOT_FOUND", ErrorCode: "UNREGISTERED",
		Message: "Requested entity was not found."}
}

// SenderIDMismatch is FCM's answer for a token of another project (403).
func SenderIDMismatch() Fault {
	return Fault{HTTPStatus: http.StatusForbidden, Status: "PERMISSION_DENIED", ErrorCode: "SENDER_ID_MISMATCH",
		Message: "SenderId mismatch"}
}

// QuotaExceeded is FCM's throttling answer (429) with a Retry-After header.
func QuotaExceeded(retryAfter time.Duration) Fault {
	return Fault{HTTPStatus: http.StatusTooManyRequests, Status: "RESOURCE_EXHAUSTED", ErrorCode: "QUOTA_EXCEEDED",
		Message: "Quota exceeded for quota metric 'Number of messages'.", RetryAfter: retryAfter}
}

// Unavailable is FCM overloaded (503). The SDK retries it by itself.
func Unavailable() Fault {
	return Fault{HTTPStatus: http.StatusServiceUnavailable, Status: "UNAVAILABLE", ErrorCode: "UNAVAILABLE",
		Message: "The service is currently unavailable."}
}

// Internal is an FCM internal error (500). The SDK does not retry it.
func Internal() Fault {
	return Fault{HTTPStatus: http.StatusInternalServerError, Status: "INTERNAL", ErrorCode: "INTERNAL",
		Message: "Internal error encountered."}
}

// InvalidToken is FCM's answer for a malformed registration token (400).
func InvalidToken() Fault {
	return Fault{HTTPStatus: http.StatusBadRequest, Status: "INVALID_ARGUMENT", ErrorCode: "INVALID_ARGUMENT",
		Message: "The registration token is not a valid FCM registration token", TokenViolation: true}
}

// InvalidArgument is a generic payload error (400).
func InvalidArgument(msg string) Fault {
	return Fault{HTTPStatus: http.StatusBadRequest, Status: "INVALID_ARGUMENT", ErrorCode: "INVALID_ARGUMENT", Message: msg}
}

// HangUp drops the connection without a response.
func HangUp() Fault { return Fault{HangUp: true} }

// Received is one message the fake accepted.
type Received struct {
	Project      string
	MessageID    string
	Message      messaging.Message // decoded with the SDK's own JSON mapping
	Raw          json.RawMessage   // the "message" object as sent on the wire
	ValidateOnly bool
	// Authorized reports whether the request carried an Authorization header.
	Authorized bool
}

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	faults   map[string]*Fault
	down     *Fault
	latency  time.Duration
	record   bool
	received []Received
	attempts map[string]int
	requests int
	nextID   uint64
}

// New starts a fake on 127.0.0.1 with an ephemeral port.
func New() *Server {
	s := &Server{faults: map[string]*Fault{}, attempts: map[string]int{}, record: true}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", s.handleSend)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.count("")
		writeError(w, Fault{HTTPStatus: http.StatusNotFound, Status: "NOT_FOUND",
			Message: fmt.Sprintf("fcmfake: no handler for %s %s (use Server.Endpoint() as the SDK endpoint)", r.Method, r.URL.Path)})
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// Close shuts the server down, closing open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the value for option.WithEndpoint / FCM_ENDPOINT: URL()+"/v1",
// mirroring the SDK default "https://fcm.googleapis.com/v1".
func (s *Server) Endpoint() string { return s.srv.URL + "/v1" }

// ClientOptions are the SDK options that point a client at this fake
// without credentials.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.Endpoint()), option.WithoutAuthentication()}
}

// FailToken makes requests for token fail with f (replacing an earlier fault).
func (s *Server) FailToken(token string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[token] = &f
}

// ClearToken removes the fault for token.
func (s *Server) ClearToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, token)
}

// SetDown makes every request fail with f (e.g. Unavailable(), HangUp())
// until SetUp. It takes precedence over per-token faults.
func (s *Server) SetDown(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = &f
}

// SetUp ends down mode.
func (s *Server) SetUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = nil
}

// SetLatency delays every response by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetRecording turns recording of accepted messages on (default) or off
// (for benchmarks).
func (s *Server) SetRecording(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record = on
}

// Received returns a copy of the accepted messages in arrival order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.received))
	copy(out, s.received)
	return out
}

// ReceivedFor returns the accepted messages addressed to token.
func (s *Server) ReceivedFor(token string) []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Received
	for _, r := range s.received {
		if r.Message.Token == token {
			out = append(out, r)
		}
	}
	return out
}

// Attempts is how many send requests (successful or not) named token.
// Requests the server did not decode (down mode) are not counted per token.
func (s *Server) Attempts(token string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[token]
}

// Requests is the total number of HTTP requests served, including failures.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Reset clears recorded messages, counters, faults, down mode and latency.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = nil
	s.attempts = map[string]int{}
	s.faults = map[string]*Fault{}
	s.requests = 0
	s.down = nil
	s.latency = 0
}

func (s *Server) count(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if token != "" {
		s.attempts[token]++
	}
}

// take returns the fault to apply (down mode first, then the token's),
// consuming one use of a count-limited fault.
func (s *Server) take(token string, downOnly bool) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return consume(&s.down), true
	}
	if downOnly {
		return Fault{}, false
	}
	f, ok := s.faults[token]
	if !ok {
		return Fault{}, false
	}
	out := *f
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, token)
		}
	}
	return out, true
}

func consume(pf **Fault) Fault {
	f := **pf
	if f.Times > 0 {
		(*pf).Times--
		if (*pf).Times == 0 {
			*pf = nil
		}
	}
	return f
}

type sendRequest struct {
	ValidateOnly bool            `json:"validate_only"`
	Message      json.RawMessage `json:"message"`
}

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}

	if f, ok := s.take("", true); ok {
		s.count("")
		s.fail(w, f)
		return
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.count("")
		writeError(w, InvalidArgument("fcmfake: cannot read body"))
		return
	}
	var req sendRequest
	var msg messaging.Message
	if err := json.Unmarshal(body, &req); err != nil || len(req.Message) == 0 {
		s.count("")
		writeError(w, InvalidArgument("Invalid JSON payload received."))
		return
	}
	if err := json.Unmarshal(req.Message, &msg); err != nil {
		s.count("")
		writeError(w, InvalidArgument("Invalid JSON payload received: "+err.Error()))
		return
	}
	s.count(msg.Token)

	if msg.Token == "" && msg.Topic == "" && msg.Condition == "" {
		writeError(w, InvalidArgument("Recipient of the message is not set."))
		return
	}
	for k := range msg.Data {
		if k == "from" || k == "message_type" || strings.HasPrefix(k, "google") || strings.HasPrefix(k, "gcm") {
			writeError(w, InvalidArgument("Invalid data payload key: "+k))
			return
		}
	}
	if f, ok := s.take(msg.Token, false); ok {
		s.fail(w, f)
		return
	}

	project := r.PathValue("project")
	s.mu.Lock()
	s.nextID++
	id := fmt.Sprintf("projects/%s/messages/0:%d%%fake", project, s.nextID)
	if s.record {
		s.received = append(s.received, Received{
			Project:      project,
			MessageID:    id,
			Message:      msg,
			Raw:          append(json.RawMessage(nil), req.Message...),
			ValidateOnly: req.ValidateOnly,
			Authorized:   r.Header.Get("Authorization") != "",
		})
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": id})
}

func (s *Server) fail(w http.ResponseWriter, f Fault) {
	if f.HangUp {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // aborts the response without writing it
	}
	writeError(w, f)
}

type detail struct {
	Type            string           `json:"@type"`
	ErrorCode       string           `json:"errorCode,omitempty"`
	FieldViolations []fieldViolation `json:"fieldViolations,omitempty"`
}

type fieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

func writeError(w http.ResponseWriter, f Fault) {
	status := f.HTTPStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	rpcStatus := f.Status
	if rpcStatus == "" {
		rpcStatus = "UNKNOWN"
	}
	details := []detail{}
	if f.ErrorCode != "" {
		details = append(details, detail{Type: "type.googleapis.com/google.firebase.fcm.v1.FcmError", ErrorCode: f.ErrorCode})
	}
	if f.TokenViolation {
		details = append(details, detail{Type: "type.googleapis.com/google.rpc.BadRequest",
			FieldViolations: []fieldViolation{{Field: "message.token", Description: f.Message}}})
	}
	var env struct {
		Error struct {
			Code    int      `json:"code"`
			Message string   `json:"message"`
			Status  string   `json:"status"`
			Details []detail `json:"details,omitempty"`
		} `json:"error"`
	}
	env.Error.Code = status
	env.Error.Message = f.Message
	env.Error.Status = rpcStatus
	env.Error.Details = details

	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(f.RetryAfter.Seconds())), 10))
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}
