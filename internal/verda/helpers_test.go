package verda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials used by every test client. The secret contains characters that
// URL and JSON encoding change, so that an echo of an encoded request body is
// caught too.
const (
	testClientID     = "client-id-7f3a"
	testClientSecret = "cs+Kq/9x=Secret&<1>"
	testInferenceKey = "inference-key-9Hq2"
	testUserAgent    = "verda-client-tests/1.0"
)

func accessTokenN(n int) string  { return fmt.Sprintf("access-token-%d-Zq8w", n) }
func refreshTokenN(n int) string { return fmt.Sprintf("refresh-token-%d-Pk4v", n) }

// recordedRequest is one request as the fake API received it.
type recordedRequest struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       string
	At         time.Time
}

// tokenRequest is one request to the token endpoint, decoded from either
// body encoding.
type tokenRequest struct {
	ContentType string
	Header      http.Header
	Values      url.Values
}

func (r tokenRequest) grant() string { return r.Values.Get("grant_type") }

// fakeAPI is an httptest server that issues OAuth tokens on /v1/oauth2/token
// and passes every other request to api. It records all requests.
type fakeAPI struct {
	t      *testing.T
	server *httptest.Server

	mu            sync.Mutex
	requests      []recordedRequest
	tokenRequests []tokenRequest
	issued        int
	expiresIn     int64
	// token, when set, handles token requests in place of the default
	// handler. Its n counts token requests from 1.
	token func(w http.ResponseWriter, r *http.Request, req tokenRequest, n int)
	api   http.HandlerFunc
}

func newFakeAPI(t *testing.T, api http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, api: api, expiresIn: 3600}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeAPI) baseURL() string { return f.server.URL + "/v1" }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := recordedRequest{
		Method:     r.Method,
		RequestURI: r.RequestURI,
		Header:     r.Header.Clone(),
		Body:       string(body),
		At:         time.Now(),
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))

	if r.URL.Path == "/v1/oauth2/token" {
		f.serveToken(w, r, rec)
		return
	}

	f.mu.Lock()
	f.requests = append(f.requests, rec)
	api := f.api
	f.mu.Unlock()
	if api == nil {
		http.NotFound(w, r)
		return
	}
	api(w, r)
}

func (f *fakeAPI) serveToken(w http.ResponseWriter, r *http.Request, rec recordedRequest) {
	req := tokenRequest{ContentType: r.Header.Get("Content-Type"), Header: rec.Header, Values: url.Values{}}
	if strings.HasPrefix(req.ContentType, "application/json") {
		var body map[string]string
		if err := json.Unmarshal([]byte(rec.Body), &body); err == nil {
			for k, v := range body {
				req.Values.Set(k, v)
			}
		}
	} else if values, err := url.ParseQuery(rec.Body); err == nil {
		req.Values = values
	}

	f.mu.Lock()
	f.tokenRequests = append(f.tokenRequests, req)
	n := len(f.tokenRequests)
	custom := f.token
	f.mu.Unlock()

	if custom != nil {
		custom(w, r, req, n)
		return
	}
	f.issueToken(w)
}

// issueToken writes a token response with the next access and refresh token.
func (f *fakeAPI) issueToken(w http.ResponseWriter) {
	f.mu.Lock()
	f.issued++
	n := f.issued
	expiresIn := f.expiresIn
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  accessTokenN(n),
		"refresh_token": refreshTokenN(n),
		"token_type":    "Bearer",
		"expires_in":    expiresIn,
		"scope":         "read write",
	})
}

func (f *fakeAPI) setTokenHandler(h func(w http.ResponseWriter, r *http.Request, req tokenRequest, n int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = h
}

func (f *fakeAPI) apiRequests() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedRequest(nil), f.requests...)
}

func (f *fakeAPI) tokens() []tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tokenRequest(nil), f.tokenRequests...)
}

func (f *fakeAPI) grants() []string {
	var out []string
	for _, r := range f.tokens() {
		out = append(out, r.grant())
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]string{"code": code, "message": message})
}

// newTestClient returns a client of f with fast retries and a recording
// logger; cfg fields that are set override the defaults.
func newTestClient(t *testing.T, f *fakeAPI, cfg Config) (*Client, *recordingLogger) {
	t.Helper()
	logger := &recordingLogger{}

	if cfg.BaseURL == "" {
		cfg.BaseURL = f.baseURL()
	}
	if cfg.ClientID == "" {
		cfg.ClientID = testClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = testClientSecret
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = testUserAgent
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = time.Millisecond
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = 20 * time.Millisecond
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = logger
	}

	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, logger
}

// testContext returns a context that ends with the test, bounded so that a
// hanging call fails the test instead of the whole run.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// recordingLogger keeps every log line with its fields, so that tests can
// search the output the provider would write to TF_LOG.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", level, msg)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, fields[k])
	}
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
}

func (l *recordingLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(start time.Time) *fakeClock { return &fakeClock{now: start} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// secretForms returns s as it may appear when a server echoes a request:
// raw, URL-encoded (form and path style) and JSON-escaped.
func secretForms(s string) []string {
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	quoted, _ := json.Marshal(s)
	forms = append(forms, string(quoted[1:len(quoted)-1]))
	return forms
}

// assertNoSecret fails the test for every form of every secret found in text.
func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			if strings.Contains(text, form) {
				t.Errorf("%s contains the secret %q (as %q):\n%s", where, s, form, text)
			}
		}
	}
}

func bearerOf(r recordedRequest) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}
