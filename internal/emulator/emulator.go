// Package emulator is a stateful emulator of the Verda Cloud REST API with a fake ComfyUI behind each
// container deployment. Tests run one emulator per test through NewTestServer, and the verda-emulator
// command serves it to users. routes.go lists the whole emulated surface.
package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// Default credentials and lifetimes.
const (
	DefaultClientID      = "emulator-client-id"
	DefaultClientSecret  = "emulator-client-secret"
	DefaultInferenceKey  = "emulator-inference-key"
	DefaultTokenTTL      = time.Hour
	RefreshTokenTTL      = 24 * time.Hour
	defaultDeleteTimeout = 60000
	maxDeleteTimeout     = 300000
)

// Options configures an Emulator. The zero value is usable.
type Options struct {
	// ClientID and ClientSecret are the accepted OAuth client credentials.
	// They default to DefaultClientID and DefaultClientSecret.
	ClientID, ClientSecret string
	// InferenceKey is the bearer key of the inference endpoints. It defaults to DefaultInferenceKey.
	InferenceKey string
	// TokenTTL is the access-token lifetime, 1h by default. Refresh tokens live RefreshTokenTTL.
	TokenTTL time.Duration
	// Clock defaults to the real clock.
	Clock Clock
	// StagePolls is how many status reads each lifecycle stage stays visible for (default 1).
	StagePolls int
	// StageDuration, if > 0, advances stages by clock time instead of by reads.
	StageDuration time.Duration
	// Logger receives one line per request (method, path, status, duration). By default the lines are discarded.
	Logger *slog.Logger
	// StateFile, if set, is loaded by New when it exists and rewritten atomically after each change.
	StateFile string
}

// Emulator is one emulated Verda account. All methods are safe for concurrent use.
type Emulator struct {
	opts    Options
	logger  *slog.Logger
	handler http.Handler
	mux     *http.ServeMux

	mu      sync.Mutex
	st      *state
	version uint64

	saveMu       sync.Mutex
	savedVersion uint64
}

// New returns an emulator configured by opts. With a StateFile that exists, it loads that state.
func New(opts Options) (*Emulator, error) {
	if opts.TokenTTL < 0 {
		return nil, fmt.Errorf("invalid emulator options: TokenTTL %v is negative", opts.TokenTTL)
	}
	if opts.StagePolls < 0 {
		return nil, fmt.Errorf("invalid emulator options: StagePolls %d is negative; use 0 for the default of 1", opts.StagePolls)
	}
	if opts.StageDuration < 0 {
		return nil, fmt.Errorf("invalid emulator options: StageDuration %v is negative", opts.StageDuration)
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.InferenceKey == "" {
		opts.InferenceKey = DefaultInferenceKey
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.StagePolls == 0 {
		opts.StagePolls = 1
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	e := &Emulator{opts: opts, logger: logger}
	e.st = newState(opts.Clock, opts.StagePolls, opts.StageDuration)

	if opts.StateFile != "" {
		data, err := os.ReadFile(opts.StateFile)
		switch {
		case err == nil:
			if err := e.loadSnapshot(data); err != nil {
				return nil, fmt.Errorf("loading emulator state file %s failed: %w; fix or delete the file", opts.StateFile, err)
			}
		case errors.Is(err, os.ErrNotExist):
			// A new state file is written after the first change.
		default:
			return nil, fmt.Errorf("reading emulator state file %s failed: %w", opts.StateFile, err)
		}
	}

	e.mux = http.NewServeMux()
	e.routes(e.mux)
	e.handler = e.recordRequests(e.injectFaults(e.mux))
	return e, nil
}

// Handler returns the HTTP handler serving the API under /v1, the fake ComfyUI under /inference and the
// control plane under /_emulator.
func (e *Emulator) Handler() http.Handler { return e.handler }

// TestServer is an emulator behind a loopback HTTP server.
type TestServer struct {
	// URL is the server root, for example http://127.0.0.1:43567.
	URL string
	// BaseURL is the API base URL for clients, URL + "/v1".
	BaseURL  string
	Emulator *Emulator
}

// NewTestServer starts an httptest server on 127.0.0.1 and closes it in t.Cleanup.
func NewTestServer(t testing.TB, opts Options) *TestServer {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatalf("starting the Verda emulator failed: %v", err)
	}
	server := httptest.NewServer(e.Handler())
	t.Cleanup(server.Close)
	return &TestServer{URL: server.URL, BaseURL: server.URL + "/v1", Emulator: e}
}

// Reset deletes every API object and restores the catalog defaults. Issued tokens, faults and the request
// log are kept.
func (e *Emulator) Reset() {
	e.do(func(st *state) *apiError {
		st.resetResources()
		return nil
	})
}

// requestBaseURL is the scheme and host the client used, so endpoint URLs work for any listen address.
func requestBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
