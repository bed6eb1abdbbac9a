package verda

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// token is an OAuth2 access token with its refresh token.
type token struct {
	access    string
	refresh   string
	expiresAt time.Time
	// renewAt is when a new token is fetched ahead of expiry.
	renewAt time.Time
}

// tokenSource caches one token per Client. Concurrent callers that find no
// valid token wait for a single fetch; the wait honours their contexts.
type tokenSource struct {
	client       *Client
	clientID     string
	clientSecret string

	// lock is a one-slot semaphore guarding current, so a waiter can give up
	// when its context ends.
	lock    chan struct{}
	current *token
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

func (ts *tokenSource) acquire(ctx context.Context) error {
	select {
	case ts.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (ts *tokenSource) release() { <-ts.lock }

// token returns a valid access token, fetching or refreshing one if needed.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	if err := ts.acquire(ctx); err != nil {
		return "", err
	}
	defer ts.release()

	now := ts.client.now()
	if ts.current != nil && now.Before(ts.current.renewAt) {
		return ts.current.access, nil
	}

	// Prefer the refresh grant; if it fails for any reason, fall back to a
	// new client-credentials grant.
	if ts.current != nil && ts.current.refresh != "" && now.Before(ts.current.expiresAt.Add(24*time.Hour)) {
		t, err := ts.fetch(ctx, url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {ts.current.refresh},
			"client_id":     {ts.clientID},
			"client_secret": {ts.clientSecret},
		})
		if err == nil {
			ts.current = t
			return t.access, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
		ts.client.logger.Debug(ctx, "token refresh failed, requesting a new token", map[string]any{"error": err.Error()})
	}

	t, err := ts.fetch(ctx, url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {ts.clientID},
		"client_secret": {ts.clientSecret},
	})
	if err != nil {
		ts.current = nil
		return "", err
	}
	ts.current = t
	return t.access, nil
}

// invalidate drops the cached token after the API rejected it, unless another
// caller already replaced it.
func (ts *tokenSource) invalidate(rejected string) {
	ts.lock <- struct{}{}
	defer ts.release()
	if ts.current != nil && ts.current.access == rejected {
		ts.current.renewAt = time.Time{}
		// A rejected access token suggests a revoked session: do not refresh it.
		ts.current.refresh = ""
	}
}

// fetch calls POST /oauth2/token. The API takes JSON; some deployments of it
// only took form bodies, so a 400 that complains about the body format is
// retried once form-encoded.
func (ts *tokenSource) fetch(ctx context.Context, form url.Values) (*token, error) {
	grant := form.Get("grant_type")
	body := map[string]string{}
	for k := range form {
		body[k] = form.Get(k)
	}
	secrets := []string{ts.clientSecret, form.Get("refresh_token")}

	var resp tokenResponse
	cl := call{
		operation: "request access token",
		object:    fmt.Sprintf("(%s grant)", grant),
		method:    "POST",
		path:      "/oauth2/token",
		body:      body,
		out:       &resp,
		noAuth:    true,
		secrets:   secrets,
		// Asking for a token twice has no lasting effect.
		retry: retryIdempotent,
	}
	err := ts.client.do(ctx, cl)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == 400 && wantsFormBody(apiErr.Message) {
		cl.body, cl.form = form, true
		err = ts.client.do(ctx, cl)
	}
	if err != nil {
		if errors.As(err, &apiErr) && apiErr.StatusCode == 401 {
			return nil, fmt.Errorf("authentication failed: check the client ID and client secret (VERDA_CLIENT_ID, VERDA_CLIENT_SECRET): %w", err)
		}
		return nil, err
	}
	if resp.AccessToken == "" {
		return nil, errors.New("request access token: the token response has no access_token")
	}
	ts.client.redactor.add(resp.AccessToken, resp.RefreshToken)

	lifetime := time.Duration(resp.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	// Renew 30 s before expiry, or at three quarters of a shorter lifetime.
	skew := min(30*time.Second, lifetime/4)
	now := ts.client.now()
	return &token{
		access:    resp.AccessToken,
		refresh:   resp.RefreshToken,
		expiresAt: now.Add(lifetime),
		renewAt:   now.Add(lifetime - skew),
	}, nil
}

func wantsFormBody(message string) bool {
	m := strings.ToLower(message)
	return strings.Contains(m, "grant_type") && strings.Contains(m, "not specified") ||
		strings.Contains(m, "unsupported grant type") ||
		strings.Contains(m, "not valid json")
}
