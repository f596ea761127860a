package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"aftercare/ent/staff"
	"aftercare/ent/workorder"
	"aftercare/internal/apitest"
)

// hostileClient gives up after a minute: a request still running then is
// unbounded, whatever the machine's speed.
var hostileClient = &http.Client{Timeout: time.Minute}

// shot is one hostile request and what it cost the in-process server.
type shot struct {
	status int
	codes  []string
	took   time.Duration
	alloc  uint64 // bytes allocated by the whole test process meanwhile
	body   []byte
}

// fire sends body to path and measures the time and allocations it took.
func fire(t *testing.T, api *apitest.API, path, contentType, token string, body []byte) shot {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, api.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res, err := hostileClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	s := shot{status: res.StatusCode, took: time.Since(start), body: raw}
	runtime.ReadMemStats(&after)
	s.alloc = after.TotalAlloc - before.TotalAlloc
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: response is not JSON (%d): %.200s", path, res.StatusCode, raw)
	}
	for _, e := range out.Errors {
		c, _ := e.Extensions["code"].(string)
		s.codes = append(s.codes, c)
	}
	return s
}

func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// deepQuery nests owner -> vehicles -> owner ... levels times (5 fields a turn).
func deepQuery(turns int) string {
	return "{ me { owner { " + strings.Repeat("vehicles(first: 1) { edges { node { owner { ", turns) +
		"id" + strings.Repeat(" } } } }", turns) + " } } }"
}

// fragmentBomb is n fragments, each spreading the one before twice: 2^n
// fields if expanded naively.
func fragmentBomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d } fragment F0 on Query { me { kind } }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func repeatSel(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	return b.String()
}

// Query-shape attacks through the real HTTP server: each is refused with a
// coded error, the server answers within the client's timeout, and the
// allocations it takes stay bounded. Times and bytes are logged (see
// docs/RELIABILITY.md), not asserted against the clock.
func TestHostileQueryShapesAreRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		tok := api.StaffToken(staff.RoleAdvisor, 0)
		deepVar := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		parseFailed := []string{"GRAPHQL_PARSE_FAILED"}
		cases := []struct {
			name   string
			body   []byte
			status int
			codes  []string // any of these; nil: it must work
		}{
			{"deep nesting (100 levels)", gqlBody(deepQuery(20), nil), 200, []string{"BAD_USER_INPUT"}},
			{"deep nesting (10,000 levels)", gqlBody(deepQuery(2000), nil), 422, parseFailed},
			{"deep braces, unknown fields (100,000 levels)", gqlBody(strings.Repeat("{a", 100000)+strings.Repeat("}", 100000), nil), 422, parseFailed},
			{"very wide (20,000 aliased fields)", gqlBody("{ "+repeatSel(20000, func(i int) string { return fmt.Sprintf("a%d: me { kind }", i) })+" }", nil), 422, parseFailed},
			{"alias bomb in a page, allowed (600 aliases x 200 rows)", gqlBody("{ owners(first: 200) { edges { node { "+repeatSel(600, func(i int) string { return fmt.Sprintf("p%d: phone", i) })+" } } } }", nil), 200, nil},
			{"alias bomb (5,000 aliases)", gqlBody("{ owners(first: 200) { edges { node { "+repeatSel(5000, func(i int) string { return fmt.Sprintf("p%d: phone", i) })+" } } } }", nil), 422, parseFailed},
			{"same field 1,900 times", gqlBody("{ me { "+strings.Repeat("kind ", 1900)+" } }", nil), 200, []string{"COMPLEXITY_LIMIT_EXCEEDED"}},
			{"same field 50,000 times", gqlBody("{ me { "+strings.Repeat("kind ", 50000)+" } }", nil), 422, parseFailed},
			{"__typename 80,000 times", gqlBody("{ "+strings.Repeat("__typename ", 80000)+" }", nil), 422, parseFailed},
			{"fragment cycle", gqlBody("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }", nil), 422, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"fragment bomb (2^40 fields)", gqlBody(fragmentBomb(40), nil), 200, []string{"COMPLEXITY_LIMIT_EXCEEDED"}},
			{"10,000 operations in one document", gqlBody(repeatSel(10000, func(i int) string { return fmt.Sprintf("query Q%d { me { kind } }", i) }), nil), 422, parseFailed},
			{"20,000 directives on one field", gqlBody("{ me "+strings.Repeat("@include(if: true) ", 20000)+"{ kind } }", nil), 422, parseFailed},
			{"huge variable (2 MiB string)", gqlBody("query($s: String) { me { kind } }", map[string]any{"s": strings.Repeat("x", 2<<20)}), 413, []string{"BAD_USER_INPUT"}},
			{"deeply nested variable (20,000 arrays)", []byte(`{"query":"query($v: [ID!]) { nodes(ids: $v) { id } }","variables":{"v":` + deepVar + `}}`), 400, []string{"BAD_USER_INPUT"}},
			{"batched requests (JSON array of 1,000)", []byte("[" + strings.TrimSuffix(strings.Repeat(`{"query":"{ me { kind } }"},`, 1000), ",") + "]"), 400, []string{"BAD_USER_INPUT"}},
			{"first: 2^31-1", gqlBody("{ owners(first: 2147483647) { totalCount } }", nil), 200, []string{"BAD_USER_INPUT"}},
			{"first: 10^30", gqlBody("{ owners(first: 1000000000000000000000000000000) { totalCount } }", nil), 422, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"first: -1", gqlBody("{ owners(first: -1) { totalCount } }", nil), 200, []string{"BAD_USER_INPUT"}},
			{"first as a huge variable", gqlBody("query($n: Int) { owners(first: $n) { totalCount } }", map[string]any{"n": 1e30}), 422, []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
			{"nodes with 50,000 ids", gqlBody("query($v: [ID!]!) { nodes(ids: $v) { id } }", map[string]any{"v": slices.Repeat([]string{"21474836481"}, 50000)}), 200, []string{"BAD_USER_INPUT"}},
		}
		for _, c := range cases {
			s := fire(t, api, "/graphql", "application/json", tok, c.body)
			t.Logf("%-48s %7d B -> %d %.40v in %v, %.1f MiB allocated", c.name, len(c.body), s.status, s.codes, s.took.Round(time.Millisecond), float64(s.alloc)/(1<<20))
			if (c.codes == nil && len(s.codes) > 0) || (c.codes != nil && (len(s.codes) == 0 || !slices.Contains(c.codes, s.codes[0]))) {
				t.Errorf("%s: status %d, %d errors, want one of %v: %.300s", c.name, s.status, len(s.codes), c.codes, s.body)
			}
			if s.status != c.status {
				t.Errorf("%s: status %d, want %d", c.name, s.status, c.status)
			}
			// Bounded memory: a refused request must not cost more than a
			// small multiple of what it sent (1 MiB body limit).
			if s.alloc > 512<<20 {
				t.Errorf("%s: the server allocated %d MiB", c.name, s.alloc>>20)
			}
		}
		// The server still serves normal requests afterwards.
		if res := api.Do(tok, `{ me { kind } }`, nil); res.Code() != "" {
			t.Fatalf("after the attacks: %+v", res.Errors)
		}
	})
}

// A photo over 10 MB is BAD_USER_INPUT and a multipart request over
// 21 MiB is refused (413) before it is read; neither stores anything.
func TestOversizedUploadsAreRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, api *apitest.API) {
		ctx := apitest.SystemCtx()
		wo := api.Client.WorkOrder.Query().Where(workorder.DealershipID(api.Demo.Stores[0].ID)).FirstX(ctx)
		before := api.Client.Photo.Query().CountX(ctx)
		tok := api.StaffToken(staff.RoleAdvisor, 0)
		doc := `mutation($wo: ID!, $file: Upload!) { uploadPhoto(workOrderID: $wo, kind: check_in, file: $file) { id } }`
		for _, c := range []struct {
			size   int
			status int
		}{{11 << 20, 200}, {22 << 20, 413}} {
			file := append(append([]byte{}, apitest.PNG...), make([]byte, c.size)...)
			res := api.Upload(tok, doc, map[string]any{"wo": fmt.Sprint(wo.ID)}, "file", "big.png", file)
			if res.Status != c.status || res.Code() != "BAD_USER_INPUT" {
				t.Errorf("%d MiB upload: status %d %+v, want %d BAD_USER_INPUT", c.size>>20, res.Status, res.Errors, c.status)
			}
		}
		if n := api.Client.Photo.Query().CountX(ctx); n != before {
			t.Fatalf("photos: %d before, %d after", before, n)
		}
	})
}
