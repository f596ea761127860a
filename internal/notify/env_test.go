package notify

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"aftercare/internal/notify/fcmfake"
)

func TestNewSenderFromEnv(t *testing.T) {
	logger := func(buf *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }

	t.Run("no project: LogSender", func(t *testing.T) {
		t.Setenv(EnvProjectID, "")
		var buf bytes.Buffer
		s, err := NewSenderFromEnv(context.Background(), logger(&buf))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*LogSender); !ok {
			t.Fatalf("got %T, want *LogSender", s)
		}
		if !strings.Contains(buf.String(), "level=WARN") {
			t.Errorf("want a warning that pushes are disabled, got %q", buf.String())
		}
	})

	t.Run("project + loopback endpoint: FCM without credentials", func(t *testing.T) {
		srv := fcmfake.New()
		defer srv.Close()
		t.Setenv(EnvProjectID, "env-project")
		t.Setenv(EnvEndpoint, srv.Endpoint())
		t.Setenv(EnvConcurrency, "2")
		t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/creds.json") // must not be needed
		var buf bytes.Buffer
		s, err := NewSenderFromEnv(context.Background(), logger(&buf))
		if err != nil {
			t.Fatal(err)
		}
		fs, ok := s.(*FCMSender)
		if !ok {
			t.Fatalf("got %T, want *FCMSender", s)
		}
		if fs.concurrency != 2 {
			t.Errorf("concurrency = %d", fs.concurrency)
		}
		res, err := s.Send(context.Background(), []Message{serviceMsg(1)})
		if err != nil || res[0].Outcome != Delivered {
			t.Fatalf("Send = %+v, %v", res, err)
		}
		rec := srv.Received()
		if len(rec) != 1 || rec[0].Project != "env-project" || rec[0].Authorized {
			t.Errorf("received = %+v", rec)
		}
	})

	for name, env := range map[string]map[string]string{
		"plain http to a remote host": {EnvEndpoint: "http://fcm.example.com/v1"},
		"bad scheme":                  {EnvEndpoint: "ftp://127.0.0.1/v1"},
		"relative endpoint":           {EnvEndpoint: "/v1"},
		"bad concurrency":             {EnvConcurrency: "many"},
		"missing credentials":         {"GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/creds.json"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(EnvProjectID, "p")
			t.Setenv(EnvEndpoint, "")
			t.Setenv(EnvConcurrency, "")
			for k, v := range env {
				t.Setenv(k, v)
			}
			if s, err := NewSenderFromEnv(context.Background(), nil); err == nil {
				t.Errorf("got %T, want an error", s)
			}
		})
	}
}
