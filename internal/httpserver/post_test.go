package httpserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
)

// The POST transport writes data-only answers itself (httpserver.post).
// What a client sees must stay what gqlgen's transport.POST gave: the
// media types, the status codes, errors beside data. An undecodable body
// is not echoed back: it may hold personal data.
func TestPostTransport(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{Owners: 2})
	owner := api.OwnerToken(0)
	cases := []struct {
		name, accept, body string
		token              string
		status             int
		contentType        string
		want               string // the exact body, or text it must hold
		exact              bool
		mustNotHold        string
	}{
		{"data only, exactly as marshalled", "", `{"query": "{ me { kind } }"}`, owner, 200,
			"application/json", `{"data":{"me":{"kind":"owner"}}}`, true, ""},
		{"asks for the GraphQL media type", "application/graphql-response+json", `{"query": "{ me { kind } }"}`, owner, 200,
			"application/graphql-response+json", `{"data":{"me":{"kind":"owner"}}}`, true, ""},
		{"any type", "text/html, */*;q=0.8", `{"query": "{ me { kind } }"}`, owner, 200,
			"application/json", `{"data":{"me":{"kind":"owner"}}}`, true, ""},
		{"invalid document", "", `{"query": "{ nope }"}`, owner, 422,
			"application/json", `"GRAPHQL_VALIDATION_FAILED"`, false, ""},
		{"invalid document, GraphQL media type", "application/graphql-response+json", `{"query": "{ nope }"}`, owner, 400,
			"application/graphql-response+json", `"GRAPHQL_VALIDATION_FAILED"`, false, ""},
		{"undecodable body", "", `{"query": "{ me { kind } }", "variables": {"phone": "+8613900000001"`, owner, 400,
			"application/json", `could not be decoded`, false, "+8613900000001"},
		{"errors beside data", "", `{"query": "{ me { kind } node(id: \"x\") { id } }"}`, owner, 200,
			"application/json", `],"data":{"me":{"kind":"owner"},"node":null}}`, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, api.URL+"/graphql", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.status || res.Header.Get("Content-Type") != c.contentType {
				t.Fatalf("%d %s, want %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), c.status, c.contentType, body)
			}
			if !json.Valid(body) {
				t.Fatalf("not JSON: %s", body)
			}
			if c.exact && string(body) != c.want || !strings.Contains(string(body), c.want) {
				t.Fatalf("body %s, want %s", body, c.want)
			}
			if c.mustNotHold != "" && strings.Contains(string(body), c.mustNotHold) {
				t.Fatalf("the answer echoes the body: %s", body)
			}
		})
	}
}
