package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"agentcored/internal/reqctx"
)

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// accessLog writes the one line logged per AWS API request. It names the
// request, never its body, headers or query: those can carry secrets (API
// keys, client secrets, signatures).
func accessLog(logger *slog.Logger, r *http.Request, info *reqctx.Info, rec *statusRecorder, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("requestId", info.RequestID),
		slog.String("account", info.Account),
		slog.String("region", info.Region),
		slog.String("operation", info.Operation),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
		slog.Float64("durationMs", float64(d.Microseconds())/1000),
	}
	if code := rec.Header().Get("X-Amzn-ErrorType"); code != "" {
		attrs = append(attrs, slog.String("errorCode", code))
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}
