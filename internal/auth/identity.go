package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrInvalidToken reports that a token was rejected: malformed, badly signed,
// expired, for another audience, or carrying claims we do not accept.
// Verifiers wrap the cause with %w for the logs; clients only ever see a
// generic "invalid or expired token".
//
// Any other error from a Verifier means it could not decide (for example the
// signing keys could not be fetched); the middleware answers 503 then, so
// that clients do not sign users out over our outage.
var ErrInvalidToken = errors.New("auth: invalid token")

// Identity is who a verified token says the caller is. It holds claims only:
// no database lookups have happened yet (see Resolver).
type Identity struct {
	UID   string // the token's subject: Firebase uid, or the local signer's
	Phone string // verified phone number (E.164), empty if none
	Email string // verified e-mail, empty if none or not verified
	// Staff claims. An empty Role means the caller is an owner; owners'
	// store and group ids are always zero.
	Role          Role
	DealershipID  int
	DealerGroupID int
	Provider      string // "firebase" or "local"
}

// Providers that produce Identities.
const (
	ProviderFirebase = "firebase"
	ProviderLocal    = "local"
)

// IsStaff reports whether the token carries a staff role.
func (id *Identity) IsStaff() bool { return id.Role != "" }

// Verifier checks a raw bearer token and returns the Identity it proves.
type Verifier interface {
	Verify(ctx context.Context, rawToken string) (*Identity, error)
}

// Custom claim names, shared by Firebase custom claims and the local signer
// so that both produce Identities the same way.
const (
	claimRole          = "role"
	claimDealershipID  = "dealership_id"
	claimDealerGroupID = "dealer_group_id"
	claimPhone         = "phone_number"
	claimEmail         = "email"
	claimEmailVerified = "email_verified"
)

// identityFromClaims builds an Identity from the claims of a token whose
// signature, issuer, audience and lifetime the caller has already checked.
// It fails closed: a present but malformed staff claim rejects the token
// rather than quietly downgrading a staff member to an owner.
func identityFromClaims(provider, uid string, claims map[string]any) (*Identity, error) {
	if uid == "" {
		return nil, fmt.Errorf("%w: empty subject", ErrInvalidToken)
	}
	id := &Identity{UID: uid, Provider: provider}

	var err error
	if id.Phone, err = stringClaim(claims, claimPhone); err != nil {
		return nil, err
	}
	email, err := stringClaim(claims, claimEmail)
	if err != nil {
		return nil, err
	}
	// An unverified address could belong to anyone; linking a first
	// sign-in by it would hand over someone else's owner record.
	if verified, _ := claims[claimEmailVerified].(bool); verified {
		id.Email = email
	}

	rawRole, present := claims[claimRole]
	if !present {
		return id, nil // an owner: any store claims are ignored
	}
	roleName, ok := rawRole.(string)
	if !ok {
		return nil, fmt.Errorf("%w: claim %q is not a string", ErrInvalidToken, claimRole)
	}
	if id.Role, err = ParseRole(roleName); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if id.DealershipID, err = idClaim(claims, claimDealershipID); err != nil {
		return nil, err
	}
	if id.DealerGroupID, err = idClaim(claims, claimDealerGroupID); err != nil {
		return nil, err
	}
	if err := id.checkScope(); err != nil {
		return nil, err
	}
	return id, nil
}

// checkScope enforces that every staff token names the group it belongs to,
// store staff also name their store, and group admins (who see every store
// of the group) name none, so that store scoping is never ambiguous.
func (id *Identity) checkScope() error {
	if id.DealerGroupID == 0 {
		return fmt.Errorf("%w: staff token without %s", ErrInvalidToken, claimDealerGroupID)
	}
	switch {
	case id.Role == RoleGroupAdmin && id.DealershipID != 0:
		return fmt.Errorf("%w: group admin token with %s", ErrInvalidToken, claimDealershipID)
	case id.Role != RoleGroupAdmin && id.DealershipID == 0:
		return fmt.Errorf("%w: %s token without %s", ErrInvalidToken, id.Role, claimDealershipID)
	}
	return nil
}

func stringClaim(claims map[string]any, name string) (string, error) {
	v, ok := claims[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: claim %q is not a string", ErrInvalidToken, name)
	}
	return s, nil
}

// idClaim reads a positive integer record id. JSON numbers decode as float64
// (or json.Number with UseNumber); anything fractional, negative, out of
// range or not a number is rejected. Absent means 0. Ids are 64-bit (ent's
// global ids put each type in its own 2^32 range), and a float64 holds
// integers exactly up to 2^53.
func idClaim(claims map[string]any, name string) (int, error) {
	v, ok := claims[name]
	if !ok || v == nil {
		return 0, nil
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("%w: claim %q is not an integer", ErrInvalidToken, name)
		}
		f = float64(i)
	default:
		return 0, fmt.Errorf("%w: claim %q is not a number", ErrInvalidToken, name)
	}
	if f != math.Trunc(f) || f < 0 || f > 1<<53 {
		return 0, fmt.Errorf("%w: claim %q is not a valid id", ErrInvalidToken, name)
	}
	return int(f), nil
}

// NewViewer returns the viewer that id's claims alone justify: an owner not
// yet linked to a record, or staff with the role and store of the token.
// Resolvers start from it and fill in OwnerID or StaffID from the database.
func NewViewer(id *Identity) *Viewer {
	v := &Viewer{
		Kind:    KindOwner,
		AuthUID: id.UID,
		Phone:   id.Phone,
		Email:   id.Email,
	}
	if id.IsStaff() {
		v.Kind = KindStaff
		v.Role = id.Role
		v.DealershipID = id.DealershipID
		v.DealerGroupID = id.DealerGroupID
	}
	return v
}
