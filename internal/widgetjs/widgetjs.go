// Package widgetjs serves the embeddable booking widget: one static script
// that a store's website adds with a single tag,
//
//	<script src="{api}/widget/{key}/embed.js" async></script>
//
// and a demo page that embeds it. The script is the same file for every
// key: it reads the API's address and its key from its own URL
// (document.currentScript.src), so it is cacheable and carries nothing of
// the key's store. It talks only to /widget/{key}/graphql, whose CORS rules
// decide which sites may use the key.
package widgetjs

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"aftercare/internal/widgetkeys"
)

//go:embed embed.js
var embedJS []byte

// etag identifies the script's version, so a cache can revalidate cheaply.
var etag = func() string {
	sum := sha256.Sum256(embedJS)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// Handler serves GET /widget/{key}/embed.js: the widget script for a live
// key, 404 for an unknown or revoked one. Either way the body is
// JavaScript, so a page that includes a dead key gets a comment, not an
// error page parsed as script.
func Handler(keys *widgetkeys.Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		if !liveKey(w, r, keys, "/* aftercare: %s */\n") {
			return
		}
		h.Set("Cache-Control", "public, max-age=300")
		// Loadable by sites that require cross-origin opt-in (COEP).
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "embed.js", time.Time{}, bytes.NewReader(embedJS))
	})
}

// DemoHandler serves GET /widget/{key}/demo: a small page with the widget
// on it, for trying a key out.
//
// A real site is another origin than the API. This page is on the API's
// own origin, and the browser sends that as the Origin of the widget's
// calls, so the demo works only when the key's allowed origins include the
// API's origin (e.g. https://api.example.com); otherwise the widget shows
// its error state, as it would on any site the key does not allow.
func DemoHandler(keys *widgetkeys.Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		// The widget needs nothing but its own script and API (its styles
		// are a constructed stylesheet, not inline): a demo under a strict
		// policy also shows that a strict host page can embed it.
		h.Set("Content-Security-Policy", demoCSP)
		if !liveKey(w, r, keys, "<!doctype html><title>aftercare widget</title><p>%s</p>\n") {
			return
		}
		_ = demoPage.Execute(w, r.PathValue("key"))
	})
}

// liveKey reports whether the path's key is live, answering the request
// itself when it is not, with body (a format for a fixed reason).
func liveKey(w http.ResponseWriter, r *http.Request, keys *widgetkeys.Authenticator, body string) bool {
	k, err := keys.Lookup(r.Context(), r.PathValue("key"))
	switch {
	case err != nil:
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, body, "temporarily unavailable, try again shortly")
		return false
	case k == nil:
		// Keys are never revived, so a short public cache is safe.
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, body, "unknown or revoked widget key")
		return false
	}
	return true
}

const demoStyle = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #222; }
code { background: #f3f3f3; padding: .1rem .3rem; border-radius: 4px; }
`

var demoCSP = func() string {
	sum := sha256.Sum256([]byte(demoStyle))
	return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// demoPage loads the script relative to itself (/widget/{key}/embed.js),
// so it works under any host and path prefix. The key is shown for the
// copy-paste snippet only.
var demoPage = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Booking widget demo</title>
<link rel="icon" href="data:,">
<style>` + demoStyle + `</style>
</head>
<body>
<h1>Booking widget demo</h1>
<p>A store's website adds the widget with:
<code>&lt;script src="https://<i>this API</i>/widget/{{.}}/embed.js" async&gt;&lt;/script&gt;</code>
and, where it should appear, <code>&lt;div id="aftercare-booking"&gt;&lt;/div&gt;</code>.</p>
<p>This page is on the API's own origin: the widget below works only if the key allows this origin.</p>
<div id="aftercare-booking"></div>
<script src="embed.js" async></script>
</body>
</html>
`))
