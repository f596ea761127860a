package httpserver

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The access log writes the request path: a widget key in it must never
// appear whole, and the line must stay valid UTF-8 whatever the path holds.
func FuzzRedactPath(f *testing.F) {
	for _, p := range []string{"/graphql", "/widget/wk_0123456789abcdef/graphql", "/widget/", "/widget//graphql", "/widget/wk_短短短短短短/graphql", "/widget/wk_12345/embed.js", "/widget/wk_a短短短/graphql", "/widget/%2e%2e/graphql"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		out := redactPath(p)
		if !strings.HasPrefix(p, "/widget/") {
			if out != p {
				t.Fatalf("redactPath(%q) = %q changed a non-widget path", p, out)
			}
			return
		}
		key, _, _ := strings.Cut(p[len("/widget/"):], "/")
		shown, _, _ := strings.Cut(out[len("/widget/"):], "/")
		if len(key) > 9 && strings.Contains(shown, key) {
			t.Fatalf("redactPath(%q) = %q shows the whole key", p, out)
		}
		if utf8.ValidString(p) && !utf8.ValidString(out) {
			t.Fatalf("redactPath(%q) = %q is not valid UTF-8", p, out)
		}
	})
}

// A caller's X-Request-Id is echoed and logged only when it is a short
// token of safe characters.
func FuzzSaneRequestID(f *testing.F) {
	for _, s := range []string{"abc-123_X", "", strings.Repeat("a", 65), "a\r\nSet-Cookie: x", "ä", "a b", "\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !saneID(s) {
			return
		}
		if len(s) == 0 || len(s) > 64 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			t.Fatalf("saneID accepted %q", s)
		}
	})
}
