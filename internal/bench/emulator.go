package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// emulatorServer is an in-process Verda emulator on a loopback port. Besides
// the emulator's own request log, it records the status that every
// GET /v1/container-deployments/{name}/status response carried, because the
// latency figures count polls by what they returned.
type emulatorServer struct {
	emu      *emulator.Emulator
	server   *http.Server
	listener net.Listener
	baseURL  string
	statuses *statusLog
}

// startEmulator serves a new emulator on 127.0.0.1 at a free port.
func startEmulator(opts emulator.Options) (*emulatorServer, error) {
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, fmt.Errorf("creating the emulator failed: %w", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on a loopback port for the emulator failed: %w", err)
	}
	statuses := &statusLog{changed: make(chan struct{})}
	s := &emulatorServer{
		emu:      emu,
		listener: listener,
		baseURL:  "http://" + listener.Addr().String() + "/v1",
		statuses: statuses,
		server: &http.Server{
			Handler:           statuses.middleware(emu.Handler()),
			ReadHeaderTimeout: 30 * time.Second,
		},
	}
	go func() {
		// Serve returns ErrServerClosed after Close; any other error leaves the
		// provider's requests failing, which the figures then report.
		_ = s.server.Serve(listener)
	}()
	return s, nil
}

func (s *emulatorServer) Close() {
	_ = s.server.Close()
}

// statusObservation is one /status response as the provider received it.
type statusObservation struct {
	Deployment string
	Status     string
	Time       time.Time
}

// statusLog keeps every /status response. changed is closed and replaced on
// each new entry, so waiters can block without polling.
type statusLog struct {
	mu           sync.Mutex
	observations []statusObservation
	changed      chan struct{}
}

const statusPathPrefix = "/v1/container-deployments/"

// deploymentOfStatusPath returns the deployment name of a status path, or ""
// for any other path.
func deploymentOfStatusPath(method, path string) string {
	if method != http.MethodGet || !strings.HasPrefix(path, statusPathPrefix) {
		return ""
	}
	name, rest, ok := strings.Cut(strings.TrimPrefix(path, statusPathPrefix), "/")
	if !ok || rest != "status" || name == "" {
		return ""
	}
	return name
}

func (l *statusLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := deploymentOfStatusPath(r.Method, r.URL.Path)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		capture := &bodyCapture{ResponseWriter: w}
		next.ServeHTTP(capture, r)

		var body struct {
			Status string `json:"status"`
		}
		status := ""
		if capture.code == 0 || capture.code == http.StatusOK {
			if err := json.Unmarshal(capture.body.Bytes(), &body); err == nil {
				status = body.Status
			}
		}
		if status == "" {
			status = fmt.Sprintf("http-%d", capture.code)
		}
		l.add(statusObservation{Deployment: name, Status: status, Time: time.Now()})
	})
}

func (l *statusLog) add(o statusObservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.observations = append(l.observations, o)
	close(l.changed)
	l.changed = make(chan struct{})
}

// of returns the observations of one deployment, oldest first.
func (l *statusLog) of(deployment string) []statusObservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []statusObservation
	for _, o := range l.observations {
		if o.Deployment == deployment {
			out = append(out, o)
		}
	}
	return out
}

// waitFor blocks until the deployment has at least count observations and
// returns the last of them, or fails when ctx ends first.
func (l *statusLog) waitFor(ctx context.Context, deployment string, count int) (statusObservation, error) {
	for {
		l.mu.Lock()
		changed := l.changed
		l.mu.Unlock()
		if seen := l.of(deployment); len(seen) >= count {
			return seen[count-1], nil
		}
		select {
		case <-ctx.Done():
			return statusObservation{}, fmt.Errorf("waiting for status poll %d of deployment %q: %w", count, deployment, ctx.Err())
		case <-changed:
		}
	}
}

// bodyCapture keeps a copy of a response body and its status code.
type bodyCapture struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (c *bodyCapture) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *bodyCapture) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

func (c *bodyCapture) Unwrap() http.ResponseWriter { return c.ResponseWriter }
