package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault makes matching requests fail or slow down. Faults apply to /v1 and /inference requests, never
// to the /_emulator control plane, and are checked in the order they were added.
type Fault struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// Path is a pattern relative to the server root, such as "/v1/volumes" or
	// "/v1/container-deployments/*". "*" matches one segment and a trailing "/**" any suffix, none included.
	Path string
	// Count is how many matching requests are affected; 0 means 1.
	Count int
	// Status is the response status. The body is the JSON error envelope.
	Status int
	// RetryAfter is the Retry-After header value, in seconds ("2") or as an HTTP date. Optional.
	RetryAfter string
	// Delay is a pause before the request is handled. It ends early when the client goes away.
	Delay time.Duration
	// Drop closes the connection without any response.
	Drop bool
	// CommitThenFail runs the real handler, so state changes, then returns Status (500 if unset), or drops
	// the connection when Drop is also set.
	CommitThenFail bool
}

// AddFault adds a fault. It stays active until Count matching requests have used it.
func (e *Emulator) AddFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Path != "" && !strings.HasPrefix(f.Path, "/") {
		f.Path = "/" + f.Path
	}
	e.read(func(st *state) {
		fault := f
		st.faults = append(st.faults, &fault)
	})
}

// ClearFaults removes all faults.
func (e *Emulator) ClearFaults() {
	e.read(func(st *state) { st.faults = nil })
}

// Faults returns the faults that are still active, with Count set to the remaining uses.
func (e *Emulator) Faults() []Fault {
	var out []Fault
	e.read(func(st *state) {
		for _, f := range st.faults {
			out = append(out, *f)
		}
	})
	return out
}

// takeFault returns the first fault matching the request and uses up one of its counts.
func (e *Emulator) takeFault(method, requestPath string) (Fault, bool) {
	var out Fault
	var found bool
	e.read(func(st *state) {
		for i, f := range st.faults {
			if f.Method != "" && !strings.EqualFold(f.Method, method) {
				continue
			}
			if f.Path != "" && !matchPathPattern(f.Path, requestPath) {
				continue
			}
			out, found = *f, true
			f.Count--
			if f.Count <= 0 {
				st.faults = append(st.faults[:i:i], st.faults[i+1:]...)
			}
			return
		}
	})
	return out, found
}

// matchPathPattern matches a slash-separated path against a pattern where "*" is one segment and a final
// "**" is any number of segments, zero included.
func matchPathPattern(pattern, requestPath string) bool {
	patternSegments := strings.Split(strings.Trim(pattern, "/"), "/")
	pathSegments := strings.Split(strings.Trim(requestPath, "/"), "/")
	if strings.Trim(requestPath, "/") == "" {
		pathSegments = nil
	}
	for i, segment := range patternSegments {
		if segment == "**" && i == len(patternSegments)-1 {
			return true
		}
		if i >= len(pathSegments) {
			return false
		}
		if segment != "*" && segment != pathSegments[i] {
			return false
		}
	}
	return len(pathSegments) == len(patternSegments)
}

// injectFaults applies the first matching fault to each request outside the control plane.
func (e *Emulator) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_emulator/") {
			next.ServeHTTP(w, r)
			return
		}
		f, ok := e.takeFault(r.Method, r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}

		if f.Delay > 0 {
			bufferBody(r)
			timer := time.NewTimer(f.Delay)
			select {
			case <-timer.C:
			case <-r.Context().Done():
				timer.Stop()
				return
			}
		}

		switch {
		case f.CommitThenFail:
			next.ServeHTTP(discardResponseWriter{header: http.Header{}}, r)
			if f.Drop {
				dropConnection(w)
				return
			}
			writeFault(w, r, f, cmpOrInt(f.Status, http.StatusInternalServerError))
		case f.Drop:
			dropConnection(w)
		case f.Status != 0:
			writeFault(w, r, f, f.Status)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// bufferBody reads the request body ahead of the handler and puts it back in front of the unread rest.
// net/http notices that a client went away, and cancels the request context, only once the body has been read
// to its end, so without this a delayed POST, PUT or PATCH would outlive its client and then be handled.
// Read errors surface again when the handler reads the rest.
func bufferBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	data, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBodyBytes+1))
	r.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(data), r.Body), Closer: r.Body}
}

func writeFault(w http.ResponseWriter, r *http.Request, f Fault, status int) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	message := fmt.Sprintf("emulated fault: %d %s for %s %s", status, http.StatusText(status), r.Method, r.URL.Path)
	if f.RetryAfter != "" {
		message += "; retry after " + f.RetryAfter
	}
	writeError(w, &apiError{Status: status, Code: codeForStatus(status), Message: message})
}

// dropConnection closes the client connection without a response. Where the connection cannot be taken
// over (an in-memory ResponseRecorder), it aborts the handler, which net/http turns into a closed
// connection as well.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// discardResponseWriter swallows the real response of a commit-then-fail request.
type discardResponseWriter struct{ header http.Header }

func (d discardResponseWriter) Header() http.Header         { return d.header }
func (d discardResponseWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardResponseWriter) WriteHeader(int)             {}
