package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	msgs := []Message{
		{Token: "raw-device-token-SECRET", Title: "Service due", Body: "Hello Ms Li, your VIN LSVAB123 needs service",
			Category: CategoryService, Data: map[string]string{"link": "aftercare://v/LSVAB123", "b": "x"}},
		{Token: "", Title: "bad", Category: CategoryService},
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != Delivered || res[0].MessageID == "" {
		t.Errorf("result 0 = %+v", res[0])
	}
	if res[1].Outcome != Failed || !errors.Is(res[1].Err, ErrInvalidMessage) {
		t.Errorf("result 1 = %+v", res[1])
	}

	out := buf.String()
	for _, secret := range []string{"raw-device-token-SECRET", "Ms Li", "LSVAB123"} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q: %s", secret, out)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["category"] != "service" || rec["title"] != "Service due" || rec["token"] != TokenFingerprint("raw-device-token-SECRET") {
		t.Errorf("log record = %v", rec)
	}
	if keys, _ := rec["data_keys"].([]any); len(keys) != 2 || keys[0] != "b" || keys[1] != "link" {
		t.Errorf("data_keys = %v", rec["data_keys"])
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want exactly one log line, got:\n%s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err = s.Send(ctx, msgs)
	if !errors.Is(err, context.Canceled) || res[0].Outcome != Retryable {
		t.Errorf("cancelled: %v %+v", err, res)
	}
}

func TestTokenFingerprint(t *testing.T) {
	a, b := TokenFingerprint("token-a"), TokenFingerprint("token-b")
	if a == b || a != TokenFingerprint("token-a") || !strings.HasPrefix(a, "tok_") || len(a) != 16 {
		t.Errorf("fingerprints %q %q", a, b)
	}
}
