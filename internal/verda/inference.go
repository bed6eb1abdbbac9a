package verda

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNoInferenceKey is returned by CallInference when no key is configured.
var ErrNoInferenceKey = errors.New("no inference API key is configured")

// InferenceRequest is one call to a deployment's endpoint.
type InferenceRequest struct {
	Deployment      string // for error messages
	EndpointBaseURL string // from the deployment object
	Method          string // GET when empty
	Path            string // such as "/system_stats"
	Body            any
	// Out receives the decoded JSON response; a *string receives the raw text.
	Out any
}

// CallInference calls a deployment's endpoint with the inference API key.
// The endpoint returns the application's own status codes; a non-2xx
// response is an *APIError.
func (c *Client) CallInference(ctx context.Context, req InferenceRequest) error {
	if c.inferenceKey == "" {
		return ErrNoInferenceKey
	}
	if req.EndpointBaseURL == "" {
		return fmt.Errorf("call %s on %s: the deployment has no endpoint URL yet", req.Path, deploymentObject(req.Deployment))
	}
	base, err := ParseBaseURL(req.EndpointBaseURL)
	if err != nil {
		return fmt.Errorf("call %s on %s: endpoint URL: %w", req.Path, deploymentObject(req.Deployment), err)
	}
	method := req.Method
	if method == "" {
		method = "GET"
	}
	path := req.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	retry := retryIdempotent
	if method == "POST" {
		retry = retryUnsafe
	}
	return c.do(ctx, call{
		operation:   fmt.Sprintf("call %s %s on", method, path),
		object:      deploymentObject(req.Deployment),
		method:      method,
		absoluteURL: base.String() + path,
		body:        req.Body,
		out:         req.Out,
		bearer:      c.inferenceKey,
		retry:       retry,
	})
}
