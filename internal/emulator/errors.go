package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error codes of the Verda API error envelope {"code": ..., "message": ...}.
const (
	codeInvalidRequest      = "invalid_request"
	codeUnauthorized        = "unauthorized_request"
	codeInsufficientFunds   = "insufficient_funds"
	codeForbiddenAction     = "forbidden_action"
	codeNotFound            = "not_found"
	codeConflict            = "conflict"
	codeTooManyRequests     = "too_many_requests"
	codeServerError         = "server_error"
	codeServiceUnavailable  = "service_unavailable"
	codeMethodNotAllowed    = "method_not_allowed"
	codeRequestTimeout      = "request_timeout"
	contentTypeJSON         = "application/json"
	contentTypeTextPlain    = "text/plain; charset=utf-8"
	contentTypeHTML         = "text/html; charset=utf-8"
	contentTypeOctetStream  = "application/octet-stream"
	maxRequestBodyBytes     = 32 << 20
	maxControlFileBodyBytes = 256 << 20
)

// apiError is a failed API operation. One adapter, writeError, turns it into the JSON envelope.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Header contains extra response headers, such as Allow on a 405.
	Header http.Header
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// errorEnvelope is the error body of every /v1 and /_emulator response.
type errorEnvelope struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidRequest, format, args...)
}

// forbiddenAction is the 400 response the API returns for an action that the state of an object forbids,
// such as deleting a volume that a deployment mounts.
func forbiddenAction(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, codeForbiddenAction, format, args...)
}

func unauthorized(format string, args ...any) *apiError {
	return newAPIError(http.StatusUnauthorized, codeUnauthorized, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newAPIError(http.StatusNotFound, codeNotFound, format, args...)
}

func conflict(format string, args ...any) *apiError {
	return newAPIError(http.StatusConflict, codeConflict, format, args...)
}

func serverError(format string, args ...any) *apiError {
	return newAPIError(http.StatusInternalServerError, codeServerError, format, args...)
}

// nullOrUndefined is the validation message the API gives for a missing required field.
func nullOrUndefined(path string) *apiError {
	return badRequest("%s should not be null or undefined", path)
}

// codeForStatus picks the envelope code for a status that an injected fault or a generic failure produces.
func codeForStatus(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return codeUnauthorized
	case status == http.StatusPaymentRequired:
		return codeInsufficientFunds
	case status == http.StatusForbidden:
		return codeForbiddenAction
	case status == http.StatusNotFound:
		return codeNotFound
	case status == http.StatusMethodNotAllowed:
		return codeMethodNotAllowed
	case status == http.StatusRequestTimeout:
		return codeRequestTimeout
	case status == http.StatusConflict:
		return codeConflict
	case status == http.StatusTooManyRequests:
		return codeTooManyRequests
	case status == http.StatusServiceUnavailable:
		return codeServiceUnavailable
	case status >= 500:
		return codeServerError
	default:
		return codeInvalidRequest
	}
}

// writeError writes the JSON error envelope. It is the only place that writes an error body, so that no
// client ever receives a non-JSON error (the Python SDK crashes on one).
func writeError(w http.ResponseWriter, err *apiError) {
	for key, values := range err.Header {
		for _, value := range values {
			w.Header().Add(key, value)
		}
	}
	writeJSON(w, err.Status, errorEnvelope{Code: err.Code, Message: err.Message})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorEnvelope{Code: codeServerError, Message: "encoding the response failed: " + err.Error()})
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
