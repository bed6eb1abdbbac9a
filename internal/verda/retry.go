package verda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// retryClass is the rule for when a request may be sent again.
type retryClass int

const (
	// retryIdempotent requests (GET, PUT, PATCH, DELETE and the POSTs whose
	// repetition has the same effect) are retried on 429, 500, 502, 503, 504
	// and transport errors. A 500 is often a passing fault of one backend
	// node, and repeating such a request cannot do harm.
	retryIdempotent retryClass = iota
	// retryUnsafe requests (POSTs that create an object) are retried only on
	// 429 and on errors that prove the request never reached the server:
	// a failed dial. A 5xx or a dropped connection after the request was sent
	// may hide a committed create, so the caller must look before trying again.
	retryUnsafe
)

type retryClassKey struct{}

func withRetryClass(ctx context.Context, c retryClass) context.Context {
	return context.WithValue(ctx, retryClassKey{}, c)
}

func retryClassFrom(ctx context.Context) retryClass {
	if c, ok := ctx.Value(retryClassKey{}).(retryClass); ok {
		return c
	}
	return retryIdempotent
}

// checkRetry is the retryablehttp.CheckRetry of the client.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	// A cancelled or expired context ends the retries at once.
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	class := retryClassFrom(ctx)

	if err != nil {
		fields := map[string]any{"error": c.redactor.redact(err.Error())}
		if state := attemptLogFrom(ctx); state != nil {
			state.mu.Lock()
			fields["operation"], fields["attempt"] = state.operation, state.attempt
			state.mu.Unlock()
		}
		c.logger.Warn(ctx, "Verda API request failed", fields)
		if class == retryUnsafe && !neverSent(err) {
			return false, err
		}
		return isTransient(err), err
	}

	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return c.retryAfterFits(ctx, resp)
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if class == retryUnsafe {
			return false, nil
		}
		return c.retryAfterFits(ctx, resp)
	}
	return false, nil
}

// retryAfterFits rejects a retry when the server requests a wait that would
// outlive the context's deadline, so the caller fails now with a clear error
// instead of sleeping until the deadline.
func (c *Client) retryAfterFits(ctx context.Context, resp *http.Response) (bool, error) {
	wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	if !ok {
		return true, nil
	}
	if wait > c.retryWaitMax {
		wait = c.retryWaitMax
	}
	// The deadline is wall-clock time, so it is compared with the real clock
	// even when Config.Now replaces it.
	if deadline, has := ctx.Deadline(); has && wait > time.Until(deadline) {
		return false, fmt.Errorf("HTTP %d with Retry-After %q: the wait of %s does not fit before the operation's deadline; "+
			"try again later, or raise the operation's timeout", resp.StatusCode, resp.Header.Get("Retry-After"), wait.Round(time.Millisecond))
	}
	return true, nil
}

// neverSent reports whether err proves that the request did not reach the
// server: the connection could not be opened.
func neverSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// An attempt timeout (http.Client.Timeout) also reports DeadlineExceeded;
		// checkRetry has already returned for an expired operation context.
		var urlErr *url.Error
		return errors.As(err, &urlErr) && urlErr.Timeout()
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// Invalid URLs, unsupported schemes and TLS certificate problems do
		// not heal by waiting.
		msg := urlErr.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "certificate") {
			return false
		}
	}
	return true
}

// backoff is the retryablehttp.Backoff of the client: it honours Retry-After
// (seconds or HTTP date), capped at retryWaitMax, and otherwise waits
// exponentially from retryWaitMin with full jitter.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
			// Up to 10% (at most one second) extra spreads clients that
			// received the same Retry-After instant.
			jitterMax := min(wait/10, time.Second)
			if jitterMax > 0 {
				wait += rand.N(jitterMax)
			}
			return min(wait, maxWait)
		}
	}
	ceiling := minWait << min(attempt, 16)
	if ceiling <= 0 || ceiling > maxWait {
		ceiling = maxWait
	}
	// Full jitter, but never less than minWait/2.
	return minWait/2 + rand.N(ceiling-minWait/2+1)
}

// parseRetryAfter reads a Retry-After header in either form of RFC 9110:
// delay-seconds or an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	wait := min(max(when.Sub(now), 0), 24*time.Hour)
	return wait, true
}
