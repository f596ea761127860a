// Package notify delivers app push notifications to vehicle owners through
// Firebase Cloud Messaging (FCM) and holds the pure policy functions (quiet
// hours, consent, frequency cap) the scheduler consults before sending.
//
// App push is the first rung of the escalation ladder (push > WeChat > SMS >
// phone > e-mail, see DOMAIN.md). A Sender reports one Result per message:
//
//   - Delivered: FCM accepted the message.
//   - TokenInvalid: the device token is dead (UNREGISTERED, SENDER_ID_MISMATCH,
//     malformed token). Flag it for correction; never retry it.
//   - Retryable: transient (QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, 5xx,
//     network, context ended). Retry later with Backoff, honouring RetryAfter.
//   - Failed: anything else permanent (bad payload, auth/config problems).
//
// Result.Err never contains the device token, the message text or the server's
// free-text error message; it carries only the FCM error code and HTTP status
// (see SendError).
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Category classifies a push. It drives consent, priority and capping.
type Category string

const (
	// CategoryService covers service-due reminders, booking confirmations
	// and similar after-sales care messages. Allowed without opt-in.
	CategoryService Category = "service"
	// CategorySafety covers recalls and safety notices. Always allowed,
	// exempt from the frequency cap, sent with high priority.
	CategorySafety Category = "safety"
	// CategoryMarketing needs explicit opt-in (Consent.Marketing).
	CategoryMarketing Category = "marketing"
)

// Valid reports whether c is one of the known categories.
func (c Category) Valid() bool {
	switch c {
	case CategoryService, CategorySafety, CategoryMarketing:
		return true
	}
	return false
}

// highPriority reports whether pushes of this category should wake the device.
func (c Category) highPriority() bool {
	return c == CategorySafety || c == CategoryService
}

// Message is one push to one device.
type Message struct {
	// Token is the FCM registration token of the device.
	Token string
	// Title and Body are the visible notification. If both are empty the
	// push is sent as a data-only (background) message.
	Title, Body string
	// Data is delivered to the app verbatim (deep link etc.). Keys must not
	// be "from", "message_type" or start with "google" or "gcm" (reserved by FCM).
	Data map[string]string
	// Category drives priority, consent and capping. Required.
	Category Category
	// CollapseKey makes a newer push replace an older one with the same key,
	// undelivered (Android collapse_key, APNs apns-collapse-id) or already
	// shown (Android notification tag, apns-collapse-id).
	CollapseKey string
	// TTL is how long FCM keeps the message for an offline device. Zero (or
	// negative) means the FCM default (4 weeks); larger values are clamped
	// to 4 weeks.
	TTL time.Duration
}

// MaxTTL is the longest time-to-live FCM accepts.
const MaxTTL = 28 * 24 * time.Hour

// ErrInvalidMessage is wrapped by SendError for messages rejected locally,
// before any network call.
var ErrInvalidMessage = errors.New("invalid push message")

// Validate checks the message locally. The returned error never contains
// the token or message text.
func (m Message) Validate() error {
	if strings.TrimSpace(m.Token) == "" {
		return fmt.Errorf("%w: empty device token", ErrInvalidMessage)
	}
	if !m.Category.Valid() {
		return fmt.Errorf("%w: unknown category %q", ErrInvalidMessage, truncate(string(m.Category), 32))
	}
	for k := range m.Data {
		if k == "" {
			return fmt.Errorf("%w: empty data key", ErrInvalidMessage)
		}
		if k == "from" || k == "message_type" || strings.HasPrefix(k, "google") || strings.HasPrefix(k, "gcm") {
			return fmt.Errorf("%w: data key %q is reserved by FCM", ErrInvalidMessage, truncate(k, 32))
		}
	}
	return nil
}

// Outcome is the per-message result class.
type Outcome int

const (
	// Delivered: FCM accepted the message (it does not mean the device showed it).
	Delivered Outcome = iota + 1
	// TokenInvalid: the token is unregistered, belongs to another sender or
	// is malformed. Flag it for correction; do not retry.
	TokenInvalid
	// Retryable: a transient failure; retry after Backoff(attempt, Result.RetryAfter).
	Retryable
	// Failed: a permanent failure that retrying will not fix.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case TokenInvalid:
		return "token_invalid"
	case Retryable:
		return "retryable"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Result is the outcome of one Message.
type Result struct {
	Outcome Outcome
	// MessageID is FCM's message name ("projects/p/messages/...") when Delivered.
	MessageID string
	// RetryAfter is the server's Retry-After hint (zero if none). Only set
	// for Retryable results.
	RetryAfter time.Duration
	// Err is nil when Delivered, else a *SendError. Its text never contains
	// the token or personal data.
	Err error
}

// Sender sends pushes. Results align index-for-index with msgs and are
// always complete (len(results) == len(msgs)). The error is non-nil only when
// ctx ended before every message got a final answer; those messages are
// reported as Retryable.
type Sender interface {
	Send(ctx context.Context, msgs []Message) ([]Result, error)
}

// Error codes used by SendError in addition to FCM's own codes
// (UNREGISTERED, SENDER_ID_MISMATCH, QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL,
// INVALID_ARGUMENT, THIRD_PARTY_AUTH_ERROR).
const (
	CodeInvalidMessage = "INVALID_MESSAGE" // rejected locally by Message.Validate
	CodeInvalidToken   = "INVALID_TOKEN"   // FCM INVALID_ARGUMENT about message.token
	CodeNetwork        = "NETWORK"         // no HTTP response (connection refused, reset, timeout)
	CodeCancelled      = "CANCELLED"       // the caller's context ended
	CodeUnknown        = "UNKNOWN"         // anything unrecognised
)

// SendError describes why a push was not delivered. It deliberately carries
// no server free text, token or payload.
type SendError struct {
	// Code is the FCM error code (e.g. "UNREGISTERED") or one of the Code* constants.
	Code string
	// HTTPStatus is the HTTP status of the final response, 0 if there was none.
	HTTPStatus int
	cause      error // only sentinel/context errors, never server text
}

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("push not delivered: ")
	b.WriteString(e.Code)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (http %d)", e.HTTPStatus)
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

// Unwrap returns context.Canceled / context.DeadlineExceeded or
// ErrInvalidMessage where applicable.
func (e *SendError) Unwrap() error { return e.cause }

// TokenFingerprint returns a short, stable, non-reversible reference to a
// device token that is safe to log.
func TokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "tok_" + hex.EncodeToString(sum[:6])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// fillCancelled marks every zero-valued result as Retryable because ctx ended.
func fillCancelled(results []Result, ctxErr error) {
	for i := range results {
		if results[i].Outcome == 0 {
			results[i] = Result{Outcome: Retryable, Err: &SendError{Code: CodeCancelled, cause: ctxErr}}
		}
	}
}

func invalidResult(err error) Result {
	return Result{Outcome: Failed, Err: &SendError{Code: CodeInvalidMessage, cause: err}}
}
