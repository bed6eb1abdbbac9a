package emulator

import (
	"net/http"
	"strings"
)

// apiHandler handles one API operation. It returns the response or an *apiError, never both, and never
// writes to the connection itself, so that faults and the request log can wrap every operation alike.
type apiHandler func(r *http.Request) (response, *apiError)

// response is a successful response. Body is encoded as JSON unless Raw is set.
type response struct {
	Status      int
	Body        any
	Raw         []byte
	ContentType string
	Header      http.Header
}

func jsonResponse(status int, body any) (response, *apiError) {
	return response{Status: status, Body: body}, nil
}

func emptyResponse(status int) (response, *apiError) {
	return response{Status: status}, nil
}

func rawResponse(status int, contentType string, data []byte) (response, *apiError) {
	return response{Status: status, Raw: data, ContentType: contentType}, nil
}

func errorResponse(err *apiError) (response, *apiError) { return response{}, err }

func serveAPI(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := h(r)
		if err != nil {
			writeError(w, err)
			return
		}
		writeResponse(w, resp)
	})
}

func writeResponse(w http.ResponseWriter, resp response) {
	for key, values := range resp.Header {
		for _, value := range values {
			w.Header().Add(key, value)
		}
	}
	switch {
	case resp.Raw != nil:
		w.Header().Set("Content-Type", resp.ContentType)
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Raw)
	case resp.Body != nil:
		writeJSON(w, resp.Status, resp.Body)
	default:
		w.WriteHeader(resp.Status)
	}
}

// authenticated wraps an API handler with the bearer access-token check.
func (e *Emulator) authenticated(h apiHandler) http.Handler {
	return serveAPI(func(r *http.Request) (response, *apiError) {
		if err := e.checkAccessToken(r); err != nil {
			return errorResponse(err)
		}
		return h(r)
	})
}

// notFoundOrMethodNotAllowed handles requests that no route matched: a JSON 405 with an Allow header when
// the path exists under another method, a JSON 404 otherwise.
func (e *Emulator) notFoundOrMethodNotAllowed(mux *http.ServeMux) http.Handler {
	return serveAPI(func(r *http.Request) (response, *apiError) {
		var allowed []string
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = method
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
				allowed = append(allowed, method)
			}
		}
		if len(allowed) > 0 {
			err := newAPIError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "method %s is not allowed on %s; allowed: %s",
				r.Method, r.URL.Path, strings.Join(allowed, ", "))
			err.Header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
			return errorResponse(err)
		}
		return errorResponse(notFound("no route for %s %s; the API is served under /v1", r.Method, r.URL.Path))
	})
}
