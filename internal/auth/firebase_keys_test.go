package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Where the Admin SDK fetches the public keys of Firebase ID tokens
// (idTokenCertURL in firebase.google.com/go/v4/auth/token_verifier.go).
const (
	googleKeyHost = "www.googleapis.com"
	googleKeyPath = "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
)

// keyServer impersonates Google's key endpoint on loopback: it serves the
// {kid: PEM certificate} JSON the SDK expects, over TLS with a certificate
// for www.googleapis.com that only this test's transport trusts.
type keyServer struct {
	srv     *httptest.Server
	roots   *x509.CertPool
	certs   map[string]string // kid -> PEM
	hits    atomic.Int32
	failing atomic.Bool // answer 500, as during an outage
}

func newKeyServer(t *testing.T, keys map[string]*rsa.PrivateKey) *keyServer {
	t.Helper()
	ks := &keyServer{certs: map[string]string{}}
	for kid, key := range keys {
		ks.certs[kid] = selfSignedPEM(t, key)
	}
	ks.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.hits.Add(1)
		if ks.failing.Load() {
			http.Error(w, "backend error", http.StatusInternalServerError)
			return
		}
		if r.Host != googleKeyHost || r.URL.Path != googleKeyPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		json.NewEncoder(w).Encode(ks.certs)
	}))
	tlsCert, leaf := tlsCertFor(t, googleKeyHost)
	ks.srv.TLS = &tls.Config{Certificates: []tls.Certificate{tlsCert}}
	ks.srv.StartTLS()
	t.Cleanup(ks.srv.Close)
	ks.roots = x509.NewCertPool()
	ks.roots.AddCert(leaf)
	return ks
}

// dialGuard is a base transport for the SDK that sends the key host to the
// loopback key server and refuses (and records) every other destination,
// so no test can reach the real network even if the SDK changes.
type dialGuard struct {
	mu      sync.Mutex
	refused []string
}

func (g *dialGuard) transport(ks *keyServer) *http.Transport {
	var d net.Dialer
	return &http.Transport{
		Proxy: nil, // a proxy from the environment would bypass the guard
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if ks != nil && addr == googleKeyHost+":443" {
				return d.DialContext(ctx, "tcp", ks.srv.Listener.Addr().String())
			}
			g.mu.Lock()
			g.refused = append(g.refused, addr)
			g.mu.Unlock()
			return nil, fmt.Errorf("test: refusing to dial %s", addr)
		},
		TLSClientConfig: tlsConfigWithRoots(ks),
	}
}

func (g *dialGuard) refusedAddrs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.refused...)
}

func tlsConfigWithRoots(ks *keyServer) *tls.Config {
	if ks == nil {
		return nil
	}
	return &tls.Config{RootCAs: ks.roots}
}

// withDefaultTransport runs fn with http.DefaultTransport replaced.
//
// This is the seam for the SDK's key fetches: auth.NewClient builds the key
// source's client with transport.NewHTTPClient(ctx,
// option.WithoutAuthentication()), ignoring the app's options, and that
// client's base is a Clone of http.DefaultTransport taken at that moment.
// So the swap only needs to last while the verifier is built. Tests using it
// must not be parallel.
func withDefaultTransport(rt *http.Transport, fn func()) {
	saved := http.DefaultTransport
	http.DefaultTransport = rt
	defer func() { http.DefaultTransport = saved }()
	fn()
}

func selfSignedPEM(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// tlsCertFor makes a self-signed serving certificate for host.
func tlsCertFor(t *testing.T, host string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

// signFirebaseToken signs claims the way Firebase Auth does: RS256 with the
// key id in the header.
func signFirebaseToken(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signingInput := enc(header) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// tamperClaims re-encodes a token's payload with edit applied, keeping the
// original signature.
func tamperClaims(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	edit(claims)
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
