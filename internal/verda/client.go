// Package verda is a small typed client of the Verda Cloud REST API: OAuth2
// client credentials, container deployments, volumes and shared filesystems,
// the catalogs they need, and calls to a deployment's inference endpoint.
// It has no Terraform dependencies.
package verda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is the public Verda API.
const DefaultBaseURL = "https://api.verda.com/v1"

// Defaults of Config fields left at their zero value.
const (
	DefaultMaxRetries     = 5
	DefaultRequestTimeout = 60 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
)

// maxErrorBody bounds how much of an error response is read and quoted.
const maxErrorBody = 64 << 10

// Config configures a Client.
type Config struct {
	// BaseURL of the API, such as DefaultBaseURL. A plain http:// URL is
	// accepted only for a loopback host, so credentials never travel in
	// clear text.
	BaseURL      string
	ClientID     string
	ClientSecret string
	// InferenceAPIKey authenticates calls to deployment endpoints.
	InferenceAPIKey string

	// MaxRetries is how many times a failed request is retried.
	// Zero selects DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// RequestTimeout bounds one HTTP attempt; zero selects DefaultRequestTimeout.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the wait between attempts,
	// Retry-After included. Zero selects the defaults.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration

	// UserAgent is sent on every request.
	UserAgent string
	// Logger receives one line per HTTP attempt; nil discards them.
	Logger Logger
	// Transport replaces the default pooled transport (tests).
	Transport http.RoundTripper
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Client calls the Verda API. It is safe for concurrent use; the access
// token is shared by all callers.
type Client struct {
	baseURL      *url.URL
	inferenceKey string
	userAgent    string
	http         *retryablehttp.Client
	tokens       *tokenSource
	redactor     *redactor
	logger       Logger
	nowFunc      func() time.Time
	retryWaitMax time.Duration
}

// New validates cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("missing credentials: both a client ID and a client secret are required")
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	transport := cfg.Transport
	if transport == nil {
		transport = newPooledTransport()
	}

	c := &Client{
		baseURL:      base,
		inferenceKey: cfg.InferenceAPIKey,
		userAgent:    cfg.UserAgent,
		redactor:     newRedactor(),
		logger:       cfg.Logger,
		nowFunc:      cfg.Now,
		retryWaitMax: cfg.RetryWaitMax,
	}
	c.redactor.add(cfg.ClientSecret, cfg.InferenceAPIKey)

	rc := &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: transport, Timeout: cfg.RequestTimeout},
		Logger:       nil, // attempts are logged by the hooks below
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		// The hooks carry the attempt number and duration to Logger.
		RequestLogHook:  c.logRequest,
		ResponseLogHook: c.logResponse,
		CheckRetry:      c.checkRetry,
		Backoff:         c.backoff,
		// Hand back the last response after the final attempt so that its
		// API error is decoded, instead of a generic "giving up" error.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	c.http = rc
	c.tokens = &tokenSource{
		client:       c,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		lock:         make(chan struct{}, 1),
	}
	return c, nil
}

// ParseBaseURL checks a base URL: https, or http for a loopback host only.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q: %w", raw, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: it needs a scheme and a host, such as %s", raw, DefaultBaseURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("invalid base URL %q: plain http is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1), because credentials would travel in clear text; use https", raw)
		}
	default:
		return nil, fmt.Errorf("invalid base URL %q: the scheme must be https (or http for a loopback host)", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid base URL %q: it must not have a query or fragment", raw)
	}
	return u, nil
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the API base URL in use.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// HasInferenceKey reports whether an inference API key is configured.
func (c *Client) HasInferenceKey() bool { return c.inferenceKey != "" }

// Redact masks every secret the client knows in s, plus extra.
func (c *Client) Redact(s string, extra ...string) string { return c.redactor.redact(s, extra...) }

// AddSecrets registers values that must never appear in errors the client returns.
func (c *Client) AddSecrets(values ...string) { c.redactor.add(values...) }

func (c *Client) now() time.Time { return c.nowFunc() }

// call describes one API operation for do.
type call struct {
	operation string // "create volume"
	object    string // `volume "prod-sfs"`; may be empty
	method    string
	path      string // below the base URL; segments already escaped
	query     url.Values
	body      any // JSON-encoded when not nil
	// out receives the decoded JSON body; a *string receives the raw text.
	out   any
	retry retryClass
	// secrets are masked in any error this call returns.
	secrets []string
	// noAuth skips the bearer token (the token endpoint itself).
	noAuth bool
	// form sends body (a url.Values) form-encoded instead of JSON.
	form bool
	// absoluteURL replaces base URL + path (inference endpoints).
	absoluteURL string
	// bearer replaces the OAuth token (the inference key).
	bearer string
}

// do sends one API call: it alone sets authentication and headers, encodes
// the body, checks the status and decodes the response. A 401 on an
// authenticated call invalidates the token and is retried once.
func (c *Client) do(ctx context.Context, cl call) error {
	var payload []byte
	contentType := ""
	switch {
	case cl.body == nil:
	case cl.form:
		payload = []byte(cl.body.(url.Values).Encode())
		contentType = "application/x-www-form-urlencoded"
	default:
		var err error
		payload, err = json.Marshal(cl.body)
		if err != nil {
			return &OperationError{Operation: cl.operation, Object: cl.object, Err: fmt.Errorf("encoding request: %w", err)}
		}
		contentType = "application/json"
	}

	target := cl.absoluteURL
	if target == "" {
		target = c.baseURL.String() + cl.path
	}
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}

	reauthenticated := false
	for {
		token := cl.bearer
		if token == "" && !cl.noAuth {
			var err error
			token, err = c.tokens.token(ctx)
			if err != nil {
				return &OperationError{Operation: cl.operation, Object: cl.object, Err: err}
			}
		}

		resp, err := c.send(ctx, cl, target, payload, contentType, token)
		if err != nil {
			// When CheckRetry ends the retries with an error, retryablehttp
			// returns the last response too, and its body is ours to close.
			if resp != nil {
				drain(resp)
			}
			return &OperationError{Operation: cl.operation, Object: cl.object, Err: c.maskError(c.explainTransportError(ctx, err), cl.secrets)}
		}

		if resp.StatusCode == http.StatusUnauthorized && !cl.noAuth && cl.bearer == "" && !reauthenticated {
			drain(resp)
			c.tokens.invalidate(token)
			reauthenticated = true
			continue
		}
		return c.handleResponse(resp, cl)
	}
}

func (c *Client) send(ctx context.Context, cl call, target string, payload []byte, contentType, token string) (*http.Response, error) {
	ctx = withRetryClass(ctx, cl.retry)
	ctx = withAttemptLog(ctx, cl.operation)
	var body any
	if payload != nil {
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.http.Do(req)
}

func (c *Client) handleResponse(resp *http.Response, cl call) error {
	defer drain(resp)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.decodeError(resp, cl)
	}
	if cl.out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &OperationError{Operation: cl.operation, Object: cl.object, Err: fmt.Errorf("reading response: %w", err)}
	}
	if text, ok := cl.out.(*string); ok {
		*text = string(data)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, cl.out); err != nil {
		return &OperationError{Operation: cl.operation, Object: cl.object, Err: fmt.Errorf("decoding response (HTTP %d): %w", resp.StatusCode, err)}
	}
	return nil
}

// decodeError reads the API's error envelope. The documented shape is
// {"code","message"}; the SDK mocks also send {"message","status"}, and a
// proxy in front of the API may send plain text.
func (c *Client) decodeError(resp *http.Response, cl call) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	apiErr := &APIError{
		Operation:  cl.operation,
		Object:     cl.object,
		StatusCode: resp.StatusCode,
		RequestID:  firstHeader(resp.Header, "X-Request-Id", "X-Request-ID", "X-Correlation-Id"),

		fromTokenEndpoint: cl.noAuth,
	}
	var envelope struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(data, &envelope) == nil {
		if s, ok := envelope.Code.(string); ok {
			apiErr.Code = s
		}
		apiErr.Message = envelope.Message
		if apiErr.Message == "" {
			if s, ok := envelope.Error.(string); ok {
				apiErr.Message = s
			}
		}
	}
	if apiErr.Message != "" {
		apiErr.Message = c.redactor.redact(apiErr.Message, cl.secrets...)
		return apiErr
	}
	// Mask before truncating: a cut through a secret would leave its start
	// unrecognisable and therefore unmasked.
	text := c.redactor.redact(strings.TrimSpace(string(data)), cl.secrets...)
	apiErr.Message = truncate(text, 512)
	return apiErr
}

// truncate shortens s to at most limit bytes plus an ellipsis, cutting at a
// character boundary.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// maskError masks every secret in a transport error. The result unwraps only
// to the context error, so that errors.Is still recognises a cancellation or
// a deadline while the unmasked original stays unreachable.
func (c *Client) maskError(err error, secrets []string) error {
	masked := &maskedError{msg: c.redactor.redact(err.Error(), secrets...)}
	switch {
	case errors.Is(err, context.Canceled):
		masked.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		masked.cause = context.DeadlineExceeded
	}
	return masked
}

type maskedError struct {
	msg   string
	cause error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.cause }

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
}

func newPooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}

// escape escapes one path segment.
func escape(segment string) string { return url.PathEscape(segment) }
