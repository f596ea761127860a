package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"firebase.google.com/go/v4/messaging"

	"aftercare/internal/notify/fcmfake"
)

// countingClient wraps the real SDK client to observe SendEach calls.
type countingClient struct {
	inner batchClient

	mu       sync.Mutex
	sizes    []int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func (c *countingClient) SendEach(ctx context.Context, msgs []*messaging.Message) (*messaging.BatchResponse, error) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	c.mu.Lock()
	c.sizes = append(c.sizes, len(msgs))
	c.mu.Unlock()
	return c.inner.SendEach(ctx, msgs)
}

func (c *countingClient) batchSizes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.sizes)
	slices.Sort(out)
	return out
}

// newTestSender builds an FCMSender through the real SDK, pointed at srv.
func newTestSender(t testing.TB, srv *fcmfake.Server, concurrency int) (*FCMSender, *countingClient) {
	t.Helper()
	s, err := NewFCMSender(context.Background(), FCMConfig{ProjectID: "aftercare-test", Concurrency: concurrency}, srv.ClientOptions()...)
	if err != nil {
		t.Fatalf("NewFCMSender: %v", err)
	}
	cc := &countingClient{inner: s.client}
	s.client = cc
	return s, cc
}

func newFake(t testing.TB) *fcmfake.Server {
	srv := fcmfake.New()
	t.Cleanup(srv.Close)
	return srv
}

func token(i int) string { return fmt.Sprintf("tok-%04d-dGhpcyBpcyBhIHRva2Vu", i) }

func serviceMsg(i int) Message {
	return Message{
		Token:    token(i),
		Title:    "Service due",
		Body:     "Your car is due for its 30,000 km service, Mr Wang. Book now.",
		Data:     map[string]string{"link": "aftercare://booking/new?vehicle=" + strconv.Itoa(i), "n": strconv.Itoa(i)},
		Category: CategoryService,
	}
}

// checkErrText fails if a result's error text leaks the token or body.
func checkErrText(t *testing.T, msgs []Message, res []Result) {
	t.Helper()
	for i, r := range res {
		if r.Err == nil {
			continue
		}
		txt := r.Err.Error()
		if (msgs[i].Token != "" && strings.Contains(txt, msgs[i].Token)) || (msgs[i].Body != "" && strings.Contains(txt, msgs[i].Body)) {
			t.Errorf("result %d: error text leaks token or body: %q", i, txt)
		}
		var se *SendError
		if !errors.As(r.Err, &se) {
			t.Errorf("result %d: error %T is not a *SendError", i, r.Err)
		}
	}
}

func TestFCMSendBatchesOf500(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, cc := newTestSender(t, srv, 0)

	msgs := make([]Message, 1200)
	for i := range msgs {
		msgs[i] = serviceMsg(i)
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(res) != len(msgs) {
		t.Fatalf("got %d results, want %d", len(res), len(msgs))
	}
	if got, want := cc.batchSizes(), []int{200, 500, 500}; !slices.Equal(got, want) {
		t.Errorf("SendEach batch sizes = %v, want %v", got, want)
	}

	rec := srv.Received()
	if len(rec) != 1200 {
		t.Fatalf("fake received %d messages, want 1200", len(rec))
	}
	byID := map[string]fcmfake.Received{}
	for _, r := range rec {
		byID[r.MessageID] = r
	}
	for i, r := range res {
		if r.Outcome != Delivered || r.Err != nil || r.MessageID == "" {
			t.Fatalf("result %d = %+v, want Delivered with an ID", i, r)
		}
		got, ok := byID[r.MessageID]
		if !ok {
			t.Fatalf("result %d: message ID %q unknown to the fake", i, r.MessageID)
		}
		// Index alignment: the ID reported for msgs[i] belongs to msgs[i]'s token,
		// and the payload arrived intact.
		if got.Message.Token != msgs[i].Token {
			t.Fatalf("result %d: ID belongs to token %q, want %q", i, got.Message.Token, msgs[i].Token)
		}
		if !maps.Equal(got.Message.Data, msgs[i].Data) {
			t.Errorf("result %d: data = %v, want %v", i, got.Message.Data, msgs[i].Data)
		}
		if n := got.Message.Notification; n == nil || n.Title != msgs[i].Title || n.Body != msgs[i].Body {
			t.Errorf("result %d: notification = %+v", i, n)
		}
		if got.Authorized {
			t.Errorf("result %d: request carried credentials despite WithoutAuthentication", i)
		}
		if got.Project != "aftercare-test" {
			t.Errorf("project = %q", got.Project)
		}
	}
}

func TestFCMSendBoundedConcurrency(t *testing.T) {
	t.Parallel()
	// Stubbed SDK: this tests our batching/semaphore, not HTTP.
	cc := &countingClient{inner: fakeBatch(func(_ context.Context, m []*messaging.Message) (*messaging.BatchResponse, error) {
		time.Sleep(20 * time.Millisecond)
		br := &messaging.BatchResponse{SuccessCount: len(m)}
		for i := range m {
			br.Responses = append(br.Responses, &messaging.SendResponse{Success: true, MessageID: m[i].Token})
		}
		return br, nil
	})}
	s := newFCMSender(cc, 2)

	msgs := make([]Message, 5*MaxBatch+1)
	for i := range msgs {
		msgs[i] = serviceMsg(i)
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome != Delivered || r.MessageID != msgs[i].Token {
			t.Fatalf("result %d: %+v (misaligned?)", i, r)
		}
	}
	if got := cc.maxSeen.Load(); got != 2 {
		t.Errorf("max SendEach calls in flight = %d, want 2", got)
	}
	if got, want := cc.batchSizes(), []int{1, 500, 500, 500, 500, 500}; !slices.Equal(got, want) {
		t.Errorf("SendEach batch sizes = %v, want %v", got, want)
	}
}

func TestFCMSendErrorMapping(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, _ := newTestSender(t, srv, 0)

	type want struct {
		outcome    Outcome
		code       string
		status     int
		retryAfter time.Duration
	}
	cases := []struct {
		name  string
		fault *fcmfake.Fault
		want  want
	}{
		{"ok", nil, want{Delivered, "", 0, 0}},
		{"unregistered", ptr(fcmfake.Unregistered()), want{TokenInvalid, "UNREGISTERED", 404, 0}},
		{"sender id mismatch", ptr(fcmfake.SenderIDMismatch()), want{TokenInvalid, "SENDER_ID_MISMATCH", 403, 0}},
		{"malformed token", ptr(fcmfake.InvalidToken()), want{TokenInvalid, CodeInvalidToken, 400, 0}},
		{"quota exceeded", ptr(fcmfake.QuotaExceeded(30 * time.Second)), want{Retryable, "QUOTA_EXCEEDED", 429, 30 * time.Second}},
		{"quota exceeded no hint", ptr(fcmfake.QuotaExceeded(0)), want{Retryable, "QUOTA_EXCEEDED", 429, 0}},
		{"internal", ptr(fcmfake.Internal()), want{Retryable, "INTERNAL", 500, 0}},
		// A Retry-After beyond the SDK's 2-minute MaxDelay makes it give up at once.
		{"unavailable long retry-after", ptr(withRetryAfter(fcmfake.Unavailable(), 10*time.Minute)), want{Retryable, "UNAVAILABLE", 503, 10 * time.Minute}},
		{"bad gateway without details", &fcmfake.Fault{HTTPStatus: 502, Status: "UNAVAILABLE", Message: "bad gateway"}, want{Retryable, "UNAVAILABLE", 502, 0}},
		{"invalid argument", ptr(fcmfake.InvalidArgument("Message is too big")), want{Failed, "INVALID_ARGUMENT", 400, 0}},
		{"third party auth", &fcmfake.Fault{HTTPStatus: 401, Status: "UNAUTHENTICATED", ErrorCode: "THIRD_PARTY_AUTH_ERROR", Message: "APNs auth"}, want{Failed, "THIRD_PARTY_AUTH_ERROR", 401, 0}},
		{"permission denied", &fcmfake.Fault{HTTPStatus: 403, Status: "PERMISSION_DENIED", Message: "no"}, want{Failed, "PERMISSION_DENIED", 403, 0}},
	}

	msgs := make([]Message, len(cases))
	for i, c := range cases {
		msgs[i] = serviceMsg(i)
		if c.fault != nil {
			f := *c.fault
			// A server message quoting the token must not reach Result.Err.
			f.Message += " for token " + msgs[i].Token
			srv.FailToken(msgs[i].Token, f)
		}
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	checkErrText(t, msgs, res)
	for i, c := range cases {
		r := res[i]
		var se *SendError
		errors.As(r.Err, &se)
		got := want{outcome: r.Outcome, retryAfter: r.RetryAfter}
		if se != nil {
			got.code, got.status = se.Code, se.HTTPStatus
		}
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v (err %v)", c.name, got, c.want, r.Err)
		}
		// The SDK retries only 503 (and network errors); these must be one attempt.
		if a := srv.Attempts(msgs[i].Token); a != 1 {
			t.Errorf("%s: %d attempts, want 1", c.name, a)
		}
	}
}

func TestFCMSendUnavailableRecoversViaSDKRetry(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, _ := newTestSender(t, srv, 0)
	msgs := []Message{serviceMsg(1)}
	srv.FailToken(msgs[0].Token, fcmfake.Unavailable().Limit(2))

	start := time.Now()
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != Delivered {
		t.Fatalf("got %v (%v), want Delivered after SDK retries", res[0].Outcome, res[0].Err)
	}
	if a := srv.Attempts(msgs[0].Token); a != 3 {
		t.Errorf("attempts = %d, want 3 (2 failures + success)", a)
	}
	t.Logf("recovered after %v", time.Since(start).Round(time.Millisecond))
}

// Persistent 503 and connection drops: the SDK retries 4 times (0+1+2+4 s)
// before giving up, so these two take ~7s; they run in parallel.
func TestFCMSendPersistentFailuresAreRetryable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		fault  fcmfake.Fault
		code   string
		status int
	}{
		{"503", fcmfake.Unavailable(), "UNAVAILABLE", 503},
		{"hang up", fcmfake.HangUp(), CodeNetwork, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			s, _ := newTestSender(t, srv, 0)
			msgs := []Message{serviceMsg(1), serviceMsg(2)}
			srv.FailToken(msgs[0].Token, c.fault)
			res, err := s.Send(context.Background(), msgs)
			if err != nil {
				t.Fatal(err)
			}
			checkErrText(t, msgs, res)
			var se *SendError
			if res[0].Outcome != Retryable || !errors.As(res[0].Err, &se) || se.Code != c.code || se.HTTPStatus != c.status {
				t.Errorf("got %v %v, want Retryable %s/%d", res[0].Outcome, res[0].Err, c.code, c.status)
			}
			if res[1].Outcome != Delivered {
				t.Errorf("healthy token: got %v", res[1].Outcome)
			}
			if a := srv.Attempts(msgs[0].Token); a != 5 {
				t.Errorf("attempts = %d, want 5 (SDK: 1 + 4 retries)", a)
			}
		})
	}
}

func TestFCMSendServerDown(t *testing.T) {
	t.Parallel()
	msgs := make([]Message, 1200)
	for i := range msgs {
		msgs[i] = serviceMsg(i)
	}

	t.Run("503 with long Retry-After", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		srv.SetDown(withRetryAfter(fcmfake.Unavailable(), 5*time.Minute))
		s, _ := newTestSender(t, srv, 0)
		res, err := s.Send(context.Background(), msgs)
		if err != nil {
			t.Fatal(err)
		}
		checkErrText(t, msgs, res)
		for i, r := range res {
			if r.Outcome != Retryable || r.RetryAfter != 5*time.Minute {
				t.Fatalf("result %d: %v retryAfter=%v, want Retryable 5m", i, r.Outcome, r.RetryAfter)
			}
		}
		if n := len(srv.Received()); n != 0 {
			t.Errorf("fake accepted %d messages while down", n)
		}
	})

	t.Run("hang up, caller deadline", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		srv.SetDown(fcmfake.HangUp())
		s, _ := newTestSender(t, srv, 0)
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		res, err := s.Send(ctx, msgs)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v despite a 1.5s deadline", d)
		}
		checkErrText(t, msgs, res)
		for i, r := range res {
			if r.Outcome != Retryable {
				t.Fatalf("result %d: %v, want Retryable", i, r.Outcome)
			}
			if !errors.Is(r.Err, context.DeadlineExceeded) {
				t.Fatalf("result %d: err %v, want it to wrap DeadlineExceeded", i, r.Err)
			}
		}
	})

	t.Run("server gone", func(t *testing.T) {
		t.Parallel()
		srv := fcmfake.New()
		s, _ := newTestSender(t, srv, 0)
		srv.Close() // connection refused from now on
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		res, err := s.Send(ctx, msgs[:10])
		if err == nil {
			t.Error("want a context error")
		}
		for i, r := range res {
			if r.Outcome != Retryable {
				t.Fatalf("result %d: %v, want Retryable", i, r.Outcome)
			}
		}
	})
}

func TestFCMSendPayload(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, _ := newTestSender(t, srv, 0)
	fixed := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return fixed }

	longKey := strings.Repeat("k", 80)
	msgs := []Message{
		{Token: "t-safety", Title: "Recall", Body: "Airbag recall", Category: CategorySafety,
			Data: map[string]string{"link": "aftercare://recall/42"}, CollapseKey: "recall-42", TTL: 2 * time.Hour},
		{Token: "t-marketing", Title: "Winter tyres", Body: "10% off", Category: CategoryMarketing, CollapseKey: longKey, TTL: 365 * 24 * time.Hour},
		{Token: "t-data", Category: CategoryService, Data: map[string]string{"sync": "1"}},
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome != Delivered {
			t.Fatalf("result %d: %v %v", i, r.Outcome, r.Err)
		}
	}
	get := func(tok string) messaging.Message {
		rs := srv.ReceivedFor(tok)
		if len(rs) != 1 {
			t.Fatalf("token %s: received %d messages", tok, len(rs))
		}
		return rs[0].Message
	}

	safety := get("t-safety")
	if safety.Android.Priority != "high" || safety.Android.CollapseKey != "recall-42" ||
		safety.Android.TTL == nil || *safety.Android.TTL != 2*time.Hour ||
		safety.Android.Notification == nil || safety.Android.Notification.ChannelID != "aftercare_safety" {
		t.Errorf("safety android = %+v", safety.Android)
	}
	wantHdr := map[string]string{
		"apns-priority": "10", "apns-push-type": "alert", "apns-collapse-id": "recall-42",
		"apns-expiration": strconv.FormatInt(fixed.Add(2*time.Hour).Unix(), 10),
	}
	if !maps.Equal(safety.APNS.Headers, wantHdr) {
		t.Errorf("safety apns headers = %v, want %v", safety.APNS.Headers, wantHdr)
	}
	if aps := safety.APNS.Payload.Aps; aps.Sound != "default" || aps.ThreadID != "safety" {
		t.Errorf("safety aps = %+v", aps)
	}
	if safety.FCMOptions == nil || safety.FCMOptions.AnalyticsLabel != "safety" {
		t.Errorf("fcm options = %+v", safety.FCMOptions)
	}

	mkt := get("t-marketing")
	if mkt.Android.Priority != "normal" || *mkt.Android.TTL != MaxTTL {
		t.Errorf("marketing android = %+v ttl=%v", mkt.Android, *mkt.Android.TTL)
	}
	if h := mkt.APNS.Headers; h["apns-priority"] != "5" || len(h["apns-collapse-id"]) != 64 || h["apns-collapse-id"] == longKey[:64] {
		t.Errorf("marketing apns headers = %v", h)
	}
	if mkt.APNS.Payload.Aps.Sound != "" {
		t.Errorf("marketing should be silent")
	}

	data := get("t-data")
	if data.Notification != nil || data.Android.Notification != nil {
		t.Errorf("data-only message got a notification: %+v", data)
	}
	if h := data.APNS.Headers; h["apns-push-type"] != "background" || h["apns-priority"] != "5" {
		t.Errorf("data-only apns headers = %v", h)
	}
	if !data.APNS.Payload.Aps.ContentAvailable {
		t.Errorf("data-only aps should be content-available")
	}
	if data.Android.TTL != nil || data.APNS.Headers["apns-expiration"] != "" {
		t.Errorf("zero TTL must leave the FCM default")
	}
}

func TestFCMSendInvalidMessagesFailLocally(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, _ := newTestSender(t, srv, 0)
	msgs := []Message{
		{Token: "", Title: "x", Category: CategoryService},
		{Token: "t1", Title: "x", Category: "newsletter"},
		{Token: "t2", Title: "x", Category: CategoryService, Data: map[string]string{"google.foo": "1"}},
		{Token: "t3", Title: "x", Category: CategoryService, Data: map[string]string{"from": "1"}},
		serviceMsg(4),
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	checkErrText(t, msgs, res)
	for i := range 4 {
		var se *SendError
		if res[i].Outcome != Failed || !errors.Is(res[i].Err, ErrInvalidMessage) || !errors.As(res[i].Err, &se) || se.Code != CodeInvalidMessage {
			t.Errorf("msg %d: got %v %v, want Failed INVALID_MESSAGE", i, res[i].Outcome, res[i].Err)
		}
	}
	if res[4].Outcome != Delivered {
		t.Errorf("valid message: %v", res[4].Outcome)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}

func TestFCMSendCancelledContext(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	s, _ := newTestSender(t, srv, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msgs := []Message{serviceMsg(1), serviceMsg(2)}
	res, err := s.Send(ctx, msgs)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	for i, r := range res {
		if r.Outcome != Retryable || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("result %d: %v %v", i, r.Outcome, r.Err)
		}
	}
	if srv.Requests() != 0 {
		t.Errorf("requests sent despite cancelled ctx")
	}

	res, err = s.Send(context.Background(), nil)
	if err != nil || len(res) != 0 {
		t.Errorf("empty Send = %v, %v", res, err)
	}
}

// fakeBatch lets unit tests exercise SDK misbehaviour.
type fakeBatch func(ctx context.Context, m []*messaging.Message) (*messaging.BatchResponse, error)

func (f fakeBatch) SendEach(ctx context.Context, m []*messaging.Message) (*messaging.BatchResponse, error) {
	return f(ctx, m)
}

func TestFCMSendBatchLevelErrors(t *testing.T) {
	t.Parallel()
	msgs := []Message{serviceMsg(1), serviceMsg(2)}
	for name, f := range map[string]fakeBatch{
		"error": func(context.Context, []*messaging.Message) (*messaging.BatchResponse, error) {
			return nil, errors.New("invalid message at index 0: token " + msgs[0].Token)
		},
		"short": func(context.Context, []*messaging.Message) (*messaging.BatchResponse, error) {
			return &messaging.BatchResponse{Responses: []*messaging.SendResponse{{Success: true}}}, nil
		},
	} {
		s := newFCMSender(f, 1)
		res, err := s.Send(context.Background(), msgs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkErrText(t, msgs, res)
		for i, r := range res {
			if r.Outcome != Failed {
				t.Errorf("%s: result %d = %v, want Failed", name, i, r.Outcome)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"junk":                          0,
		"999999999999":                  24 * time.Hour,
		"Wed, 01 Jan 2025 00:02:00 GMT": 2 * time.Minute,
		"Tue, 31 Dec 2024 23:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func withRetryAfter(f fcmfake.Fault, d time.Duration) fcmfake.Fault {
	f.RetryAfter = d
	return f
}

// BenchmarkFCMSend measures pushes/second through the real SDK to the fake
// on loopback (default concurrency: 4 SendEach batches x 50 SDK workers).
func BenchmarkFCMSend(b *testing.B) {
	srv := newFake(b)
	srv.SetRecording(false)
	s, _ := newTestSender(b, srv, 0)
	const chunk = 2000
	msgs := make([]Message, chunk)
	for i := range msgs {
		msgs[i] = serviceMsg(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; sent += chunk {
		n := min(chunk, b.N-sent)
		res, err := s.Send(context.Background(), msgs[:n])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != Delivered {
				b.Fatalf("outcome %v: %v", r.Outcome, r.Err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pushes/s")
}
