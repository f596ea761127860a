package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/api/option"
)

const testProject = "demo-aftercare"

func generateRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// newVerifierWithKeys builds a non-emulated FirebaseVerifier whose key
// fetches reach ks on loopback and nothing else.
func newVerifierWithKeys(t *testing.T, ks *keyServer, guard *dialGuard, opts ...option.ClientOption) *FirebaseVerifier {
	t.Helper()
	t.Setenv(emulatorHostEnv, "") // the SDK checks for a non-empty value
	var (
		v   *FirebaseVerifier
		err error
	)
	withDefaultTransport(guard.transport(ks), func() {
		v, err = NewFirebaseVerifier(context.Background(), testProject, opts...)
	})
	if err != nil {
		t.Fatalf("NewFirebaseVerifier: %v", err)
	}
	if v.Emulated() {
		t.Fatal("verifier is in emulator mode")
	}
	return v
}

func firebaseClaims(now time.Time, edits ...func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss":          "https://securetoken.google.com/" + testProject,
		"aud":          testProject,
		"sub":          "uid-owner-1",
		"user_id":      "uid-owner-1",
		"auth_time":    now.Add(-time.Minute).Unix(),
		"iat":          now.Add(-time.Minute).Unix(),
		"exp":          now.Add(time.Hour).Unix(),
		"phone_number": "+15555550100",
		"firebase": map[string]any{
			"sign_in_provider": "phone",
			"identities":       map[string]any{"phone": []string{"+15555550100"}},
		},
	}
	for _, edit := range edits {
		edit(c)
	}
	return c
}

func set(key string, val any) func(map[string]any) {
	return func(c map[string]any) {
		if val == nil {
			delete(c, key)
		} else {
			c[key] = val
		}
	}
}

func TestFirebaseVerifierRealSignatures(t *testing.T) {
	key, otherKey := generateRSAKey(t), generateRSAKey(t)
	ks := newKeyServer(t, map[string]*rsa.PrivateKey{"kid-1": key})
	guard := &dialGuard{}
	v := newVerifierWithKeys(t, ks, guard)

	now := time.Now()
	rs256 := map[string]any{"alg": "RS256", "kid": "kid-1", "typ": "JWT"}
	sign := func(k *rsa.PrivateKey, header map[string]any, edits ...func(map[string]any)) string {
		return signFirebaseToken(t, k, header, firebaseClaims(now, edits...))
	}
	staff := []func(map[string]any){
		set("sub", "uid-staff-1"), set("user_id", "uid-staff-1"), set("phone_number", nil),
		set("email", "ann@example.com"), set("email_verified", true),
		set("firebase", map[string]any{"sign_in_provider": "password"}),
		set("role", "care_manager"), set("dealership_id", 7), set("dealer_group_id", 3),
	}
	valid := sign(key, rs256)

	tests := []struct {
		name  string
		token string
		want  *Identity // nil: rejected with ErrInvalidToken
	}{
		{"valid owner", valid, &Identity{UID: "uid-owner-1", Phone: "+15555550100", Provider: ProviderFirebase}},
		{"valid staff", sign(key, rs256, staff...), &Identity{UID: "uid-staff-1", Email: "ann@example.com",
			Role: RoleCareManager, DealershipID: 7, DealerGroupID: 3, Provider: ProviderFirebase}},
		{"expired", sign(key, rs256, set("iat", now.Add(-3*time.Hour).Unix()), set("exp", now.Add(-2*time.Hour).Unix())), nil},
		{"issued in the future", sign(key, rs256, set("iat", now.Add(time.Hour).Unix())), nil},
		{"wrong audience", sign(key, rs256, set("aud", "other-project")), nil},
		{"wrong issuer", sign(key, rs256, set("iss", "https://securetoken.google.com/other-project")), nil},
		{"session cookie issuer", sign(key, rs256, set("iss", "https://session.firebase.google.com/"+testProject)), nil},
		{"no subject", sign(key, rs256, set("sub", "")), nil},
		{"tampered payload", tamperClaims(t, valid, func(c map[string]any) { c["phone_number"] = "+15555550199" }), nil},
		{"tampered payload to staff", tamperClaims(t, valid, func(c map[string]any) {
			c["role"], c["dealership_id"], c["dealer_group_id"] = "general_manager", 7, 3
		}), nil},
		{"tampered signature", func() string {
			parts := strings.Split(valid, ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sig[len(sig)/2] ^= 0x80
			return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}(), nil},
		{"unknown kid", sign(otherKey, map[string]any{"alg": "RS256", "kid": "kid-unknown", "typ": "JWT"}), nil},
		{"known kid, other key", sign(otherKey, rs256), nil},
		{"no kid", sign(key, map[string]any{"alg": "RS256", "typ": "JWT"}), nil},
		{"alg none", func() string {
			parts := strings.Split(valid, ".")
			return b64JSON(t, map[string]any{"alg": "none", "kid": "kid-1"}) + "." + parts[1] + "."
		}(), nil},
		{"unknown role", sign(key, rs256, append(slices.Clone(staff), set("role", "janitor"))...), nil},
		{"staff without store", sign(key, rs256, append(slices.Clone(staff), set("dealership_id", nil))...), nil},
		{"anonymous firebase account", sign(key, rs256, set("phone_number", nil),
			set("firebase", map[string]any{"sign_in_provider": "anonymous"})), nil},
		{"tenant token", sign(key, rs256, set("firebase", map[string]any{"sign_in_provider": "phone", "tenant": "t-1"})), nil},
		{"garbage", "garbage", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if *got != *tc.want {
				t.Fatalf("Verify = %+v, want %+v", *got, *tc.want)
			}
		})
	}

	if ks.hits.Load() == 0 {
		t.Error("the SDK never fetched keys from the loopback key server")
	}
	if r := guard.refusedAddrs(); len(r) != 0 {
		t.Errorf("the SDK tried to reach %v", r)
	}
}

func TestFirebaseVerifierKeyOutageIsNotAnInvalidToken(t *testing.T) {
	key := generateRSAKey(t)
	ks := newKeyServer(t, map[string]*rsa.PrivateKey{"kid-1": key})
	v := newVerifierWithKeys(t, ks, &dialGuard{})
	tok := signFirebaseToken(t, key, map[string]any{"alg": "RS256", "kid": "kid-1"}, firebaseClaims(time.Now()))

	ks.failing.Store(true)
	_, err := v.Verify(context.Background(), tok)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify during a key outage = %v; want an error that is not ErrInvalidToken", err)
	}
	// Through the middleware, that is a 503: the client keeps its session.
	h := newHarness(t, v)
	h.wantError(h.do("Bearer "+tok), http.StatusServiceUnavailable, "UNAVAILABLE")

	ks.failing.Store(false)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("Verify after the outage: %v", err)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFirebaseSDKKeyFetchIgnoresWithHTTPClient pins down the SDK behaviour
// that the key-server seam relies on: option.WithHTTPClient does not reach
// key fetches; a clone of http.DefaultTransport does. If an SDK upgrade
// makes this fail, the tests can switch to option.WithHTTPClient.
func TestFirebaseSDKKeyFetchIgnoresWithHTTPClient(t *testing.T) {
	var optionClientUsed atomic.Int32
	optionClient := &http.Client{Transport: roundTripperFunc(func(*http.Request) (*http.Response, error) {
		optionClientUsed.Add(1)
		return nil, errors.New("test: option client must not be used")
	})}
	guard := &dialGuard{} // no key server: refuse and record everything
	v := newVerifierWithKeys(t, nil, guard,
		option.WithHTTPClient(optionClient),
		option.WithTokenSource(noCredentials{})) // keeps credential discovery off

	tok := signFirebaseToken(t, generateRSAKey(t), map[string]any{"alg": "RS256", "kid": "kid-1"}, firebaseClaims(time.Now()))
	_, err := v.Verify(context.Background(), tok)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify = %v; want a key fetch failure", err)
	}
	if !slices.Contains(guard.refusedAddrs(), googleKeyHost+":443") {
		t.Errorf("key fetch did not go through http.DefaultTransport's clone; refused dials: %v", guard.refusedAddrs())
	}
	if n := optionClientUsed.Load(); n != 0 {
		t.Errorf("option.WithHTTPClient was used %d times for key fetches", n)
	}
}

func TestNewFirebaseVerifierNeedsProject(t *testing.T) {
	if _, err := NewFirebaseVerifier(context.Background(), ""); err == nil {
		t.Fatal("NewFirebaseVerifier without a project id succeeded")
	}
}

func TestCheckEmulatorAllowed(t *testing.T) {
	t.Setenv(emulatorHostEnv, "")
	if err := CheckEmulatorAllowed("production"); err != nil {
		t.Fatalf("no emulator, production: %v", err)
	}
	t.Setenv(emulatorHostEnv, "127.0.0.1:9099")
	if err := CheckEmulatorAllowed("production"); err == nil {
		t.Fatal("emulator in production allowed")
	}
	if err := CheckEmulatorAllowed("development"); err != nil {
		t.Fatalf("emulator in development: %v", err)
	}
}

// With the emulator configured but down, the SDK cannot decide; that must
// not read as a bad token (developers would be signed out of their apps).
func TestFirebaseVerifierEmulatorDownIsNotAnInvalidToken(t *testing.T) {
	t.Setenv(emulatorHostEnv, "127.0.0.1:"+strconv.Itoa(freePort(t)))
	v, err := NewFirebaseVerifier(context.Background(), testProject)
	if err != nil {
		t.Fatal(err)
	}
	tok := b64JSON(t, map[string]string{"alg": "none"}) + "." + b64JSON(t, firebaseClaims(time.Now())) + "."
	// The SDK retries with backoff; the deadline keeps the test short.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = v.Verify(ctx, tok)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify = %v; want an error that is not ErrInvalidToken", err)
	}
}
