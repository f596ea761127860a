package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
)

// MaxBatch is the most messages the SDK's SendEach accepts per call.
const MaxBatch = 500

// DefaultConcurrency is the number of SendEach batches in flight at once.
// Note that every SendEach call itself runs up to 50 HTTP requests in parallel.
const DefaultConcurrency = 4

// FCMConfig configures an FCMSender.
type FCMConfig struct {
	// ProjectID is the Firebase project. If empty the SDK derives it from the
	// credentials or GOOGLE_CLOUD_PROJECT.
	ProjectID string
	// Concurrency bounds the SendEach batches in flight (default 4).
	Concurrency int
}

// batchClient is the subset of *messaging.Client that FCMSender uses.
type batchClient interface {
	SendEach(ctx context.Context, messages []*messaging.Message) (*messaging.BatchResponse, error)
}

// FCMSender sends pushes through the Firebase Admin SDK (FCM HTTP v1 API).
//
// The SDK retries network errors and HTTP 503 itself (up to 4 retries, 0s,
// 1s, 2s, 4s apart, or the server's Retry-After if longer and <= 2 min), so a
// single Send may block for several seconds when FCM is unhealthy: give ctx a
// deadline. It does not retry 429 or 500; those come back as Retryable at once.
type FCMSender struct {
	client      batchClient
	concurrency int
	now         func() time.Time
}

var _ Sender = (*FCMSender)(nil)

// NewFCMSender creates an FCM sender. Credentials come from the SDK's
// default mechanism (GOOGLE_APPLICATION_CREDENTIALS / metadata server) unless
// opts override them. Tests pass option.WithEndpoint(fake.Endpoint()) and
// option.WithoutAuthentication(); the endpoint is the base that the SDK
// appends "/projects/{project}/messages:send" to (default
// "https://fcm.googleapis.com/v1").
func NewFCMSender(ctx context.Context, cfg FCMConfig, opts ...option.ClientOption) (*FCMSender, error) {
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.ProjectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("notify: init firebase app: %w", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: init FCM client: %w", err)
	}
	return newFCMSender(client, cfg.Concurrency), nil
}

func newFCMSender(c batchClient, concurrency int) *FCMSender {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	return &FCMSender{client: c, concurrency: concurrency, now: time.Now}
}

// Send delivers msgs in SendEach batches of at most MaxBatch, with at most
// Concurrency batches in flight. See Sender for the result contract.
func (s *FCMSender) Send(ctx context.Context, msgs []Message) ([]Result, error) {
	results := make([]Result, len(msgs))
	if len(msgs) == 0 {
		return results, nil
	}
	if err := ctx.Err(); err != nil {
		fillCancelled(results, err)
		return results, err
	}

	now := s.now()
	idx := make([]int, 0, len(msgs))
	fms := make([]*messaging.Message, 0, len(msgs))
	for i, m := range msgs {
		if err := m.Validate(); err != nil {
			results[i] = invalidResult(err)
			continue
		}
		idx = append(idx, i)
		fms = append(fms, toFCM(m, now))
	}

	sem := make(chan struct{}, s.concurrency)
	var wg sync.WaitGroup
loop:
	for start := 0; start < len(fms); start += MaxBatch {
		end := min(start+MaxBatch, len(fms))
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop // the rest stays zero and is filled as cancelled below
		}
		wg.Add(1)
		go func(batch []*messaging.Message, batchIdx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			s.sendBatch(ctx, batch, batchIdx, results)
		}(fms[start:end], idx[start:end])
	}
	wg.Wait()

	// Batches skipped because ctx ended still have zero results.
	ctxErr := ctx.Err()
	if ctxErr == nil {
		return results, nil
	}
	fillCancelled(results, ctxErr)
	for _, r := range results {
		if se, ok := r.Err.(*SendError); ok && se.Code == CodeCancelled {
			return results, ctxErr
		}
	}
	return results, nil // ctx ended only after every message had its answer
}

// sendBatch runs one SendEach call and writes results[batchIdx[j]]. Each
// goroutine writes a disjoint set of indices, so no locking is needed.
func (s *FCMSender) sendBatch(ctx context.Context, batch []*messaging.Message, batchIdx []int, results []Result) {
	resp, err := s.client.SendEach(ctx, batch)
	if err != nil || resp == nil || len(resp.Responses) != len(batch) {
		// SendEach only fails as a whole for empty/oversized batches or SDK-side
		// validation, which Validate/toFCM rule out. Do not echo its text: it may
		// quote message fields.
		for _, i := range batchIdx {
			if ctxErr := ctx.Err(); ctxErr != nil {
				results[i] = Result{Outcome: Retryable, Err: &SendError{Code: CodeCancelled, cause: ctxErr}}
			} else {
				results[i] = Result{Outcome: Failed, Err: &SendError{Code: CodeUnknown}}
			}
		}
		return
	}
	for j, r := range resp.Responses {
		i := batchIdx[j]
		switch {
		case r == nil:
			results[i] = Result{Outcome: Failed, Err: &SendError{Code: CodeUnknown}}
		case r.Success:
			results[i] = Result{Outcome: Delivered, MessageID: r.MessageID}
		default:
			results[i] = classify(ctx, r.Error)
		}
	}
}

// toFCM builds the SDK message. now is used for the absolute APNs expiry.
func toFCM(m Message, now time.Time) *messaging.Message {
	high := m.Category.highPriority()
	alert := m.Title != "" || m.Body != ""

	fm := &messaging.Message{
		Token:      m.Token,
		Data:       m.Data,
		FCMOptions: &messaging.FCMOptions{AnalyticsLabel: string(m.Category)},
	}

	android := &messaging.AndroidConfig{CollapseKey: m.CollapseKey, Priority: "normal"}
	if high {
		android.Priority = "high"
	}
	apnsHeaders := map[string]string{}
	aps := &messaging.Aps{ThreadID: string(m.Category)}

	if alert {
		fm.Notification = &messaging.Notification{Title: m.Title, Body: m.Body}
		// Channels "aftercare_service" etc. must be created by the app; if one
		// is missing Android falls back to the manifest's default channel.
		android.Notification = &messaging.AndroidNotification{ChannelID: "aftercare_" + string(m.Category)}
		if m.CollapseKey != "" {
			// The same tag replaces a notification already shown, so a
			// message delivered twice (at-least-once) is seen once.
			android.Notification.Tag = apnsCollapseID(m.CollapseKey)
		}
		apnsHeaders["apns-push-type"] = "alert"
		apnsHeaders["apns-priority"] = "5"
		if high {
			apnsHeaders["apns-priority"] = "10"
			aps.Sound = "default"
		}
	} else {
		// Data-only: APNs requires a background push with priority 5.
		apnsHeaders["apns-push-type"] = "background"
		apnsHeaders["apns-priority"] = "5"
		aps.ContentAvailable = true
	}

	if m.CollapseKey != "" {
		apnsHeaders["apns-collapse-id"] = apnsCollapseID(m.CollapseKey)
	}
	if m.TTL > 0 {
		ttl := min(m.TTL, MaxTTL)
		android.TTL = &ttl
		apnsHeaders["apns-expiration"] = strconv.FormatInt(now.Add(ttl).Unix(), 10)
	}

	fm.Android = android
	fm.APNS = &messaging.APNSConfig{Headers: apnsHeaders, Payload: &messaging.APNSPayload{Aps: aps}}
	return fm
}

// apnsCollapseID keeps the key within APNs' 64-byte limit.
func apnsCollapseID(key string) string {
	if len(key) <= 64 {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) // 64 hex chars
}

// fcmErrorBody is the google.rpc.Status error envelope FCM v1 returns.
type fcmErrorBody struct {
	Error struct {
		Status  string `json:"status"`
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"`
			FieldViolations []struct {
				Field string `json:"field"`
			} `json:"fieldViolations"`
		} `json:"details"`
	} `json:"error"`
}

const (
	fcmErrorType    = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
	badRequestType  = "type.googleapis.com/google.rpc.BadRequest"
	maxErrBodyBytes = 64 << 10
)

// classify maps an SDK per-message error to a Result.
func classify(ctx context.Context, err error) Result {
	resp := errorutils.HTTPResponse(err)
	// Without an HTTP response, a context error means the caller gave up: the
	// SDK returns the bare context error if ctx ends while it waits to retry,
	// and a FirebaseError wrapping it if ctx ends mid-request.
	if resp == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil) {
		cause := ctx.Err()
		if cause == nil {
			cause = context.DeadlineExceeded
			if errors.Is(err, context.Canceled) {
				cause = context.Canceled
			}
		}
		return Result{Outcome: Retryable, Err: &SendError{Code: CodeCancelled, cause: cause}}
	}

	status := 0
	var retryAfter time.Duration
	var body fcmErrorBody
	if resp != nil {
		status = resp.StatusCode
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if resp.Body != nil {
			raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrBodyBytes))
			_ = json.Unmarshal(raw, &body) // best effort; the Is* helpers below do not need it
		}
	}
	fcmCode, tokenViolation := "", false
	for _, d := range body.Error.Details {
		switch d.Type {
		case fcmErrorType:
			fcmCode = d.ErrorCode
		case badRequestType:
			for _, v := range d.FieldViolations {
				if v.Field == "message.token" {
					tokenViolation = true
				}
			}
		}
	}
	code := fcmCode
	if code == "" {
		code = body.Error.Status
	}
	if code == "" {
		code = CodeUnknown
	}
	mk := func(o Outcome, code string) Result {
		r := Result{Outcome: o, Err: &SendError{Code: code, HTTPStatus: status}}
		if o == Retryable {
			r.RetryAfter = retryAfter
		}
		return r
	}

	switch {
	case messaging.IsUnregistered(err):
		return mk(TokenInvalid, "UNREGISTERED")
	case messaging.IsSenderIDMismatch(err):
		return mk(TokenInvalid, "SENDER_ID_MISMATCH")
	case messaging.IsInvalidArgument(err) && tokenViolation:
		return mk(TokenInvalid, CodeInvalidToken)
	case messaging.IsQuotaExceeded(err):
		return mk(Retryable, "QUOTA_EXCEEDED")
	case messaging.IsUnavailable(err):
		return mk(Retryable, "UNAVAILABLE")
	case messaging.IsInternal(err):
		return mk(Retryable, "INTERNAL")
	case status >= 500 || status == http.StatusTooManyRequests:
		return mk(Retryable, code)
	case resp == nil && (errorutils.IsUnavailable(err) || errorutils.IsDeadlineExceeded(err) || errorutils.IsUnknown(err)):
		// No HTTP response: connection refused/reset or timeout (the SDK already
		// retried these 4 times).
		return mk(Retryable, CodeNetwork)
	case resp == nil && (errorutils.IsInternal(err) || errorutils.IsResourceExhausted(err)):
		return mk(Retryable, code)
	case messaging.IsThirdPartyAuthError(err):
		return mk(Failed, "THIRD_PARTY_AUTH_ERROR")
	default:
		return mk(Failed, code)
	}
}

// parseRetryAfter reads a Retry-After header in delta-seconds or HTTP-date form.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxHint/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxHint)
		}
	}
	return 0
}
