package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	for _, r := range []Role{RoleAdvisor, RoleTechnician, RoleCareAgent, RoleCareManager, RoleServiceManager, RoleGeneralManager, RoleGroupAdmin} {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, s := range []string{"", "admin", "ADVISOR", " advisor"} {
		if _, err := ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q) succeeded, want an error", s)
		}
	}
}

func TestKindString(t *testing.T) {
	want := map[Kind]string{KindAnonymous: "anonymous", KindOwner: "owner", KindStaff: "staff", KindWidget: "widget", KindSystem: "system", Kind(42): "Kind(42)"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

func TestFromContextIsNeverNil(t *testing.T) {
	ctx := context.Background()
	if v := FromContext(ctx); v == nil || !v.IsAnonymous() {
		t.Fatalf("FromContext(empty) = %v, want anonymous", v)
	}
	// Mutating the returned default must not leak into the next caller.
	FromContext(ctx).Kind = KindSystem
	if !FromContext(ctx).IsAnonymous() {
		t.Fatal("default viewer is shared between callers")
	}

	staffCtx := NewContext(ctx, &Viewer{Kind: KindStaff, Role: RoleAdvisor})
	if v := FromContext(staffCtx); !v.IsStaff() {
		t.Fatalf("FromContext = %v, want the stored staff viewer", v)
	}
	// A nil viewer stored over a staff one must not expose the outer one.
	if v := FromContext(NewContext(staffCtx, nil)); !v.IsAnonymous() {
		t.Fatalf("after NewContext(nil) FromContext = %v, want anonymous", v)
	}
	if v := FromContext(SystemContext(ctx)); !v.IsSystem() {
		t.Fatalf("SystemContext viewer = %v, want system", v)
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		v                                       Viewer
		anonymous, owner, staff, widget, system bool
	}{
		{Viewer{}, true, false, false, false, false},
		{Viewer{Kind: KindOwner}, false, true, false, false, false},
		{Viewer{Kind: KindStaff}, false, false, true, false, false},
		{Viewer{Kind: KindWidget}, false, false, false, true, false},
		{Viewer{Kind: KindSystem}, false, false, false, false, true},
	}
	for _, tc := range tests {
		v := tc.v
		got := [5]bool{v.IsAnonymous(), v.IsOwner(), v.IsStaff(), v.IsWidget(), v.IsSystem()}
		if want := [5]bool{tc.anonymous, tc.owner, tc.staff, tc.widget, tc.system}; got != want {
			t.Errorf("%v: predicates = %v, want %v", v.Kind, got, want)
		}
	}
}

func TestHasRole(t *testing.T) {
	advisor := &Viewer{Kind: KindStaff, Role: RoleAdvisor}
	if !advisor.HasRole(RoleTechnician, RoleAdvisor) {
		t.Error("advisor.HasRole(technician, advisor) = false")
	}
	if advisor.HasRole(RoleServiceManager) || advisor.HasRole() {
		t.Error("advisor has a role it does not hold")
	}
	// A role on anything but staff grants nothing.
	for _, k := range []Kind{KindAnonymous, KindOwner, KindWidget, KindSystem} {
		if (&Viewer{Kind: k, Role: RoleGroupAdmin}).HasRole(RoleGroupAdmin) {
			t.Errorf("%v viewer with a role passes HasRole", k)
		}
	}
	if (&Viewer{Kind: KindStaff, Role: "janitor"}).HasRole("janitor") {
		t.Error("an unknown role passes HasRole")
	}
}

// TestViewerKeepsPersonalDataOutOfOutput checks every common way a viewer
// ends up in a log line: slog (text and JSON), fmt verbs and json.Marshal.
func TestViewerKeepsPersonalDataOutOfOutput(t *testing.T) {
	v := &Viewer{
		Kind: KindStaff, AuthUID: "firebase-uid-xyz", StaffID: 11, Role: RoleCareManager,
		DealershipID: 7, DealerGroupID: 3, Phone: "+15555550100", Email: "secret@example.com",
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "viewer", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "viewer", *v)
	fmt.Fprintf(&buf, "%v %+v %#v %s %v %+v %#v\n", v, v, v, v, *v, *v, *v)
	out := buf.String()
	// The Firebase uid is pseudonymous personal data: logs use record ids.
	if strings.Contains(out, "firebase-uid-xyz") {
		t.Errorf("log output contains the auth uid:\n%s", out)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	all := out + string(b)
	for _, secret := range []string{"5555550100", "secret@example.com"} {
		if strings.Contains(all, secret) {
			t.Errorf("output contains %q:\n%s", secret, all)
		}
	}
	for _, want := range []string{`"kind":"staff"`, `"role":"care_manager"`, `"staff_id":11`, `"dealership_id":7`, `"dealer_group_id":3`, "viewer.kind=staff"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
