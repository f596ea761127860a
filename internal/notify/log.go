package notify

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
)

// LogSender is the development Sender used when Firebase is not configured.
// It logs that a push would be sent and reports it Delivered. It logs the
// category, title, a token fingerprint and the data keys; never the raw
// token, the body text or data values, which can hold personal data.
type LogSender struct {
	logger *slog.Logger
	seq    atomic.Uint64
}

var _ Sender = (*LogSender)(nil)

// NewLogSender returns a LogSender writing to logger (slog.Default() if nil).
func NewLogSender(logger *slog.Logger) *LogSender {
	if logger == nil {
		logger = slog.Default()
	}
	return &LogSender{logger: logger}
}

// Send logs each valid message and reports it Delivered. Invalid messages
// are reported Failed, exactly as FCMSender would.
func (s *LogSender) Send(ctx context.Context, msgs []Message) ([]Result, error) {
	results := make([]Result, len(msgs))
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			fillCancelled(results, err)
			return results, err
		}
		if err := m.Validate(); err != nil {
			results[i] = invalidResult(err)
			continue
		}
		keys := make([]string, 0, len(m.Data))
		for k := range m.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		id := "log/" + strconv.FormatUint(s.seq.Add(1), 10)
		s.logger.LogAttrs(ctx, slog.LevelInfo, "push not sent: FCM not configured (dev LogSender)",
			slog.String("message_id", id),
			slog.String("category", string(m.Category)),
			slog.String("title", m.Title),
			slog.String("token", TokenFingerprint(m.Token)),
			slog.Int("body_len", len(m.Body)),
			slog.Any("data_keys", keys),
		)
		results[i] = Result{Outcome: Delivered, MessageID: id}
	}
	return results, nil
}
