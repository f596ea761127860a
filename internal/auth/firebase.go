package auth

import (
	"context"
	"errors"
	"fmt"
	"os"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"
)

// emulatorHostEnv is the variable with which the Admin SDK switches itself to
// the Auth emulator. In that mode it does NOT check token signatures.
const emulatorHostEnv = "FIREBASE_AUTH_EMULATOR_HOST"

// FirebaseVerifier verifies Firebase Authentication ID tokens with the Admin
// SDK: RS256 signature against Google's published keys (fetched and cached
// by the SDK), issuer and audience of the project, lifetime and subject.
type FirebaseVerifier struct {
	client   *fbauth.Client
	emulated bool
}

// NewFirebaseVerifier returns a verifier for ID tokens of projectID.
//
// Verifying ID tokens needs no Google credentials, only the public keys. So
// with no opts the SDK is given a credential that always fails instead of
// running Application Default Credentials discovery, which would probe the
// GCE metadata server at start-up. Pass opts (e.g. credentials) only to use
// Admin features beyond verification. Note that the SDK fetches the signing
// keys with its own client cloned from http.DefaultTransport; an
// option.WithHTTPClient does not reach those fetches.
//
// When FIREBASE_AUTH_EMULATOR_HOST is set, the SDK trusts unsigned emulator
// tokens; see Emulated and CheckEmulatorAllowed.
func NewFirebaseVerifier(ctx context.Context, projectID string, opts ...option.ClientOption) (*FirebaseVerifier, error) {
	if projectID == "" {
		return nil, errors.New("auth: firebase project id is required")
	}
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithTokenSource(noCredentials{})}
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("auth: firebase app: %w", err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: firebase auth client: %w", err)
	}
	return &FirebaseVerifier{client: client, emulated: os.Getenv(emulatorHostEnv) != ""}, nil
}

// Emulated reports whether the verifier was built in emulator mode, where
// signatures are not checked and anyone can mint a token.
func (v *FirebaseVerifier) Emulated() bool { return v.emulated }

// Verify checks rawToken and maps its claims to an Identity. Rejections wrap
// ErrInvalidToken; a failure to fetch the signing keys does not, because the
// token may well be fine. In emulator mode the SDK also asks the emulator
// whether the user exists.
func (v *FirebaseVerifier) Verify(ctx context.Context, rawToken string) (*Identity, error) {
	tok, err := v.client.VerifyIDToken(ctx, rawToken)
	if err != nil {
		// The SDK tags every verdict on the token itself (malformed,
		// expired, bad signature, revoked, disabled; in emulator mode also
		// unknown user). Anything else, such as failing to fetch the keys
		// or to reach the emulator, says nothing about the token.
		if fbauth.IsIDTokenInvalid(err) || fbauth.IsUserNotFound(err) {
			return nil, fmt.Errorf("%w: firebase: %w", ErrInvalidToken, err)
		}
		return nil, fmt.Errorf("auth: firebase verification unavailable: %w", err)
	}
	// Tenants are not used by this project; a tenant's token must not pass
	// as a token of the project's own users.
	if tok.Firebase.Tenant != "" {
		return nil, fmt.Errorf("%w: firebase: unexpected tenant", ErrInvalidToken)
	}
	// Anonymous Firebase accounts are neither owners nor staff.
	if tok.Firebase.SignInProvider == "anonymous" {
		return nil, fmt.Errorf("%w: firebase: anonymous sign-in", ErrInvalidToken)
	}
	return identityFromClaims(ProviderFirebase, tok.UID, tok.Claims)
}

// CheckEmulatorAllowed refuses emulator mode in production: with the
// emulator variable set, the Admin SDK accepts unsigned tokens, so a stray
// variable in a production deployment would let anyone in as anyone.
func CheckEmulatorAllowed(appEnv string) error {
	if isProduction(appEnv) && os.Getenv(emulatorHostEnv) != "" {
		return fmt.Errorf("auth: %s is set in production; it disables token signature checks", emulatorHostEnv)
	}
	return nil
}

// noCredentials stands in for Google credentials where none are needed, so
// that nothing goes looking for them (see NewFirebaseVerifier).
type noCredentials struct{}

func (noCredentials) Token() (*oauth2.Token, error) {
	return nil, errors.New("auth: firebase verifier has no Google credentials; pass options to NewFirebaseVerifier to use Admin APIs")
}

// ClaimsSetter writes a staff member's role and store into their sign-in
// account, so that the next ID token carries them (grantStaffRole).
type ClaimsSetter interface {
	SetStaffClaims(ctx context.Context, uid string, role Role, dealershipID, dealerGroupID int) error
}

// SetStaffClaims implements ClaimsSetter with Firebase custom claims. It
// needs Admin credentials (GOOGLE_APPLICATION_CREDENTIALS) outside the
// emulator. An empty role removes the staff claims.
func (v *FirebaseVerifier) SetStaffClaims(ctx context.Context, uid string, role Role, dealershipID, dealerGroupID int) error {
	claims := map[string]any{}
	if role != "" {
		claims[claimRole] = string(role)
		claims[claimDealerGroupID] = dealerGroupID
		if dealershipID != 0 {
			claims[claimDealershipID] = dealershipID
		}
	}
	if err := v.client.SetCustomUserClaims(ctx, uid, claims); err != nil {
		return fmt.Errorf("auth: set custom claims: %w", err)
	}
	return nil
}
