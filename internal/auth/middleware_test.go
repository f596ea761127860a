package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// stubVerifier returns a fixed result, for paths the local signer cannot
// produce (a verifier that cannot decide).
type stubVerifier struct {
	id  *Identity
	err error
}

func (s stubVerifier) Verify(context.Context, string) (*Identity, error) { return s.id, s.err }

// recordingResolver resolves through NewViewer and remembers what it saw.
type recordingResolver struct {
	mu    sync.Mutex
	calls []Identity
	// override, when set, replaces the result.
	override func(*Identity) (*Viewer, error)
}

func (r *recordingResolver) Resolve(_ context.Context, id *Identity) (*Viewer, error) {
	r.mu.Lock()
	r.calls = append(r.calls, *id)
	r.mu.Unlock()
	if r.override != nil {
		return r.override(id)
	}
	v := NewViewer(id)
	if v.IsStaff() {
		v.StaffID = 11
	} else {
		v.OwnerID = 21
	}
	return v, nil
}

type harness struct {
	t        *testing.T
	handler  http.Handler
	resolver *recordingResolver
	logs     *bytes.Buffer
	seen     *Viewer // viewer the protected handler saw; nil if not reached
}

func newHarness(t *testing.T, verifiers ...Verifier) *harness {
	h := &harness{t: t, resolver: &recordingResolver{}, logs: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.seen = FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	h.handler = Middleware(verifiers, h.resolver, logger)(next)
	return h
}

func (h *harness) do(authorization string) *httptest.ResponseRecorder {
	h.t.Helper()
	h.seen = nil
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec
}

// wantError checks the GraphQL-shaped error body and that it carries no
// more than the fixed message and code.
func (h *harness) wantError(rec *httptest.ResponseRecorder, status int, code string) {
	h.t.Helper()
	if rec.Code != status {
		h.t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if h.seen != nil {
		h.t.Fatal("protected handler ran after a failed authentication")
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		h.t.Errorf("Content-Type = %q", ct)
	}
	var body struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		h.t.Fatalf("body is not JSON: %v: %s", err, rec.Body)
	}
	if len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != code || len(body.Errors[0].Extensions) != 1 {
		h.t.Fatalf("body = %s, want one error with code %s", rec.Body, code)
	}
	for _, leak := range []string{"auth:", "local", "signature", "firebase", "expired at", "issuer"} {
		if strings.Contains(strings.ToLower(body.Errors[0].Message), leak) {
			h.t.Errorf("client message %q reveals %q", body.Errors[0].Message, leak)
		}
	}
}

func TestMiddlewareNoHeaderIsAnonymous(t *testing.T) {
	h := newHarness(t, newTestSigner(testSecret, testIssuer, time.Now()))
	rec := h.do("")
	if rec.Code != http.StatusNoContent || h.seen == nil || !h.seen.IsAnonymous() {
		t.Fatalf("status %d, viewer %v; want anonymous pass-through", rec.Code, h.seen)
	}
	if len(h.resolver.calls) != 0 {
		t.Fatal("resolver called without a token")
	}
}

func TestMiddlewareOtherSchemePassesThrough(t *testing.T) {
	h := newHarness(t, newTestSigner(testSecret, testIssuer, time.Now()))
	rec := h.do("Basic dXNlcjpwYXNz")
	if rec.Code != http.StatusNoContent || !h.seen.IsAnonymous() {
		t.Fatalf("status %d, viewer %v; want anonymous pass-through", rec.Code, h.seen)
	}
}

func TestMiddlewareGoodToken(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	h := newHarness(t, signer)
	id := Identity{UID: "staff-1", Phone: "+15555550100", Role: RoleServiceManager, DealershipID: 7, DealerGroupID: 3}
	tok, err := signer.Sign(id, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, header := range []string{"Bearer " + tok, "bearer  " + tok + " "} {
		rec := h.do(header)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("%q: status %d: %s", header, rec.Code, rec.Body)
		}
		want := Viewer{Kind: KindStaff, AuthUID: "staff-1", StaffID: 11, Role: RoleServiceManager, DealershipID: 7, DealerGroupID: 3, Phone: "+15555550100"}
		if h.seen == nil || *h.seen != want {
			t.Fatalf("viewer = %#v, want %#v", h.seen, want)
		}
	}
	id.Provider = ProviderLocal
	if len(h.resolver.calls) != 2 || h.resolver.calls[0] != id {
		t.Fatalf("resolver calls = %+v, want 2 with %+v", h.resolver.calls, id)
	}
	if strings.Contains(h.logs.String(), tok) {
		t.Error("token logged")
	}
}

func TestMiddlewareBadToken(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	h := newHarness(t, signer)
	good, err := signer.Sign(Identity{UID: "u"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := newTestSigner(testSecret, testIssuer, time.Now().Add(-time.Hour)).Sign(Identity{UID: "u"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]string{
		"tampered":     "Bearer " + good[:len(good)-4] + "AAAA",
		"expired":      "Bearer " + expired,
		"garbage":      "Bearer garbage",
		"empty bearer": "Bearer ",
		"bare bearer":  "Bearer",
	} {
		t.Run(name, func(t *testing.T) {
			h.logs.Reset()
			rec := h.do(header)
			h.wantError(rec, http.StatusUnauthorized, "UNAUTHENTICATED")
			const wantBody = `{"errors":[{"message":"invalid or expired token","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"
			if rec.Body.String() != wantBody {
				t.Errorf("body = %q, want %q", rec.Body, wantBody)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			// The reason goes to the log, not to the client.
			if !strings.Contains(h.logs.String(), "authentication failed") || !strings.Contains(h.logs.String(), "invalid token") {
				t.Errorf("log lacks the cause: %s", h.logs)
			}
		})
	}
	if len(h.resolver.calls) != 0 {
		t.Fatal("resolver called for a bad token")
	}
}

func TestMiddlewareTriesVerifiersInOrder(t *testing.T) {
	other := NewLocalSigner([]byte("another-secret-another-secret-xyz"), "other")
	signer := NewLocalSigner(testSecret, testIssuer)
	h := newHarness(t, other, signer)
	tok, err := signer.Sign(Identity{UID: "owner-1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if rec := h.do("Bearer " + tok); rec.Code != http.StatusNoContent || !h.seen.IsOwner() || h.seen.OwnerID != 21 {
		t.Fatalf("status %d, viewer %v; want the owner accepted by the second verifier", rec.Code, h.seen)
	}
}

func TestMiddlewareVerifierUnavailable(t *testing.T) {
	down := stubVerifier{err: errors.New("fetching keys: connection refused")}
	h := newHarness(t, NewLocalSigner(testSecret, testIssuer), down)
	rec := h.do("Bearer some.token.value")
	h.wantError(rec, http.StatusServiceUnavailable, "UNAVAILABLE")
	if !strings.Contains(h.logs.String(), "connection refused") || !strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("log lacks the cause at error level: %s", h.logs)
	}
	if strings.Contains(rec.Body.String(), "refused") {
		t.Error("cause leaked to the client")
	}
}

func TestMiddlewareNoVerifiers(t *testing.T) {
	h := newHarness(t)
	h.wantError(h.do("Bearer x"), http.StatusServiceUnavailable, "UNAVAILABLE")
}

func TestMiddlewareResolverOutcomes(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	tok, err := signer.Sign(Identity{UID: "u", Role: RoleTechnician, DealershipID: 1, DealerGroupID: 1}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		result func(*Identity) (*Viewer, error)
		status int
		code   string
	}{
		{"database down", func(*Identity) (*Viewer, error) { return nil, errors.New("db: connection reset") }, 500, "INTERNAL"},
		{"staff disabled", func(*Identity) (*Viewer, error) { return nil, fmt.Errorf("%w: staff disabled", ErrInvalidToken) }, 401, "UNAUTHENTICATED"},
		{"nil viewer", func(*Identity) (*Viewer, error) { return nil, nil }, 500, "INTERNAL"},
		{"system viewer", func(*Identity) (*Viewer, error) { return &Viewer{Kind: KindSystem}, nil }, 500, "INTERNAL"},
		{"widget viewer", func(*Identity) (*Viewer, error) { return &Viewer{Kind: KindWidget}, nil }, 500, "INTERNAL"},
		{"anonymous viewer", func(*Identity) (*Viewer, error) { return &Viewer{}, nil }, 500, "INTERNAL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, signer)
			h.resolver.override = tc.result
			h.wantError(h.do("Bearer "+tok), tc.status, tc.code)
		})
	}
}

// TestMiddlewareOverHTTP runs the middleware behind a real loopback server,
// the way a client meets it.
func TestMiddlewareOverHTTP(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	h := newHarness(t, signer)
	srv := httptest.NewServer(h.handler)
	defer srv.Close()

	tok, err := signer.Sign(Identity{UID: "owner-1", Phone: "+15555550100"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header string
		status int
	}{{"", 204}, {"Bearer " + tok, 204}, {"Bearer " + tok + "x", 401}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("Authorization %.20q: status %d, want %d", tc.header, resp.StatusCode, tc.status)
		}
	}
}
