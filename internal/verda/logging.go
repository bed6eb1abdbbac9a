package verda

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Logger receives structured log lines. The provider connects it to tflog.
// Fields never carry secrets: no headers, no bodies.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type discardLogger struct{}

func (discardLogger) Debug(context.Context, string, map[string]any) {}
func (discardLogger) Warn(context.Context, string, map[string]any)  {}

// attemptLog carries, per API call, the data the response hook needs:
// which attempt is running and when it started.
type attemptLog struct {
	mu        sync.Mutex
	operation string
	attempt   int
	started   time.Time
}

type attemptLogKey struct{}

func withAttemptLog(ctx context.Context, operation string) context.Context {
	return context.WithValue(ctx, attemptLogKey{}, &attemptLog{operation: operation})
}

func attemptLogFrom(ctx context.Context) *attemptLog {
	l, _ := ctx.Value(attemptLogKey{}).(*attemptLog)
	return l
}

// logRequest is the retryablehttp.RequestLogHook: it records the attempt.
func (c *Client) logRequest(_ retryablehttp.Logger, req *http.Request, retry int) {
	state := attemptLogFrom(req.Context())
	if state == nil {
		return
	}
	state.mu.Lock()
	state.attempt = retry + 1
	state.started = c.now()
	state.mu.Unlock()
	if retry > 0 {
		c.logger.Warn(req.Context(), "retrying Verda API request", map[string]any{
			"operation": state.operation,
			"method":    req.Method,
			"path":      req.URL.Path,
			"attempt":   retry + 1,
		})
	}
}

// logResponse is the retryablehttp.ResponseLogHook: one line per response.
func (c *Client) logResponse(_ retryablehttp.Logger, resp *http.Response) {
	req := resp.Request
	fields := map[string]any{
		"method": req.Method,
		"path":   req.URL.Path,
		"status": resp.StatusCode,
	}
	if state := attemptLogFrom(req.Context()); state != nil {
		state.mu.Lock()
		fields["operation"] = state.operation
		fields["attempt"] = state.attempt
		fields["duration_ms"] = c.now().Sub(state.started).Milliseconds()
		state.mu.Unlock()
	}
	if id := firstHeader(resp.Header, "X-Request-Id"); id != "" {
		fields["request_id"] = id
	}
	c.logger.Debug(req.Context(), "Verda API response", fields)
}
