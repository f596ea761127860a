package widgetjs_test

import (
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"aftercare/internal/apitest"
	"aftercare/internal/testenv"
	"aftercare/internal/widgetkeys"
)

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func mediaType(t *testing.T, res *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", res.Header.Get("Content-Type"), err)
	}
	return mt
}

func TestEmbedScript(t *testing.T) {
	api := apitest.Start(t, testenv.SQLite(t), apitest.Options{})
	ctx := apitest.SystemCtx()
	const origin = "https://dealer-site.example"
	var keys []string
	for _, s := range api.Demo.Stores[:2] {
		key, _, err := widgetkeys.Create(ctx, api.Client, s.ID, "site", []string{origin}, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	revoked, wk, err := widgetkeys.Create(ctx, api.Client, api.Demo.Stores[0].ID, "old", []string{origin}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := widgetkeys.Revoke(ctx, api.Client, wk.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	var bodies []string
	for _, key := range keys {
		res, body := get(t, api.URL+"/widget/"+key+"/embed.js", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("live key: status %d: %s", res.StatusCode, body)
		}
		if mt := mediaType(t, res); mt != "text/javascript" {
			t.Errorf("Content-Type %q, want text/javascript", mt)
		}
		for h, want := range map[string]string{
			"Cache-Control":                "public, max-age=300",
			"X-Content-Type-Options":       "nosniff",
			"Cross-Origin-Resource-Policy": "cross-origin",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		// Nothing of the key or its store is in the file.
		for _, secret := range []string{key, key[3:], "wk_", origin, "dealer-site", api.Demo.Stores[0].Name, api.Demo.Stores[1].Name} {
			if strings.Contains(body, secret) {
				t.Errorf("embed.js contains %q", secret)
			}
		}
		if !strings.Contains(body, "document.currentScript") || !strings.Contains(body, "attachShadow") {
			t.Errorf("embed.js does not look like the widget: %.200s", body)
		}
		bodies = append(bodies, body)

		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		res, _ = get(t, api.URL+"/widget/"+key+"/embed.js", map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("revalidation with the ETag: status %d, want 304", res.StatusCode)
		}
	}
	if bodies[0] != bodies[1] {
		t.Error("embed.js differs between keys; it must be one static file")
	}

	for name, key := range map[string]string{
		"unknown":   "wk_" + strings.Repeat("a", 32),
		"revoked":   revoked,
		"not a key": "hello",
	} {
		t.Run(name, func(t *testing.T) {
			res, body := get(t, api.URL+"/widget/"+key+"/embed.js", nil)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404: %s", res.StatusCode, body)
			}
			if mt := mediaType(t, res); mt != "text/javascript" {
				t.Errorf("Content-Type %q, want text/javascript", mt)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			if !strings.HasPrefix(body, "/*") || !strings.HasSuffix(strings.TrimSpace(body), "*/") {
				t.Errorf("body is not a JS comment: %q", body)
			}
			if strings.Contains(body, key) || strings.Contains(res.Header.Get("Cache-Control"), "max-age=300") {
				t.Errorf("404 echoes the key or is cached like the script: %q %q", body, res.Header.Get("Cache-Control"))
			}
			res, _ = get(t, api.URL+"/widget/"+key+"/demo", nil)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("demo page: status %d, want 404", res.StatusCode)
			}
		})
	}

	t.Run("demo page", func(t *testing.T) {
		res, body := get(t, api.URL+"/widget/"+keys[0]+"/demo", nil)
		if res.StatusCode != http.StatusOK || mediaType(t, res) != "text/html" {
			t.Fatalf("status %d, %s: %.200s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if !strings.Contains(body, `<script src="embed.js" async></script>`) || !strings.Contains(body, `id="aftercare-booking"`) {
			t.Errorf("demo page does not embed the widget: %s", body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "unsafe") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
	})

	t.Run("only GET", func(t *testing.T) {
		res, err := http.Post(api.URL+"/widget/"+keys[0]+"/embed.js", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST embed.js: status %d, want 405", res.StatusCode)
		}
	})
}
