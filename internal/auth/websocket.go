package auth

import (
	"context"
	"fmt"
	"strings"
)

// ViewerFromInitPayload authenticates a websocket connection_init payload.
// Clients put the credential under "authorization" or "Authorization" (as
// "Bearer <token>") or under "token" (bare, or with the Bearer prefix). No
// credential yields an anonymous viewer. Otherwise a failure is a *Failure
// (wrapping ErrInvalidToken when the token was rejected): its message is
// safe to send back, the caller should log its Cause and refuse the
// connection.
func ViewerFromInitPayload(ctx context.Context, payload map[string]any, verifiers []Verifier, resolve Resolver) (*Viewer, error) {
	raw, found, err := initPayloadToken(payload)
	if err != nil {
		return nil, newFailure(err)
	}
	if !found {
		return &Viewer{}, nil
	}
	v, err := authenticate(ctx, raw, verifiers, resolve)
	if err != nil {
		return nil, newFailure(err)
	}
	v.SignedIn = nil // the connection lives on; `me` reads the record afresh
	return v, nil
}

func initPayloadToken(payload map[string]any) (token string, found bool, err error) {
	for _, key := range []string{"authorization", "Authorization", "token"} {
		v, ok := payload[key]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return "", false, fmt.Errorf("%w: init payload %q is not a string", ErrInvalidToken, key)
		}
		if s == "" {
			continue
		}
		if t, isBearer := bearerToken(s); isBearer {
			return t, true, nil
		}
		if key == "token" {
			return strings.TrimSpace(s), true, nil
		}
		return "", false, fmt.Errorf("%w: init payload %q is not a Bearer credential", ErrInvalidToken, key)
	}
	return "", false, nil
}
