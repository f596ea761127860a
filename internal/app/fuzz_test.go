package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// Fuzz targets against the whole handler (in-process, on SQLite). The seeds
// run with every `go test`; fuzz by hand with, e.g.,
// go test ./internal/app -run '^$' -fuzz FuzzGraphQLRequest -fuzztime 60s.

// Any body posted to /graphql gets JSON back with a coded error, never a
// 5xx or INTERNAL.
func FuzzGraphQLRequest(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ me { kind } }"}`,
		`{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":"-1"}}`,
		`[{"query":"{ me { kind } }"}]`,
		`{"query":"{ owners(first: 1, where: {nameContains: \"%\"}) { totalCount } }"}`,
		`{"query":"mutation { updateOwner(id: \"1\", input: {name: \"x\"}) { id } }"}`,
		`{"query":"{ ...F } fragment F on Query { ...F }"}`,
		`{"query":1}`, `{"variables":[]}`, `null`, ``, `{"query":"{`, "\x00",
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`,
	} {
		f.Add(s)
	}
	api := apitest.Start(f, testenv.SQLite(f), apitest.Options{Owners: 4})
	tok := api.OwnerToken(0)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		api.App.Handler.ServeHTTP(rec, req)
		checkCoded(t, rec, body)
	})
}

// Any path and method is answered without a 5xx, and GraphQL routes answer
// with coded errors.
func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{"/graphql", "/widget/wk_x/graphql", "/widget//graphql", "/widget/%00/embed.js",
		"/files/../../etc/passwd", "/files/a?exp=1&sig=x", "/healthz", "/metrics", "//graphql", "/graphql/", "/widget/wk_x/demo"} {
		f.Add("GET", s)
		f.Add("POST", s)
	}
	api := apitest.Start(f, testenv.SQLite(f), apitest.Options{Owners: 4})
	f.Fuzz(func(t *testing.T, method, path string) {
		req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(`{"query":"{ me { kind } }"}`))
		req.Method, req.URL.Path, req.RequestURI = method, path, path
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.App.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %.200s", method, path, rec.Code, rec.Body.String())
		}
		if strings.HasSuffix(path, "/graphql") && strings.Contains(rec.Header().Get("Content-Type"), "json") {
			checkCoded(t, rec, path)
		}
	})
}

func checkCoded(t *testing.T, rec *httptest.ResponseRecorder, input string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%q: status %d: %.300s", input, rec.Code, rec.Body.String())
	}
	var out apitest.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%q: not JSON (%d): %.300s", input, rec.Code, rec.Body.String())
	}
	for _, e := range out.Errors {
		if c, _ := e.Extensions["code"].(string); c == "" || c == "INTERNAL" {
			t.Fatalf("%q: error %+v", input, e)
		}
	}
}
