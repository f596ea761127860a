package blob

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignedURLs(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := Signer{Secret: []byte("secret-secret-secret-secret-1234"), TTL: 15 * time.Minute, Now: func() time.Time { return now }}
	u, err := url.Parse(s.URL("photos/1/a.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Valid("photos/1/a.png", u.Query()) {
		t.Fatal("a fresh link is refused")
	}
	if s.Valid("photos/1/b.png", u.Query()) {
		t.Fatal("a link is valid for another file")
	}
	q := u.Query()
	q.Set("exp", q.Get("exp")+"0")
	if s.Valid("photos/1/a.png", q) {
		t.Fatal("a link with a changed expiry is accepted")
	}
	later := s
	later.Now = func() time.Time { return now.Add(16 * time.Minute) }
	if later.Valid("photos/1/a.png", u.Query()) {
		t.Fatal("an expired link is accepted")
	}
}

func TestDirRefusesKeysOutsideRoot(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	for _, key := range []string{"../x", "/etc/passwd", "a/../../b", "", "a\\b"} {
		if err := d.Put(context.Background(), key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) accepted", key)
		}
	}
	if err := d.Put(context.Background(), "photos/9/ok.png", strings.NewReader("data")); err != nil {
		t.Fatal(err)
	}
	f, err := d.Open(context.Background(), "photos/9/ok.png")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "data" {
		t.Fatalf("read %q", b)
	}
}

func TestHandlerServesOnlySignedLinks(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	png := []byte("\x89PNG\r\n\x1a\n0000")
	_ = d.Put(context.Background(), "p/x.png", bytes.NewReader(png))
	s := Signer{Secret: []byte("secret-secret-secret-secret-1234"), TTL: time.Minute, Now: time.Now}
	h := Handler(d, s)
	get := func(target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		r.SetPathValue("key", strings.TrimPrefix(strings.SplitN(target, "?", 2)[0], "/files/"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := get(s.URL("p/x.png")); w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !bytes.Equal(w.Body.Bytes(), png) {
		t.Fatalf("signed link: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if w := get("/files/p/x.png?exp=9999999999&sig=00"); w.Code != 403 {
		t.Fatalf("forged link: %d", w.Code)
	}
}
