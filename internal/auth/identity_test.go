package auth

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestIdentityFromClaims(t *testing.T) {
	staff := func(extra map[string]any) map[string]any {
		c := map[string]any{"role": "advisor", "dealership_id": 7.0, "dealer_group_id": 3.0}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		claims map[string]any
		want   *Identity // nil: rejected with ErrInvalidToken
	}{
		{"owner with phone", map[string]any{"phone_number": "+15555550100"},
			&Identity{UID: "u", Phone: "+15555550100", Provider: "p"}},
		{"verified email kept", map[string]any{"email": "a@example.com", "email_verified": true},
			&Identity{UID: "u", Email: "a@example.com", Provider: "p"}},
		{"unverified email dropped", map[string]any{"email": "a@example.com", "email_verified": false},
			&Identity{UID: "u", Provider: "p"}},
		{"email_verified as a string is not verified", map[string]any{"email": "a@example.com", "email_verified": "true"},
			&Identity{UID: "u", Provider: "p"}},
		{"store claims without a role are ignored", map[string]any{"dealership_id": 7.0, "dealer_group_id": 3.0},
			&Identity{UID: "u", Provider: "p"}},
		{"staff", staff(nil),
			&Identity{UID: "u", Role: RoleAdvisor, DealershipID: 7, DealerGroupID: 3, Provider: "p"}},
		{"staff ids as json.Number", staff(map[string]any{"dealership_id": json.Number("7"), "dealer_group_id": json.Number("3")}),
			&Identity{UID: "u", Role: RoleAdvisor, DealershipID: 7, DealerGroupID: 3, Provider: "p"}},
		{"group admin", map[string]any{"role": "group_admin", "dealer_group_id": 3.0},
			&Identity{UID: "u", Role: RoleGroupAdmin, DealerGroupID: 3, Provider: "p"}},
		{"unknown role", staff(map[string]any{"role": "janitor"}), nil},
		{"empty role", staff(map[string]any{"role": ""}), nil},
		{"role not a string", staff(map[string]any{"role": 1.0}), nil},
		{"role with different case", staff(map[string]any{"role": "Advisor"}), nil},
		{"fractional id", staff(map[string]any{"dealership_id": 7.5}), nil},
		{"negative id", staff(map[string]any{"dealership_id": -7.0}), nil},
		{"id beyond float64 precision", staff(map[string]any{"dealership_id": 1e17}), nil},
		{"64-bit global id", staff(map[string]any{"dealership_id": float64(8589934593)}), &Identity{UID: "u", Role: RoleAdvisor, DealershipID: 8589934593, DealerGroupID: 3, Provider: "p"}},
		{"id as a string", staff(map[string]any{"dealership_id": "7"}), nil},
		{"json.Number fraction", staff(map[string]any{"dealership_id": json.Number("7.5")}), nil},
		{"store staff without store", staff(map[string]any{"dealership_id": nil}), nil},
		{"staff without group", map[string]any{"role": "advisor", "dealership_id": 7.0}, nil},
		{"group admin with a store", map[string]any{"role": "group_admin", "dealership_id": 7.0, "dealer_group_id": 3.0}, nil},
		{"phone not a string", map[string]any{"phone_number": 5555550100.0}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := identityFromClaims("p", "u", tc.claims)
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("got %+v, %v; want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != *tc.want {
				t.Fatalf("got %+v, want %+v", *got, *tc.want)
			}
		})
	}
	if _, err := identityFromClaims("p", "", nil); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("empty uid: err = %v, want ErrInvalidToken", err)
	}
}

func TestNewViewer(t *testing.T) {
	owner := NewViewer(&Identity{UID: "u1", Phone: "+15555550100", Email: "o@example.com"})
	if want := (Viewer{Kind: KindOwner, AuthUID: "u1", Phone: "+15555550100", Email: "o@example.com"}); *owner != want {
		t.Errorf("owner viewer = %#v", *owner)
	}
	staff := NewViewer(&Identity{UID: "u2", Role: RoleCareAgent, DealershipID: 7, DealerGroupID: 3})
	if want := (Viewer{Kind: KindStaff, AuthUID: "u2", Role: RoleCareAgent, DealershipID: 7, DealerGroupID: 3}); *staff != want {
		t.Errorf("staff viewer = %#v", *staff)
	}
}
