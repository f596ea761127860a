// Package apitest runs the real API in-process for integration tests: the
// same app.New wiring as `aftercare serve`, on a real database (see
// testenv), behind a real HTTP listener on loopback, seeded with the demo
// data. Tests talk to it only through HTTP with GraphQL documents.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aftercare/ent"
	"aftercare/ent/staff"
	"aftercare/internal/app"
	"aftercare/internal/auth"
	"aftercare/internal/config"
	"aftercare/internal/reqctx"
	"aftercare/internal/seed"
	"aftercare/internal/testenv"
)

// API is a running server with its demo data.
type API struct {
	t      testing.TB
	URL    string
	App    *app.App
	Demo   *seed.Demo
	Server *httptest.Server
	// Client is the ent client with the system viewer's power, for arranging
	// and checking state directly.
	Client *ent.Client
	stmts  *statements

	dialect testenv.Dialect
	opts    Options
}

// Options tune Start.
type Options struct {
	Owners int // demo owners; default 20
	Config func(*config.Config)
	// Uncounted leaves out the statement counter (Statements then answers
	// 0): ent's debug driver formats every statement, which would skew a
	// benchmark's CPU and allocation profile.
	Uncounted bool
}

// Start runs the API on d, seeded with the demo data.
func Start(t testing.TB, d testenv.Dialect, opts Options) *API {
	t.Helper()
	if opts.Owners == 0 {
		opts.Owners = 20
	}
	a, st := newApp(t, d, opts)
	demo, err := seed.Run(context.Background(), a.DB.Client, seed.Options{Owners: opts.Owners, Now: time.Now()})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	api := serve(t, a, st, demo)
	api.dialect, api.opts = d, opts
	return api
}

// Peer runs a second API instance on the same database, as a second
// server behind the load balancer would. It shares the demo data and the
// token secret; nothing else. configure, if given, changes its settings.
func (a *API) Peer(t testing.TB, configure ...func(*config.Config)) *API {
	t.Helper()
	opts := a.opts
	for _, f := range configure {
		outer := opts.Config
		opts.Config = func(c *config.Config) {
			if outer != nil {
				outer(c)
			}
			f(c)
		}
	}
	app, st := newApp(t, a.dialect, opts)
	p := serve(t, app, st, a.Demo)
	p.dialect, p.opts = a.dialect, a.opts
	return p
}

func serve(t testing.TB, a *app.App, st *statements, demo *seed.Demo) *API {
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &API{t: t, URL: srv.URL, App: a, Demo: demo, Server: srv, Client: a.DB.Client, stmts: st}
}

func newApp(t testing.TB, d testenv.Dialect, opts Options) (*app.App, *statements) {
	t.Helper()
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.DataDir, cfg.AppEnv = d.URL, d.DataDir, "test"
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.AuthLocalSecret = "test-secret-test-secret-test-secret-0123"
	cfg.FirebaseProjectID = ""
	cfg.RatePerIP = 0 // every test client is 127.0.0.1; rate-limit tests set their own
	if opts.Config != nil {
		opts.Config(&cfg)
	}
	ctx := context.Background()
	st := &statements{byRequest: map[string]int{}}
	logs := &testenv.SyncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	var appOpts []app.Option
	if !opts.Uncounted {
		appOpts = append(appOpts, app.WithSQLObserver(st.observe))
	}
	a, err := app.New(ctx, cfg, logger, appOpts...)
	if err != nil {
		t.Fatalf("start app on %s: %v", d.Name, err)
	}
	return a, st
}

// SystemCtx is a context with the system viewer, for direct ent calls.
func SystemCtx() context.Context { return auth.SystemContext(context.Background()) }

// OwnerToken signs in as the i-th demo owner.
func (a *API) OwnerToken(i int) string {
	a.t.Helper()
	tok, err := a.App.OwnerToken(context.Background(), *a.Demo.Owners[i].Phone)
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// StaffToken signs in as the demo staff member of role at store (0 or 1;
// ignored for the group admin).
func (a *API) StaffToken(role staff.Role, store int) string {
	a.t.Helper()
	tok, err := a.App.StaffToken(context.Background(), a.Staff(role, store).Email)
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// Staff returns the demo staff member of role at store.
func (a *API) Staff(role staff.Role, store int) *ent.Staff {
	for _, s := range a.Demo.Staff {
		if s.Role == role && (role == staff.RoleGroupAdmin || (s.DealershipID != nil && *s.DealershipID == a.Demo.Stores[store].ID)) {
			return s
		}
	}
	a.t.Fatalf("no demo %s at store %d", role, store)
	return nil
}

// Response is a GraphQL response.
type Response struct {
	Data      json.RawMessage `json:"data"`
	Errors    []Error         `json:"errors"`
	Status    int             `json:"-"`
	RequestID string          `json:"-"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v, failing the test on GraphQL errors.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Do posts a GraphQL document with variables as the holder of token ("" for
// anonymous).
func (a *API) Do(token, query string, vars map[string]any) *Response {
	a.t.Helper()
	return a.DoAt("/graphql", token, query, vars)
}

// DoWidget posts a GraphQL document through a widget key's endpoint.
func (a *API) DoWidget(key, query string, vars map[string]any) *Response {
	a.t.Helper()
	return a.DoAt("/widget/"+key+"/graphql", "", query, vars)
}

// DoAt posts a GraphQL document to path.
func (a *API) DoAt(path, token, query string, vars map[string]any) *Response {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return a.send(req, token)
}

// send posts req as the holder of token and decodes the GraphQL response.
func (a *API) send(req *http.Request, token string) *Response {
	a.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("POST %s: %v", req.URL.Path, err)
	}
	defer res.Body.Close()
	out := &Response{Status: res.StatusCode, RequestID: res.Header.Get("X-Request-Id")}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, out); err != nil {
		a.t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return out
}

// Statements returns how many SQL statements the request with this id ran.
func (a *API) Statements(requestID string) int {
	a.stmts.mu.Lock()
	defer a.stmts.mu.Unlock()
	return a.stmts.byRequest[requestID]
}

type statements struct {
	mu        sync.Mutex
	byRequest map[string]int
}

func (s *statements) observe(ctx context.Context, msg string) {
	if !strings.Contains(msg, "Query: ") && !strings.Contains(msg, "Exec: ") &&
		!strings.Contains(msg, "QueryContext: ") && !strings.Contains(msg, "ExecContext: ") {
		return // transaction begin/commit lines
	}
	id := reqctx.RequestID(ctx)
	s.mu.Lock()
	s.byRequest[id]++
	s.mu.Unlock()
}

// Upload posts a GraphQL multipart request (the spec the apps' upload
// libraries follow) with one file in variable fileVar.
func (a *API) Upload(token, query string, vars map[string]any, fileVar, filename string, content []byte) *Response {
	a.t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars[fileVar] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", `{"0": ["variables.`+fileVar+`"]}`)
	part, _ := w.CreateFormFile("0", filename)
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return a.send(req, token)
}

// PNG is a valid 1x1 PNG image, for upload tests.
var PNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
