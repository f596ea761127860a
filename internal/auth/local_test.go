package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes
	testIssuer = "aftercare-test"
	testNow    = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

func newTestSigner(secret []byte, issuer string, now time.Time) *LocalSigner {
	s := NewLocalSigner(secret, issuer)
	s.now = func() time.Time { return now }
	return s
}

// rawHS256 signs arbitrary claims with any HMAC method, bypassing Sign's
// checks, to build tokens a buggy or hostile minter might produce.
func rawHS256(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, secret []byte) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": testIssuer, "aud": LocalAudience, "sub": "uid-1",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(),
	}
}

func with(c jwt.MapClaims, key string, val any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	if val == nil {
		delete(out, key)
	} else {
		out[key] = val
	}
	return out
}

// replaceSegment swaps one dot-separated segment of a compact JWT.
func replaceSegment(tok string, i int, seg string) string {
	parts := strings.Split(tok, ".")
	parts[i] = seg
	return strings.Join(parts, ".")
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestLocalSignerVerify(t *testing.T) {
	signer := newTestSigner(testSecret, testIssuer, testNow)
	staff := Identity{UID: "staff-1", Email: "ann@example.com", Role: RoleAdvisor, DealershipID: 7, DealerGroupID: 3}
	owner := Identity{UID: "owner-1", Phone: "+15555550100"}

	mustSign := func(s *LocalSigner, id Identity, ttl time.Duration) string {
		t.Helper()
		tok, err := s.Sign(id, ttl)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		return tok
	}
	staffTok := mustSign(signer, staff, time.Hour)

	tests := []struct {
		name  string
		token string
		want  *Identity // nil: must be rejected with ErrInvalidToken
	}{
		{"valid staff", staffTok, &Identity{UID: "staff-1", Email: "ann@example.com", Role: RoleAdvisor, DealershipID: 7, DealerGroupID: 3, Provider: ProviderLocal}},
		{"valid owner", mustSign(signer, owner, time.Hour), &Identity{UID: "owner-1", Phone: "+15555550100", Provider: ProviderLocal}},
		{"valid group admin", mustSign(signer, Identity{UID: "ga", Role: RoleGroupAdmin, DealerGroupID: 3}, time.Hour),
			&Identity{UID: "ga", Role: RoleGroupAdmin, DealerGroupID: 3, Provider: ProviderLocal}},
		{"expired within leeway", mustSign(newTestSigner(testSecret, testIssuer, testNow.Add(-time.Hour-10*time.Second)), owner, time.Hour),
			&Identity{UID: "owner-1", Phone: "+15555550100", Provider: ProviderLocal}},
		{"expired", mustSign(newTestSigner(testSecret, testIssuer, testNow.Add(-2*time.Hour)), owner, time.Hour), nil},
		{"issued in the future", mustSign(newTestSigner(testSecret, testIssuer, testNow.Add(time.Hour)), owner, time.Hour), nil},
		{"wrong issuer", mustSign(newTestSigner(testSecret, "someone-else", testNow), owner, time.Hour), nil},
		{"wrong secret", mustSign(newTestSigner([]byte("another-secret-another-secret-xyz"), testIssuer, testNow), owner, time.Hour), nil},
		{"wrong audience", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "aud", "demo-aftercare"), testSecret), nil},
		{"no audience", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "aud", nil), testSecret), nil},
		{"no exp", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "exp", nil), testSecret), nil},
		{"no iat", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "iat", nil), testSecret), nil},
		{"not yet valid", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "nbf", testNow.Add(time.Hour).Unix()), testSecret), nil},
		{"no subject", rawHS256(t, jwt.SigningMethodHS256, with(goodClaims(), "sub", nil), testSecret), nil},
		{"unknown role", rawHS256(t, jwt.SigningMethodHS256, with(with(with(goodClaims(), "role", "janitor"), "dealership_id", 7), "dealer_group_id", 3), testSecret), nil},
		{"HS512 with the same secret", rawHS256(t, jwt.SigningMethodHS512, goodClaims(), testSecret), nil},
		{"tampered payload", func() string {
			// Move the advisor to another store: still well-formed claims,
			// so only the signature can catch it.
			var claims map[string]any
			seg, _ := base64.RawURLEncoding.DecodeString(strings.Split(staffTok, ".")[1])
			if err := json.Unmarshal(seg, &claims); err != nil {
				t.Fatal(err)
			}
			claims["dealership_id"] = 8
			return replaceSegment(staffTok, 1, b64JSON(t, claims))
		}(), nil},
		{"tampered signature", func() string {
			sig, err := base64.RawURLEncoding.DecodeString(strings.Split(staffTok, ".")[2])
			if err != nil {
				t.Fatal(err)
			}
			sig[0] ^= 0x01
			return replaceSegment(staffTok, 2, base64.RawURLEncoding.EncodeToString(sig))
		}(), nil},
		{"signature stripped", replaceSegment(staffTok, 2, ""), nil},
		{"alg none", b64JSON(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64JSON(t, goodClaims()) + ".", nil},
		{"alg none with the header swapped", replaceSegment(staffTok, 0, b64JSON(t, map[string]string{"alg": "none", "typ": "JWT"})), nil},
		{"garbage", "not.a.jwt", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := signer.Verify(context.Background(), tc.token)
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
}

func TestLocalSignerSignRefusesWhatVerifyWouldReject(t *testing.T) {
	good := newTestSigner(testSecret, testIssuer, testNow)
	tests := []struct {
		name   string
		signer *LocalSigner
		id     Identity
		ttl    time.Duration
	}{
		{"short secret", newTestSigner([]byte("short"), testIssuer, testNow), Identity{UID: "u"}, time.Hour},
		{"no issuer", newTestSigner(testSecret, "", testNow), Identity{UID: "u"}, time.Hour},
		{"no uid", good, Identity{}, time.Hour},
		{"zero ttl", good, Identity{UID: "u"}, 0},
		{"negative ttl", good, Identity{UID: "u"}, -time.Minute},
		{"unknown role", good, Identity{UID: "u", Role: "janitor", DealershipID: 1, DealerGroupID: 1}, time.Hour},
		{"store staff without store", good, Identity{UID: "u", Role: RoleTechnician, DealerGroupID: 1}, time.Hour},
		{"staff without group", good, Identity{UID: "u", Role: RoleTechnician, DealershipID: 1}, time.Hour},
		{"group admin with store", good, Identity{UID: "u", Role: RoleGroupAdmin, DealershipID: 1, DealerGroupID: 1}, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tok, err := tc.signer.Sign(tc.id, tc.ttl); err == nil {
				t.Fatalf("Sign = %q, want an error", tok)
			}
		})
	}
}

func TestLocalSignerMisconfiguredIsNotAnInvalidToken(t *testing.T) {
	// A short secret is our fault, not the client's: it must not read as
	// "invalid token", which would make clients sign their users out.
	_, err := NewLocalSigner([]byte("short"), testIssuer).Verify(context.Background(), "a.b.c")
	if err == nil || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify with short secret = %v, want a configuration error", err)
	}
}

func TestLocalSignerCopiesSecret(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	s := newTestSigner(secret, testIssuer, testNow)
	tok, err := s.Sign(Identity{UID: "u"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range secret {
		secret[i] = 0
	}
	if _, err := s.Verify(context.Background(), tok); err != nil {
		t.Fatalf("Verify after caller reused its secret slice: %v", err)
	}
}

func TestLocalTokenIsNotAFirebaseToken(t *testing.T) {
	tok, err := newTestSigner(testSecret, testIssuer, testNow).Sign(Identity{UID: "u"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	if claims["aud"] != LocalAudience {
		t.Fatalf("aud = %v, want %q", claims["aud"], LocalAudience)
	}
}

func TestCheckLocalAllowed(t *testing.T) {
	for _, env := range []string{"production", "Production", " production "} {
		if CheckLocalAllowed(env) == nil {
			t.Errorf("CheckLocalAllowed(%q) = nil, want an error", env)
		}
	}
	for _, env := range []string{"", "development", "test", "staging"} {
		if err := CheckLocalAllowed(env); err != nil {
			t.Errorf("CheckLocalAllowed(%q) = %v, want nil", env, err)
		}
	}
}
