package httpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The upload limit applies to multipart requests only, before and after
// one has been served.
func TestBodyLimits(t *testing.T) {
	h := limitBody(1024, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	}))
	post := func(contentType string, size int) int {
		r := httptest.NewRequest("POST", "/graphql", strings.NewReader(strings.Repeat("x", size)))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := post("application/json", 2048); c != 413 {
		t.Fatalf("2 KiB JSON over a 1 KiB limit: %d", c)
	}
	if c := post("multipart/form-data; boundary=x", 2048); c != 200 {
		t.Fatalf("2 KiB upload: %d", c)
	}
	if c := post("application/json", 2048); c != 413 {
		t.Fatalf("2 KiB JSON after an upload: %d, the document limit must still apply", c)
	}
}
