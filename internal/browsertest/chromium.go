// Package browsertest drives a real headless Chromium (Debian's package)
// through chromedp, for tests that must see what a browser sees: CORS,
// preflights, and later the booking widget end to end.
//
// Chromium comes from Debian: install it with
//
//	sh internal/browsertest/install-chromium.sh
//
// A test that calls Browser is skipped when Chromium is missing, except
// under CI=true, where that fails it. CHROMIUM_BIN overrides the binary.
package browsertest

import (
	"aftercare/internal/testenv"

	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultChromium is where Debian's chromium package puts its launcher.
const DefaultChromium = "/usr/bin/chromium"

// StartTimeout bounds how long Browser waits for Chromium to start.
const StartTimeout = 30 * time.Second

// ChromiumPath returns the Chromium binary ($CHROMIUM_BIN, else Debian's
// /usr/bin/chromium) and whether it is an executable file.
func ChromiumPath() (string, bool) {
	path := os.Getenv("CHROMIUM_BIN")
	if path == "" {
		path = DefaultChromium
	}
	fi, err := os.Stat(path)
	return path, err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// RequireChromium returns the Chromium binary, skipping t when there is
// none, or failing it under CI=true, where the browser tests must run.
func RequireChromium(t testing.TB) string {
	t.Helper()
	path, ok := ChromiumPath()
	if ok {
		return path
	}
	const how = "install it with: sh internal/browsertest/install-chromium.sh (or set CHROMIUM_BIN)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("Chromium is required under CI=true but %s is missing; %s", path, how)
	}
	t.Skipf("Chromium not found at %s, skipping browser test; %s", path, how)
	return ""
}

// Browser starts a headless Chromium with a fresh profile and returns the
// chromedp context of its first tab. The browser is closed and its profile
// removed when t ends; Chromium's own output is logged if t failed. Open
// more tabs with NewTab; bound each action with Do or Run.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := RequireChromium(t)
	profile := t.TempDir() // registered first, so removed after the browser is gone

	output := &testenv.SyncBuffer{}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(output),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // root in containers and CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Small /dev/shm in containers crashes tabs; keep shared memory in /tmp.
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close gracefully but boundedly, then make sure the process is gone
		// (allocCancel waits for it) before t.TempDir removes the profile.
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(cctx)
		ccancel()
		cancel()
		allocCancel()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})

	// The first action starts the browser and opens the tab. Its context must
	// not carry a timeout (cancelling it would close the browser), so bound
	// the start from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium (%s): %v\n%s", path, err, output.String())
		}
	case <-time.After(StartTimeout):
		cancel()
		allocCancel()
		t.Fatalf("chromium (%s) did not start within %s\n%s", path, StartTimeout, output.String())
	}
	return ctx
}

// NewTab opens another tab in the browser of ctx (which Browser returned),
// closed when t ends.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("open tab: %v", err)
		}
	case <-time.After(StartTimeout):
		cancel()
		t.Fatalf("tab did not open within %s", StartTimeout)
	}
	return ctx
}

// Do runs steps on the tab of ctx, giving up after timeout. The tab stays
// open when the timeout fires.
func Do(ctx context.Context, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// Run runs one action that returns a value on the tab of ctx, giving up
// after timeout.
func Run[T any](ctx context.Context, timeout time.Duration, action chromedp.Action[T]) (T, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Run(tctx, action)
}
