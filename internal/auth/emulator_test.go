//go:build unix

package auth

import (
	"aftercare/internal/testenv"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
)

// The emulator test runs the real Firebase Auth emulator (firebase-tools,
// from npm) and checks FirebaseVerifier against the tokens it issues. It
// skips when the CLI is not installed, except under CI=true, where a missing
// emulator must fail the run rather than silently drop the test. Install:
//
//	internal/auth/testdata/install-emulator.sh
//
// FIREBASE_TOOLS_BIN overrides where the firebase binary is looked for.

const emulatorAPIKey = "fake-api-key" // the emulator accepts any key

func TestFirebaseVerifierWithEmulator(t *testing.T) {
	emu := startAuthEmulator(t)
	t.Setenv(emulatorHostEnv, emu.host)

	v, err := NewFirebaseVerifier(context.Background(), testProject)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Emulated() {
		t.Fatal("verifier is not in emulator mode")
	}
	admin := emu.adminClient(t)
	ctx := context.Background()

	var ownerUID string
	t.Run("owner signs in by phone", func(t *testing.T) {
		const phone = "+15555550123"
		uid, tok := emu.signInWithPhone(t, phone)
		ownerUID = uid
		got, err := v.Verify(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		want := Identity{UID: uid, Phone: phone, Provider: ProviderFirebase}
		if *got != want {
			t.Fatalf("Verify = %+v, want %+v", *got, want)
		}
	})

	t.Run("staff with custom claims", func(t *testing.T) {
		const email, password = "advisor@example.com", "correct-horse-9"
		uid, tok := emu.signUp(t, email, password)

		// Before verification and claims: an owner-shaped identity whose
		// unverified e-mail is not trusted.
		got, err := v.Verify(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Identity{UID: uid, Provider: ProviderFirebase}); *got != want {
			t.Fatalf("fresh sign-up: Verify = %+v, want %+v", *got, want)
		}

		if _, err := admin.UpdateUser(ctx, uid, (&fbauth.UserToUpdate{}).EmailVerified(true)); err != nil {
			t.Fatal(err)
		}
		claims := map[string]any{"role": "advisor", "dealership_id": 7, "dealer_group_id": 3}
		if err := admin.SetCustomUserClaims(ctx, uid, claims); err != nil {
			t.Fatal(err)
		}
		tok = emu.signInWithPassword(t, email, password)
		got, err = v.Verify(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		want := Identity{UID: uid, Email: email, Role: RoleAdvisor, DealershipID: 7, DealerGroupID: 3, Provider: ProviderFirebase}
		if *got != want {
			t.Fatalf("staff: Verify = %+v, want %+v", *got, want)
		}

		// End to end through the middleware.
		h := newHarness(t, v)
		if rec := h.do("Bearer " + tok); rec.Code != http.StatusNoContent || !h.seen.HasRole(RoleAdvisor) || h.seen.DealershipID != 7 {
			t.Fatalf("middleware: status %d, viewer %v", rec.Code, h.seen)
		}
	})

	t.Run("unknown role claim is refused", func(t *testing.T) {
		const email, password = "janitor@example.com", "correct-horse-9"
		uid, _ := emu.signUp(t, email, password)
		if err := admin.SetCustomUserClaims(ctx, uid, map[string]any{"role": "janitor", "dealership_id": 7, "dealer_group_id": 3}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, emu.signInWithPassword(t, email, password)); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("Verify = %v, want ErrInvalidToken", err)
		}
	})

	// Emulator mode trusts unsigned tokens (hence CheckEmulatorAllowed), but
	// the SDK still checks project, lifetime and that the user exists.
	t.Run("emulator mode checks all but the signature", func(t *testing.T) {
		if ownerUID == "" {
			t.Skip("needs the owner from the phone sign-in")
		}
		now := time.Now()
		unsigned := func(edits ...func(map[string]any)) string {
			edits = append([]func(map[string]any){set("sub", ownerUID), set("user_id", ownerUID)}, edits...)
			return b64JSON(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64JSON(t, firebaseClaims(now, edits...)) + "."
		}
		if _, err := v.Verify(ctx, unsigned()); err != nil {
			t.Fatalf("well-formed unsigned token refused in emulator mode: %v", err)
		}
		for name, tok := range map[string]string{
			"unknown user":  unsigned(set("sub", "no-such-user"), set("user_id", "no-such-user")),
			"other project": unsigned(set("aud", "other-project")),
			"expired":       unsigned(set("iat", now.Add(-3*time.Hour).Unix()), set("exp", now.Add(-2*time.Hour).Unix())),
		} {
			if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("%s: Verify = %v, want ErrInvalidToken", name, err)
			}
		}
	})
}

// authEmulator is a running `firebase emulators:start --only auth`.
type authEmulator struct {
	host   string // 127.0.0.1:port
	client *http.Client
}

func firebaseToolsBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("FIREBASE_TOOLS_BIN"); bin != "" {
		return bin
	}
	version, err := os.ReadFile(filepath.Join("testdata", "firebase-tools.version"))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("FIREBASE_TOOLS_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(cache, "aftercare", "firebase-tools", strings.TrimSpace(string(version)))
	}
	return filepath.Join(dir, "node_modules", ".bin", "firebase")
}

func startAuthEmulator(t *testing.T) *authEmulator {
	t.Helper()
	bin := firebaseToolsBin(t)
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("Firebase Auth emulator not installed (%v); run internal/auth/testdata/install-emulator.sh or set FIREBASE_TOOLS_BIN", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: not skipping)")
		}
		t.Skip(msg)
	}

	dir := t.TempDir()
	authPort, hubPort, logPort := freePort(t), freePort(t), freePort(t)
	config := fmt.Sprintf(`{"emulators": {
		"auth": {"host": "127.0.0.1", "port": %d},
		"hub": {"host": "127.0.0.1", "port": %d},
		"logging": {"host": "127.0.0.1", "port": %d},
		"ui": {"enabled": false}}}`, authPort, hubPort, logPort)
	if err := os.WriteFile(filepath.Join(dir, "firebase.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "emulators:start", "--only", "auth", "--project", testProject)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"CI=true",                         // non-interactive; also skips the CLI's MOTD fetch from the internet
		"NO_UPDATE_NOTIFIER=1",            // no npm registry check
		"XDG_CONFIG_HOME="+t.TempDir(),    // keep the CLI's configstore out of $HOME
		"FIREBASE_AUTH_EMULATOR_HOST=",    // the CLI itself must not chase an outer emulator
		"GOOGLE_APPLICATION_CREDENTIALS=", // nor real credentials
	)
	var out testenv.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so cleanup can stop its children too
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { stopProcessGroup(t, cmd.Process.Pid, exited) })

	emu := &authEmulator{
		host:   fmt.Sprintf("127.0.0.1:%d", authPort),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := emu.client.Get("http://" + emu.host + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return emu
			}
		}
		select {
		case err := <-exited:
			exited <- err // for cleanup
			t.Fatalf("emulator exited early (%v):\n%s", err, out.String())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator not ready after 90s:\n%s", out.String())
		}
	}
}

// stopProcessGroup asks the emulator to shut down (it saves nothing, so a
// clean stop is quick) and kills its process group if it lingers.
func stopProcessGroup(t *testing.T, pid int, exited chan error) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Logf("emulator ignored SIGTERM; killing process group %d", pid)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
}

// adminClient is an Admin SDK client in emulator mode (the caller has set
// FIREBASE_AUTH_EMULATOR_HOST), as staff tooling would use to set claims.
func (e *authEmulator) adminClient(t *testing.T) *fbauth.Client {
	t.Helper()
	app, err := firebase.NewApp(context.Background(), &firebase.Config{ProjectID: testProject})
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Auth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call posts body to an emulator endpoint and decodes the JSON answer.
func (e *authEmulator) call(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	url := "http://" + e.host + path
	if strings.Contains(path, "identitytoolkit") {
		url += "?key=" + emulatorAPIKey
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, raw)
	}
}

type tokenResponse struct {
	LocalID string `json:"localId"`
	IDToken string `json:"idToken"`
}

const toolkit = "/identitytoolkit.googleapis.com/v1/"

func (e *authEmulator) signUp(t *testing.T, email, password string) (uid, idToken string) {
	var r tokenResponse
	e.call(t, http.MethodPost, toolkit+"accounts:signUp",
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &r)
	return r.LocalID, r.IDToken
}

func (e *authEmulator) signInWithPassword(t *testing.T, email, password string) string {
	var r tokenResponse
	e.call(t, http.MethodPost, toolkit+"accounts:signInWithPassword",
		map[string]any{"email": email, "password": password, "returnSecureToken": true}, &r)
	return r.IDToken
}

// signInWithPhone runs the SMS flow: request a code, read it from the
// emulator's code list (where a phone would receive it), and sign in.
func (e *authEmulator) signInWithPhone(t *testing.T, phone string) (uid, idToken string) {
	var sent struct {
		SessionInfo string `json:"sessionInfo"`
	}
	e.call(t, http.MethodPost, toolkit+"accounts:sendVerificationCode",
		map[string]any{"phoneNumber": phone, "recaptchaToken": "emulator-ignores-this"}, &sent)
	var codes struct {
		VerificationCodes []struct {
			SessionInfo string `json:"sessionInfo"`
			Code        string `json:"code"`
		} `json:"verificationCodes"`
	}
	e.call(t, http.MethodGet, "/emulator/v1/projects/"+testProject+"/verificationCodes", nil, &codes)
	var code string
	for _, c := range codes.VerificationCodes {
		if c.SessionInfo == sent.SessionInfo {
			code = c.Code
		}
	}
	if code == "" {
		t.Fatal("emulator issued no verification code")
	}
	var r tokenResponse
	e.call(t, http.MethodPost, toolkit+"accounts:signInWithPhoneNumber",
		map[string]any{"sessionInfo": sent.SessionInfo, "code": code}, &r)
	return r.LocalID, r.IDToken
}
