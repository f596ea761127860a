package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftercare/ent/staff"
	"aftercare/internal/apitest"
	"aftercare/internal/testenv"

	"github.com/chromedp/chromedp"
)

const (
	meQuery     = `{ me { kind dealership { name } } }`
	ownersQuery = `{ owners(first: 1) { totalCount } }`
	// jsonType makes the fetch non-simple, so the browser sends a CORS
	// preflight (OPTIONS) first; textType is CORS-safelisted, so the browser
	// sends the POST straight away and only then checks the CORS headers.
	jsonType = "application/json"
	textType = "text/plain"
)

// TestWidgetCORSInRealBrowser checks the widget endpoint's per-key CORS from
// pages on real origins in headless Chromium: the allowed site can call it,
// any other site is refused (by the browser and by the server), and a
// revoked key stops working.
func TestWidgetCORSInRealBrowser(t *testing.T) {
	tab := Browser(t) // first: skips (or fails under CI) before any setup
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})

	// The browser talks to the real API handler through a recording front,
	// so the test sees what actually reached the server (preflights, POSTs,
	// statuses, CORS headers), including for requests the page cannot see.
	calls := &recorder{}
	front := httptest.NewServer(calls.wrap(api.App.Handler))
	t.Cleanup(front.Close)

	// Two sites embedding the widget: same host, other ports, so both are
	// cross-origin to the API and to each other.
	siteA := pageServer(t, front.URL)
	siteB := pageServer(t, front.URL)
	originA, originB := siteA.URL, siteB.URL

	manager := api.StaffToken(staff.RoleServiceManager, 0)
	store := api.Demo.Stores[0]
	liveKey, _ := createKey(t, api, manager, store.ID, "site A", originA)
	// The Authenticator caches a key's verdict for widgetkeys.CacheTTL, so a
	// key revoked after use keeps working for up to 15s. This key is revoked
	// before its first use, so no cache ever saw it live.
	revokedKey, revokedID := createKey(t, api, manager, store.ID, "revoked", originA)
	if res := api.Do(manager, `mutation($id: ID!) { revokeWidgetKey(id: $id) { id } }`,
		map[string]any{"id": strconv.Itoa(revokedID)}); len(res.Errors) > 0 {
		t.Fatalf("revokeWidgetKey: %+v", res.Errors)
	}

	t.Run("allowed origin runs me after a preflight", func(t *testing.T) {
		mark := calls.mark()
		out := visit(t, tab, originA, liveKey, meQuery, jsonType)
		if out.Status != "200" {
			t.Fatalf("page on allowed origin got %s: %s", out.Status, out.Text)
		}
		var body struct {
			Data struct {
				Me struct {
					Kind       string `json:"kind"`
					Dealership struct {
						Name string `json:"name"`
					} `json:"dealership"`
				} `json:"me"`
			} `json:"data"`
			Errors []apitest.Error `json:"errors"`
		}
		if err := json.Unmarshal([]byte(out.Text), &body); err != nil {
			t.Fatalf("page text is not JSON: %v: %s", err, out.Text)
		}
		if len(body.Errors) > 0 || body.Data.Me.Kind != "widget" || body.Data.Me.Dealership.Name != store.Name {
			t.Fatalf("me = %+v, errors %+v; want kind widget at %q", body.Data.Me, body.Errors, store.Name)
		}
		got := calls.since(mark)
		t.Logf("server saw: %v", got)
		pre := find(got, http.MethodOptions, liveKey, originA)
		if len(pre) != 1 || pre[0].AllowOrigin != originA {
			t.Fatalf("want one preflight answered with Access-Control-Allow-Origin %s; server saw %v", originA, got)
		}
		post := find(got, http.MethodPost, liveKey, originA)
		if len(post) != 1 || post[0].Status != http.StatusOK || post[0].AllowOrigin != originA {
			t.Fatalf("want one POST answered 200 with Access-Control-Allow-Origin %s; server saw %v", originA, got)
		}
	})

	t.Run("allowed origin cannot run other root fields", func(t *testing.T) {
		out := visit(t, tab, originA, liveKey, ownersQuery, jsonType)
		var body apitest.Response
		if err := json.Unmarshal([]byte(out.Text), &body); err != nil {
			t.Fatalf("page text is not JSON (%s): %v: %s", out.Status, err, out.Text)
		}
		if body.Code() != "FORBIDDEN" {
			t.Fatalf("owners from a widget: want FORBIDDEN error, got %s: %s", out.Status, out.Text)
		}
		var data struct {
			Owners any `json:"owners"`
		}
		if len(body.Data) > 0 {
			_ = json.Unmarshal(body.Data, &data)
		}
		if data.Owners != nil {
			t.Fatalf("owners from a widget returned data: %s", body.Data)
		}
	})

	t.Run("other origin is blocked at the preflight", func(t *testing.T) {
		mark := calls.mark()
		out := visit(t, tab, originB, liveKey, meQuery, jsonType)
		// The preflight is answered without CORS headers, so fetch rejects
		// with a TypeError and the browser never sends the POST.
		if out.Text != "BLOCKED: TypeError" {
			t.Fatalf("page on a foreign origin: want BLOCKED: TypeError, got %s: %s", out.Status, out.Text)
		}
		got := calls.since(mark)
		t.Logf("server saw: %v", got)
		pre := find(got, http.MethodOptions, liveKey, originB)
		if len(pre) != 1 || pre[0].AllowOrigin != "" {
			t.Fatalf("want one preflight from %s answered without CORS headers; server saw %v", originB, got)
		}
		if post := find(got, http.MethodPost, liveKey, originB); len(post) != 0 {
			t.Fatalf("the browser sent the operation after a refused preflight: %v", post)
		}
	})

	t.Run("other origin is refused by the server too", func(t *testing.T) {
		// A simple request (text/plain, like a form post) skips the preflight:
		// the POST does reach the server. It must be refused there, not only
		// hidden from the page: 403 without CORS headers, so fetch rejects.
		mark := calls.mark()
		out := visit(t, tab, originB, liveKey, meQuery, textType)
		if out.Text != "BLOCKED: TypeError" {
			t.Fatalf("simple request from a foreign origin: want BLOCKED: TypeError, got %s: %s", out.Status, out.Text)
		}
		got := calls.since(mark)
		t.Logf("server saw: %v", got)
		if pre := find(got, http.MethodOptions, liveKey, originB); len(pre) != 0 {
			t.Fatalf("a simple request should have no preflight; server saw %v", got)
		}
		post := find(got, http.MethodPost, liveKey, originB)
		if len(post) != 1 || post[0].Status != http.StatusForbidden || post[0].AllowOrigin != "" {
			t.Fatalf("want the POST from %s refused with 403 and no CORS headers; server saw %v", originB, got)
		}
		// The same request from Go, where the body can be read.
		status, res := direct(t, front.URL, liveKey, originB, meQuery)
		if status != http.StatusForbidden || res.Code() != "FORBIDDEN" || len(res.Data) > 0 && string(res.Data) != "null" {
			t.Fatalf("direct POST with Origin %s: want 403 FORBIDDEN and no data, got %d %+v data=%s", originB, status, res.Errors, res.Data)
		}
	})

	t.Run("revoked key", func(t *testing.T) {
		// The server answers a revoked key with 401 UNAUTHENTICATED, but the
		// page never sees that: a revoked key allows no origin, so its
		// preflight gets no CORS headers and the browser rejects the fetch
		// with a TypeError before sending the POST. Even a simple request,
		// which does reach the server and gets the 401, is unreadable to the
		// page, because that 401 carries no Access-Control-Allow-Origin
		// either. So the browser sees "BLOCKED: TypeError" in both cases,
		// and the 401 shows only on the wire (the recorder) and from Go.
		mark := calls.mark()
		out := visit(t, tab, originA, revokedKey, meQuery, jsonType)
		if out.Text != "BLOCKED: TypeError" {
			t.Fatalf("revoked key (preflighted): want BLOCKED: TypeError, got %s: %s", out.Status, out.Text)
		}
		got := calls.since(mark)
		t.Logf("server saw: %v", got)
		pre := find(got, http.MethodOptions, revokedKey, originA)
		if len(pre) != 1 || pre[0].AllowOrigin != "" {
			t.Fatalf("want the revoked key's preflight answered without CORS headers; server saw %v", got)
		}
		if post := find(got, http.MethodPost, revokedKey, originA); len(post) != 0 {
			t.Fatalf("the browser sent the operation for a revoked key: %v", post)
		}

		mark = calls.mark()
		out = visit(t, tab, originA, revokedKey, meQuery, textType)
		if out.Text != "BLOCKED: TypeError" {
			t.Fatalf("revoked key (simple request): want BLOCKED: TypeError, got %s: %s", out.Status, out.Text)
		}
		got = calls.since(mark)
		t.Logf("server saw: %v", got)
		post := find(got, http.MethodPost, revokedKey, originA)
		if len(post) != 1 || post[0].Status != http.StatusUnauthorized || post[0].AllowOrigin != "" {
			t.Fatalf("want the revoked key's POST answered 401 without CORS headers; server saw %v", got)
		}

		status, res := direct(t, front.URL, revokedKey, originA, meQuery)
		if status != http.StatusUnauthorized || res.Code() != "UNAUTHENTICATED" {
			t.Fatalf("direct POST with a revoked key: want 401 UNAUTHENTICATED, got %d %+v", status, res.Errors)
		}
	})
}

// createKey creates a widget key of the store allowed on origin and
// returns the key and its id.
func createKey(t *testing.T, api *apitest.API, token string, storeID int, name, origin string) (string, int) {
	t.Helper()
	res := api.Do(token, `mutation($d: ID!, $n: String!, $o: [String!]!) {
		createWidgetKey(dealershipID: $d, name: $n, allowedOrigins: $o) { key widgetKey { id allowedOrigins } }
	}`, map[string]any{"d": strconv.Itoa(storeID), "n": name, "o": []string{origin}})
	var out struct {
		CreateWidgetKey struct {
			Key       string `json:"key"`
			WidgetKey struct {
				ID             string   `json:"id"`
				AllowedOrigins []string `json:"allowedOrigins"`
			} `json:"widgetKey"`
		} `json:"createWidgetKey"`
	}
	res.Decode(t, &out)
	k := out.CreateWidgetKey
	if k.Key == "" || !slices.Equal(k.WidgetKey.AllowedOrigins, []string{origin}) {
		t.Fatalf("createWidgetKey = %+v; want a key allowed on %s", k, origin)
	}
	id, err := strconv.Atoi(k.WidgetKey.ID)
	if err != nil {
		t.Fatalf("widget key id %q: %v", k.WidgetKey.ID, err)
	}
	return k.Key, id
}

// outcome is what the page wrote: the response text and status, or
// "BLOCKED: <error name>" and status "blocked" when fetch threw.
type outcome struct {
	Text   string `json:"text"`
	Status string `json:"status"`
}

// visit opens the page of site in tab, which calls the widget endpoint
// with key, query and content type, and returns what the page saw.
func visit(t *testing.T, tab context.Context, site, key, query, contentType string) outcome {
	t.Helper()
	u := site + "/?" + url.Values{"key": {key}, "query": {query}, "ct": {contentType}}.Encode()
	if err := Do(tab, 10*time.Second,
		chromedp.Navigate(u),
		chromedp.WaitReady(chromedp.CSS("#out[data-done]")), // filled by the page's fetch
	); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	out, err := Run(tab, 5*time.Second, chromedp.Evaluate[outcome](
		`(() => { const o = document.getElementById("out"); return {text: o.textContent, status: o.dataset.status}; })()`))
	if err != nil {
		t.Fatalf("read outcome of %s: %v", u, err)
	}
	return out
}

// pageServer serves a page that calls the widget endpoint of api once, as
// its query string says, and writes the outcome into #out.
func pageServer(t *testing.T, api string) *httptest.Server {
	t.Helper()
	apiJS, _ := json.Marshal(api)
	page := strings.Replace(widgetPage, "API_URL", string(apiJS), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const widgetPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>widget host</title><link rel="icon" href="data:,"></head>
<body><pre id="out"></pre>
<script>
const api = API_URL;
const p = new URLSearchParams(location.search);
const out = document.getElementById("out");
function done(text, status) {
  out.textContent = text;
  out.dataset.status = status;
  out.dataset.done = "1";
}
fetch(api + "/widget/" + p.get("key") + "/graphql", {
  method: "POST",
  headers: {"Content-Type": p.get("ct")},
  body: JSON.stringify({query: p.get("query")}),
})
  .then(r => r.text().then(text => done(text, String(r.status))))
  .catch(e => done("BLOCKED: " + e.name, "blocked"));
</script>
</body></html>`

// direct posts query to the widget endpoint from Go, with an Origin header.
func direct(t *testing.T, base, key, origin, query string) (int, *apitest.Response) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/widget/"+key+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("direct POST: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &apitest.Response{Status: res.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("direct POST: response is not JSON (%d): %s", res.StatusCode, raw)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("direct POST refused with %d still has Access-Control-Allow-Origin %q", res.StatusCode, got)
	}
	return res.StatusCode, out
}

// call is one request that reached the API.
type call struct {
	Method, Key, Origin string
	Status              int
	AllowOrigin         string // the response's Access-Control-Allow-Origin
}

func (c call) String() string {
	key := c.Key
	if len(key) > 12 {
		key = key[:12] + "…"
	}
	return fmt.Sprintf("%s key=%s origin=%s -> %d ACAO=%q", c.Method, key, c.Origin, c.Status, c.AllowOrigin)
}

// recorder notes every widget request the API handled.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (rec *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if !strings.HasPrefix(r.URL.Path, "/widget/") {
			return
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		key := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/widget/"), "/graphql")
		rec.mu.Lock()
		rec.calls = append(rec.calls, call{
			Method: r.Method, Key: key, Origin: r.Header.Get("Origin"),
			Status: sw.status, AllowOrigin: w.Header().Get("Access-Control-Allow-Origin"),
		})
		rec.mu.Unlock()
	})
}

func (rec *recorder) mark() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.calls)
}

func (rec *recorder) since(mark int) []call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.calls[mark:])
}

func find(calls []call, method, key, origin string) []call {
	var out []call
	for _, c := range calls {
		if c.Method == method && c.Key == key && c.Origin == origin {
			out = append(out, c)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
