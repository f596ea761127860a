package httpserver

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"aftercare/internal/observe"
	"aftercare/internal/reqctx"
)

// withRequestID gives every request an id (the caller's X-Request-Id when it
// is a sane token, else a new one), echoes it and puts it in the context.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneID(id) {
			id = reqctx.NewID()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(reqctx.WithRequestID(r.Context(), id)))
	})
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request: method, path, status, duration
// and request id, plus what inner layers noted (observe.RequestInfo): the
// GraphQL operation name, the viewer's kind and the trace id. Never the
// body, the query string, headers or whose request it was: they can hold
// personal data and tokens. It also counts the request, as it alone knows
// the final status.
func accessLog(logger *slog.Logger, obs *observe.Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := observe.WithRequestInfo(r.Context())
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		attrs := append([]slog.Attr{
			slog.String("request_id", reqctx.RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", redactPath(r.URL.Path)),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
		}, info.LogAttrs()...)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
		obs.CountHTTP(info, rec.status)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer, which
// the websocket upgrade (Hijack) and streaming (Flush) need.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack hands the connection to the websocket library.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

// Flush passes streamed responses through.
func (s *statusRecorder) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

// redactPath keeps widget keys out of logs: /widget/wk_abcdef…/graphql
// becomes /widget/wk_abc…/graphql (the prefix staff see in the key list).
func redactPath(p string) string {
	const prefix = "/widget/"
	if !strings.HasPrefix(p, prefix) {
		return p
	}
	key, rest, _ := strings.Cut(p[len(prefix):], "/")
	if len(key) > 9 {
		// Cut at a character boundary so the log line stays valid UTF-8
		// (a key of multi-byte characters is junk, but it is logged).
		cut := 9
		for cut > 0 && !utf8.RuneStart(key[cut]) {
			cut--
		}
		key = key[:cut] + "…"
	}
	return prefix + key + "/" + rest
}
