package fcmfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"

	"aftercare/internal/notify/fcmfake"
)

func newClient(t *testing.T, srv *fcmfake.Server) *messaging.Client {
	t.Helper()
	app, err := firebase.NewApp(context.Background(), &firebase.Config{ProjectID: "fake-project"}, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Messaging(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("response is not JSON: %q", raw)
	}
	return resp, m
}

func TestWireFormat(t *testing.T) {
	srv := fcmfake.New()
	defer srv.Close()
	url := srv.Endpoint() + "/projects/p1/messages:send"

	resp, m := post(t, url, `{"message":{"token":"ok","data":{"k":"v"}}}`)
	if resp.StatusCode != 200 || !strings.HasPrefix(m["name"].(string), "projects/p1/messages/") {
		t.Errorf("success: %d %v", resp.StatusCode, m)
	}

	srv.FailToken("quota", fcmfake.QuotaExceeded(1500*time.Millisecond))
	resp, m = post(t, url, `{"message":{"token":"quota"}}`)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("quota: status %d retry-after %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e := m["error"].(map[string]any)
	d := e["details"].([]any)[0].(map[string]any)
	if e["status"] != "RESOURCE_EXHAUSTED" || e["code"] != float64(429) ||
		d["@type"] != "type.googleapis.com/google.firebase.fcm.v1.FcmError" || d["errorCode"] != "QUOTA_EXCEEDED" {
		t.Errorf("quota body: %v", m)
	}

	resp, m = post(t, srv.URL()+"/projects/p1/messages:send", `{"message":{"token":"ok"}}`)
	if resp.StatusCode != 404 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "Endpoint()") {
		t.Errorf("wrong path: %d %v", resp.StatusCode, m)
	}
	resp, _ = post(t, url, `{"message":{"data":{"k":"v"}}}`)
	if resp.StatusCode != 400 {
		t.Errorf("no target: %d", resp.StatusCode)
	}
	resp, _ = post(t, url, `{"message":{"token":"t","data":{"from":"x"}}}`)
	if resp.StatusCode != 400 {
		t.Errorf("reserved key: %d", resp.StatusCode)
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("received %d, want 1", n)
	}
}

// TestSDKParsesFaults checks that the SDK's own error helpers recognise
// every injected fault, i.e. the fake speaks the real error format.
func TestSDKParsesFaults(t *testing.T) {
	srv := fcmfake.New()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()

	cases := []struct {
		fault  fcmfake.Fault
		check  func(error) bool
		status int
	}{
		{fcmfake.Unregistered(), messaging.IsUnregistered, 404},
		{fcmfake.SenderIDMismatch(), messaging.IsSenderIDMismatch, 403},
		{fcmfake.QuotaExceeded(time.Minute), messaging.IsQuotaExceeded, 429},
		{fcmfake.Internal(), messaging.IsInternal, 500},
		{fcmfake.InvalidToken(), messaging.IsInvalidArgument, 400},
		{fcmfake.Fault{HTTPStatus: 503, Status: "UNAVAILABLE", ErrorCode: "UNAVAILABLE", RetryAfter: time.Hour}, messaging.IsUnavailable, 503},
	}
	for _, tc := range cases {
		tok := "tok-" + tc.fault.ErrorCode
		srv.FailToken(tok, tc.fault)
		_, err := c.Send(ctx, &messaging.Message{Token: tok})
		if !tc.check(err) {
			t.Errorf("%s: SDK did not recognise %v", tc.fault.ErrorCode, err)
		}
		if r := errorutils.HTTPResponse(err); r == nil || r.StatusCode != tc.status {
			t.Errorf("%s: http response %v", tc.fault.ErrorCode, r)
		}
	}
}

func TestLimitedFaultAndDown(t *testing.T) {
	srv := fcmfake.New()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()

	srv.FailToken("flaky", fcmfake.Internal().Limit(2))
	for i, wantOK := range []bool{false, false, true, true} {
		_, err := c.Send(ctx, &messaging.Message{Token: "flaky"})
		if (err == nil) != wantOK {
			t.Errorf("send %d: err=%v, want ok=%v", i, err, wantOK)
		}
	}
	if a := srv.Attempts("flaky"); a != 4 {
		t.Errorf("attempts = %d", a)
	}

	// Down with a Retry-After beyond the SDK's 2-minute cap: no SDK retries.
	srv.SetDown(fcmfake.Fault{HTTPStatus: 503, Status: "UNAVAILABLE", ErrorCode: "UNAVAILABLE", RetryAfter: 10 * time.Minute})
	before := srv.Requests()
	_, err := c.Send(ctx, &messaging.Message{Token: "any"})
	if !messaging.IsUnavailable(err) || srv.Requests()-before != 1 {
		t.Errorf("down: %v after %d requests", err, srv.Requests()-before)
	}
	srv.SetUp()
	if _, err := c.Send(ctx, &messaging.Message{Token: "any"}); err != nil {
		t.Errorf("after SetUp: %v", err)
	}

	// Down mode counted: one failure then back up by itself.
	srv.SetDown(fcmfake.Internal().Limit(1))
	if _, err := c.Send(ctx, &messaging.Message{Token: "x"}); !messaging.IsInternal(err) {
		t.Errorf("limited down: %v", err)
	}
	if _, err := c.Send(ctx, &messaging.Message{Token: "x"}); err != nil {
		t.Errorf("limited down should be over: %v", err)
	}
}

func TestHangUpIsNetworkError(t *testing.T) {
	srv := fcmfake.New()
	defer srv.Close()
	srv.SetDown(fcmfake.HangUp())
	req, _ := http.NewRequest(http.MethodPost, srv.Endpoint()+"/projects/p/messages:send", bytes.NewBufferString(`{"message":{"token":"t"}}`))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("want a network error, got status %d", resp.StatusCode)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := fcmfake.New()
	defer srv.Close()
	c := newClient(t, srv)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				if j%5 == 0 {
					srv.FailToken("t", fcmfake.Unregistered().Limit(1))
				}
				_, _ = c.Send(context.Background(), &messaging.Message{Token: "t", Data: map[string]string{"i": string(rune('a' + i))}})
				_ = srv.Received()
				_ = srv.Attempts("t")
			}
		}()
	}
	wg.Wait()
	if srv.Attempts("t") != 160 {
		t.Errorf("attempts = %d, want 160", srv.Attempts("t"))
	}
	srv.Reset()
	if len(srv.Received()) != 0 || srv.Requests() != 0 {
		t.Error("Reset did not clear")
	}
}
