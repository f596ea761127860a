package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"google.golang.org/api/option"
)

// Environment variables read by NewSenderFromEnv.
const (
	EnvProjectID   = "FIREBASE_PROJECT_ID" // set: use FCM; unset: LogSender
	EnvEndpoint    = "FCM_ENDPOINT"        // optional FCM base URL, e.g. "http://127.0.0.1:8099/v1"
	EnvConcurrency = "FCM_CONCURRENCY"     // optional SendEach batches in flight (default 4)
)

// NewSenderFromEnv picks the Sender from the environment:
//
//   - FIREBASE_PROJECT_ID set: an FCMSender for that project, authenticated
//     with the SDK's default credentials (GOOGLE_APPLICATION_CREDENTIALS).
//   - otherwise: a LogSender (development); a warning is logged because no
//     push reaches any device.
//
// FCM_ENDPOINT overrides the FCM base URL (the SDK appends
// "/projects/{project}/messages:send"; the default is
// "https://fcm.googleapis.com/v1"). A plain-http endpoint must be loopback
// (a test fake) and is used without credentials, so OAuth tokens and push
// payloads never travel unencrypted.
func NewSenderFromEnv(ctx context.Context, logger *slog.Logger) (Sender, error) {
	if logger == nil {
		logger = slog.Default()
	}
	project := strings.TrimSpace(os.Getenv(EnvProjectID))
	if project == "" {
		logger.LogAttrs(ctx, slog.LevelWarn, "push notifications disabled: "+EnvProjectID+" not set, using LogSender")
		return NewLogSender(logger), nil
	}

	cfg := FCMConfig{ProjectID: project}
	if v := strings.TrimSpace(os.Getenv(EnvConcurrency)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("notify: %s=%q: want a positive integer", EnvConcurrency, v)
		}
		cfg.Concurrency = n
	}

	var opts []option.ClientOption
	endpoint, logEndpoint := strings.TrimSpace(os.Getenv(EnvEndpoint)), ""
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("notify: %s: not an absolute URL", EnvEndpoint)
		}
		logEndpoint = u.Redacted()
		switch u.Scheme {
		case "https":
			opts = append(opts, option.WithEndpoint(strings.TrimRight(endpoint, "/")))
		case "http":
			if !isLoopback(u.Hostname()) {
				return nil, fmt.Errorf("notify: %s: plain http is only allowed for loopback hosts", EnvEndpoint)
			}
			opts = append(opts, option.WithEndpoint(strings.TrimRight(endpoint, "/")), option.WithoutAuthentication())
		default:
			return nil, fmt.Errorf("notify: %s: unsupported scheme %q", EnvEndpoint, u.Scheme)
		}
	}

	s, err := NewFCMSender(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	attrs := []slog.Attr{slog.String("project", project)}
	if logEndpoint != "" {
		attrs = append(attrs, slog.String("endpoint", logEndpoint))
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "push notifications via FCM", attrs...)
	return s, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
