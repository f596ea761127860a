package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// LocalAudience is the audience of locally signed tokens. It differs from any
// Firebase project id, so a local token can never pass as a Firebase one.
const LocalAudience = "aftercare-local"

const (
	// localMinSecret is the HS256 key size RFC 7518 asks for (256 bits).
	localMinSecret = 32
	// localLeeway forgives small clock differences between the machine that
	// minted a token (a developer's `token` command) and the server.
	localLeeway = 30 * time.Second
)

// LocalSigner mints and verifies HS256 tokens for development and tests, so
// that neither needs a Firebase project. It carries the same claims as a
// Firebase ID token. Refuse it in production with CheckLocalAllowed.
type LocalSigner struct {
	secret []byte
	issuer string
	now    func() time.Time // replaced in tests
}

// NewLocalSigner returns a signer with the given HMAC secret (at least 32
// bytes; with a shorter one Sign and Verify fail) and issuer name.
func NewLocalSigner(secret []byte, issuer string) *LocalSigner {
	return &LocalSigner{
		secret: append([]byte(nil), secret...), // the caller may reuse its slice
		issuer: issuer,
		now:    time.Now,
	}
}

// CheckLocalAllowed refuses the local signer in production, where a shared
// secret in a config file would be a master key to every account.
func CheckLocalAllowed(appEnv string) error {
	if isProduction(appEnv) {
		return errors.New("auth: the local token signer is not allowed in production")
	}
	return nil
}

func isProduction(appEnv string) bool {
	return strings.EqualFold(strings.TrimSpace(appEnv), "production")
}

func (s *LocalSigner) checkConfig() error {
	if len(s.secret) < localMinSecret {
		return fmt.Errorf("auth: local signer secret must be at least %d bytes", localMinSecret)
	}
	if s.issuer == "" {
		return errors.New("auth: local signer issuer is required")
	}
	return nil
}

// Sign returns a token for id valid for ttl. It refuses identities that
// Verify would reject, so a bad seed or test fixture fails where it is made.
func (s *LocalSigner) Sign(id Identity, ttl time.Duration) (string, error) {
	if err := s.checkConfig(); err != nil {
		return "", err
	}
	if id.UID == "" {
		return "", errors.New("auth: local signer: identity has no uid")
	}
	if ttl <= 0 {
		return "", errors.New("auth: local signer: ttl must be positive")
	}
	now := s.now()
	claims := jwt.MapClaims{
		"iss": s.issuer,
		"aud": LocalAudience,
		"sub": id.UID,
		"iat": now.Unix(),
		"exp": now.Add(ttl).Unix(),
	}
	if id.Phone != "" {
		claims[claimPhone] = id.Phone
	}
	if id.Email != "" {
		claims[claimEmail] = id.Email
		claims[claimEmailVerified] = true // Identity.Email is verified by definition
	}
	if id.Role != "" {
		if !id.Role.Valid() {
			return "", fmt.Errorf("auth: local signer: unknown role %q", id.Role)
		}
		if err := id.checkScope(); err != nil {
			return "", fmt.Errorf("auth: local signer: %w", err)
		}
		claims[claimRole] = string(id.Role)
		claims[claimDealerGroupID] = id.DealerGroupID
		if id.DealershipID != 0 {
			claims[claimDealershipID] = id.DealershipID
		}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// localParser accepts HS256 only: pinning the algorithm is what stops "none"
// and algorithm-confusion tokens. Claims are checked below against the
// signer's own clock, hence WithoutClaimsValidation.
var localParser = jwt.NewParser(
	jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
	jwt.WithJSONNumber(),
	jwt.WithoutClaimsValidation(),
)

// Verify checks a token made by Sign: signature, issuer, audience, and that
// iat and exp are present and current. Rejections wrap ErrInvalidToken.
func (s *LocalSigner) Verify(_ context.Context, rawToken string) (*Identity, error) {
	if err := s.checkConfig(); err != nil {
		return nil, err
	}
	claims := jwt.MapClaims{}
	_, err := localParser.ParseWithClaims(rawToken, claims, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected signing method %q", t.Header["alg"])
		}
		return s.secret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: local: %w", ErrInvalidToken, err)
	}

	now := s.now()
	switch {
	case !claims.VerifyIssuer(s.issuer, true):
		return nil, fmt.Errorf("%w: local: wrong issuer", ErrInvalidToken)
	case !claims.VerifyAudience(LocalAudience, true):
		return nil, fmt.Errorf("%w: local: wrong audience", ErrInvalidToken)
	case !claims.VerifyExpiresAt(now.Add(-localLeeway).Unix(), true):
		return nil, fmt.Errorf("%w: local: expired or no exp", ErrInvalidToken)
	case !claims.VerifyIssuedAt(now.Add(localLeeway).Unix(), true):
		return nil, fmt.Errorf("%w: local: issued in the future or no iat", ErrInvalidToken)
	case !claims.VerifyNotBefore(now.Add(localLeeway).Unix(), false):
		return nil, fmt.Errorf("%w: local: not yet valid", ErrInvalidToken)
	}
	sub, _ := claims["sub"].(string)
	return identityFromClaims(ProviderLocal, sub, claims)
}
