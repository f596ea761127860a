// Package blob keeps uploaded files (work-order photos) and serves them back
// through short-lived signed URLs, so a link that leaks stops working soon
// and the file server needs no session.
package blob

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Store keeps blobs by key. Dir is the default; an object store (S3, OSS)
// can implement the same two methods.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// ErrNotFound is returned by Open for an unknown key.
var ErrNotFound = errors.New("blob not found")

// Dir keeps blobs as files under Root.
type Dir struct{ Root string }

// Put writes the blob atomically (temporary file, then rename), so a
// reader never sees half a file and a failed upload leaves nothing.
func (d Dir) Put(_ context.Context, key string, r io.Reader) error {
	path, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Open reads a blob.
func (d Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// path maps a key to a file, refusing anything that could leave Root.
func (d Dir) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return "", fmt.Errorf("invalid blob key")
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

// Signer makes and checks signed URLs.
type Signer struct {
	Secret []byte
	TTL    time.Duration
	Now    func() time.Time
}

// URL returns the path under which key can be fetched until the TTL ends.
func (s Signer) URL(key string) string {
	exp := strconv.FormatInt(s.Now().Add(s.TTL).Unix(), 10)
	return "/files/" + key + "?exp=" + exp + "&sig=" + s.sign(key, exp)
}

func (s Signer) sign(key, exp string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(key + "\n" + exp))
	return hex.EncodeToString(m.Sum(nil))
}

// Valid checks a URL's signature and expiry.
func (s Signer) Valid(key string, q url.Values) bool {
	exp, sig := q.Get("exp"), q.Get("sig")
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.Now().Unix() > t {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(s.sign(key, exp)))
}

// Handler serves GET /files/{key...} for valid signed URLs.
func Handler(store Store, s Signer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		if !s.Valid(key, r.URL.Query()) {
			http.Error(w, "link expired or invalid", http.StatusForbidden)
			return
		}
		f, err := store.Open(r.Context(), key)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		defer f.Close()
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		w.Header().Set("Content-Type", http.DetectContentType(head[:n]))
		w.Header().Set("Cache-Control", "private, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(head[:n])
		_, _ = io.Copy(w, f)
	})
}
