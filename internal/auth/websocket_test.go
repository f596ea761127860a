package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestViewerFromInitPayload(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	tok, err := signer.Sign(Identity{UID: "owner-1", Phone: "+15555550100"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	verifiers := []Verifier{signer}
	resolver := &recordingResolver{}

	accepted := []map[string]any{
		{"authorization": "Bearer " + tok},
		{"Authorization": "Bearer " + tok},
		{"token": tok},
		{"token": "Bearer " + tok},
		{"authorization": "", "token": tok},
	}
	for _, payload := range accepted {
		v, err := ViewerFromInitPayload(context.Background(), payload, verifiers, resolver)
		if err != nil {
			t.Fatalf("%v: %v", keys(payload), err)
		}
		if !v.IsOwner() || v.OwnerID != 21 || v.AuthUID != "owner-1" {
			t.Fatalf("%v: viewer %#v", keys(payload), v)
		}
	}

	for _, payload := range []map[string]any{nil, {}, {"other": "x"}, {"token": ""}, {"authorization": nil}} {
		v, err := ViewerFromInitPayload(context.Background(), payload, verifiers, resolver)
		if err != nil || !v.IsAnonymous() {
			t.Fatalf("%v: got %v, %v; want anonymous", payload, v, err)
		}
	}

	rejected := []map[string]any{
		{"authorization": "Bearer " + tok + "x"},
		{"token": "garbage"},
		{"authorization": tok}, // no scheme: ambiguous, refused
		{"Authorization": "Basic dXNlcjpwYXNz"},
		{"authorization": 42},
		{"token": map[string]any{"t": tok}},
		{"authorization": "Bearer "},
	}
	for _, payload := range rejected {
		v, err := ViewerFromInitPayload(context.Background(), payload, verifiers, resolver)
		if !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("%v: got %v, %v; want ErrInvalidToken", keys(payload), v, err)
		}
		// gqlgen sends an InitFunc error's text to the client.
		var f *Failure
		if !errors.As(err, &f) || err.Error() != "invalid or expired token" || f.Code != "UNAUTHENTICATED" {
			t.Fatalf("%v: error %q (%T) is not a safe Failure", keys(payload), err, err)
		}
		if f.Cause == nil || strings.Contains(f.Cause.Error(), tok) {
			t.Fatalf("%v: cause %v missing or carrying the token", keys(payload), f.Cause)
		}
	}

	_, err = ViewerFromInitPayload(context.Background(), map[string]any{"token": tok},
		[]Verifier{stubVerifier{err: errors.New("keys down")}}, resolver)
	var f *Failure
	if !errors.As(err, &f) || f.Code != "UNAVAILABLE" || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unavailable verifier: err = %v", err)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A websocket connection outlives the request that signed it in, so its
// viewer must not carry the record the sign-in read (`me` reads afresh).
func TestWebsocketViewerDropsTheSignInRecord(t *testing.T) {
	signer := NewLocalSigner(testSecret, testIssuer)
	tok, err := signer.Sign(Identity{UID: "owner-1", Phone: "+15555550100"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resolver := &recordingResolver{override: func(id *Identity) (*Viewer, error) {
		v := NewViewer(id)
		v.OwnerID, v.SignedIn = 21, "the owner row"
		return v, nil
	}}
	v, err := ViewerFromInitPayload(context.Background(), map[string]any{"token": tok}, []Verifier{signer}, resolver)
	if err != nil {
		t.Fatal(err)
	}
	if v.OwnerID != 21 || v.SignedIn != nil {
		t.Fatalf("viewer %#v keeps SignedIn %v", v, v.SignedIn)
	}
}
