package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// RequestRecord is one request to /v1 or /inference, as the request log keeps it.
type RequestRecord struct {
	Seq    int
	Method string
	Path   string
	Query  string
	// Status is the response status, 0 when a fault dropped the connection.
	Status int
	// Body is the request body of POST, PUT, PATCH and DELETE requests, with secret fields replaced by
	// "***" and cut at 64 KiB.
	Body string
	Time time.Time
}

const (
	maxLoggedBodyBytes = 64 << 10
	// maxRequestRecords bounds the log of a long-running emulator; the oldest records go first.
	maxRequestRecords = 10000
	maskedValue       = "***"
)

// secretFields are masked in logged bodies: OAuth credentials, secret values and registry credentials.
var secretFields = map[string]bool{
	"client_secret": true, "refresh_token": true, "access_token": true, "value": true, "password": true,
	"secret_access_key": true, "service_account_key": true, "docker_config_json": true, "base64_content": true,
	"scaleway_uuid": true, "access_key_id": true,
}

// Requests returns a copy of the request log, oldest first. Control-plane requests are not logged.
func (e *Emulator) Requests() []RequestRecord {
	var out []RequestRecord
	e.read(func(st *state) { out = slices.Clone(st.requests) })
	return out
}

// ClearRequests empties the request log.
func (e *Emulator) ClearRequests() {
	e.read(func(st *state) { st.requests = nil })
}

// CountRequests counts logged requests whose path matches pathPattern (the Fault.Path syntax) and whose
// method is method, or any method when method is "".
func (e *Emulator) CountRequests(method, pathPattern string) int {
	count := 0
	for _, rec := range e.Requests() {
		if (method == "" || strings.EqualFold(method, rec.Method)) && matchPathPattern(pathPattern, rec.Path) {
			count++
		}
	}
	return count
}

// MutatingRequests returns the logged POST, PUT, PATCH and DELETE requests to /v1, except token requests.
func (e *Emulator) MutatingRequests() []RequestRecord {
	var out []RequestRecord
	for _, rec := range e.Requests() {
		if isMutatingAPIRequest(rec.Method, rec.Path) {
			out = append(out, rec)
		}
	}
	return out
}

func isMutatingMethod(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func isMutatingAPIRequest(method, requestPath string) bool {
	return isMutatingMethod(method) && strings.HasPrefix(requestPath, "/v1/") &&
		!(method == http.MethodPost && requestPath == "/v1/oauth2/token")
}

// recordRequests logs every request through the Logger and keeps /v1 and /inference requests in the
// request log.
func (e *Emulator) recordRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var captured *cappedBuffer
		if isMutatingMethod(r.Method) && r.Body != nil {
			captured = &cappedBuffer{limit: maxLoggedBodyBytes}
			r.Body = readCloser{Reader: io.TeeReader(r.Body, captured), Closer: r.Body}
		}
		recorder := &statusRecorder{ResponseWriter: w}

		defer func() {
			status := recorder.status
			if status == 0 && recorder.wrote {
				status = http.StatusOK
			}
			e.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "duration", time.Since(start))
			if strings.HasPrefix(r.URL.Path, "/_emulator/") {
				return
			}
			body := ""
			if captured != nil {
				body = maskBody(captured.Bytes(), r.Header.Get("Content-Type"), captured.truncated)
			}
			e.read(func(st *state) {
				st.requestSeq++
				st.requests = append(st.requests, RequestRecord{
					Seq: st.requestSeq, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
					Status: status, Body: body, Time: st.now(),
				})
				if len(st.requests) > maxRequestRecords {
					st.requests = slices.Delete(st.requests, 0, len(st.requests)-maxRequestRecords)
				}
			})
		}()
		next.ServeHTTP(recorder, r)
	})
}

// maskBody renders a logged body with secret fields masked. JSON and form bodies are masked field by
// field; other bodies are kept when they are text and summarized when binary.
func maskBody(data []byte, contentType string, truncated bool) string {
	suffix := ""
	if truncated {
		suffix = fmt.Sprintf("…(cut at %d bytes)", maxLoggedBodyBytes)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return ""
	}
	if !truncated && (trimmed[0] == '{' || trimmed[0] == '[') {
		var v any
		if json.Unmarshal(trimmed, &v) == nil {
			if maskJSON(v) {
				masked, err := json.Marshal(v)
				if err == nil {
					return string(masked)
				}
			}
			return string(data)
		}
	}
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") || (!truncated && looksLikeForm(trimmed)) {
		if values, err := url.ParseQuery(string(trimmed)); err == nil {
			for key := range values {
				if secretFields[key] {
					values[key] = []string{maskedValue}
				}
			}
			return values.Encode() + suffix
		}
	}
	if !utf8.Valid(data) {
		return fmt.Sprintf("<%d bytes of binary data>", len(data))
	}
	return string(data) + suffix
}

func looksLikeForm(data []byte) bool {
	return bytes.Contains(data, []byte("grant_type="))
}

// maskJSON replaces secret fields in a decoded JSON value and reports whether it replaced any.
func maskJSON(v any) bool {
	masked := false
	switch value := v.(type) {
	case map[string]any:
		for key, inner := range value {
			if secretFields[key] {
				if _, isString := inner.(string); isString {
					value[key] = maskedValue
					masked = true
					continue
				}
			}
			masked = maskJSON(inner) || masked
		}
	case []any:
		for _, inner := range value {
			masked = maskJSON(inner) || masked
		}
	}
	return masked
}

type readCloser struct {
	io.Reader
	io.Closer
}

// cappedBuffer keeps the first limit bytes written to it. Write discards the rest but reports success, so the
// TeeReader in front of a request body never fails the handler's read.
type cappedBuffer struct {
	bytes.Buffer
	limit     int
	truncated bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.limit - c.Len()
	if room < len(p) {
		c.truncated = true
		if room > 0 {
			c.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return c.Buffer.Write(p)
}

// statusRecorder remembers the status written through it. Unwrap lets http.ResponseController reach the
// connection for hijacking and flushing.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
