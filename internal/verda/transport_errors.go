package verda

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// explainTransportError adds the likely cause and the remedy to a transport
// error that ended an API call after its retries: an API that did not respond
// within the request timeout, or one that could not be reached at all. An
// error caused by the caller's own context (Ctrl-C, an operation timeout) is
// returned as it is, because the caller explains it better.
func (c *Client) explainTransportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	var urlErr *url.Error
	switch {
	case errors.As(err, &urlErr) && urlErr.Timeout():
		return fmt.Errorf("%w: the Verda API did not respond within the request timeout of %s; try again later, "+
			"or raise the request timeout (request_timeout in the provider block)", err, c.http.HTTPClient.Timeout)
	case neverSent(err):
		return fmt.Errorf("%w: the Verda API at %s could not be reached; check the network connection and the base URL, then try again",
			err, c.baseURL.Host)
	}
	return err
}
