package verda

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors matched with errors.Is against an *APIError.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrRateLimited  = errors.New("rate limited")
	ErrBadRequest   = errors.New("bad request")
)

// APIError is a non-2xx response of the Verda API.
type APIError struct {
	// Operation and Object name what was attempted, for example
	// "update scaling" and `container deployment "comfy-h200"`.
	Operation string
	Object    string

	StatusCode int
	// Code is the API's error code, such as "invalid_request"; it may be empty.
	Code string
	// Message is the API's message with every known secret masked.
	Message   string
	RequestID string

	// fromTokenEndpoint marks an error of the token request that an API call
	// needed first.
	fromTokenEndpoint bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation)
	if e.Object != "" {
		b.WriteString(" ")
		b.WriteString(e.Object)
	}
	fmt.Fprintf(&b, ": Verda API returned HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// Is maps the HTTP status onto the package's sentinel errors. An error of
// the token endpoint matches only ErrUnauthorized and ErrRateLimited, because
// its 404 or 409 is no statement about the object of the call. Read as
// ErrNotFound, it would make a caller forget an object that still exists.
func (e *APIError) Is(target error) bool {
	if e.fromTokenEndpoint && target != ErrUnauthorized && target != ErrRateLimited {
		return false
	}
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	}
	return false
}

// IsNotFound reports whether err is a 404 response of the API.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// OperationError wraps a failure that is not an API response (transport error,
// timeout, undecodable body) with the operation and object it concerns.
type OperationError struct {
	Operation string
	Object    string
	Err       error
}

func (e *OperationError) Error() string {
	if e.Object == "" {
		return fmt.Sprintf("%s: %v", e.Operation, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Operation, e.Object, e.Err)
}

func (e *OperationError) Unwrap() error { return e.Err }
