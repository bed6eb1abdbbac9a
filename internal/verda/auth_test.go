package verda

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func statusHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": StatusHealthy})
}

func TestTokenSharedByConcurrentCalls(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{})
	ctx := testContext(t)

	const calls = 50
	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.GetDeploymentStatus(ctx, "comfy")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		if err != nil {
			t.Errorf("GetDeploymentStatus: %v", err)
		}
	}
	if got := len(f.tokens()); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	requests := f.apiRequests()
	if len(requests) != calls {
		t.Errorf("API requests = %d, want %d", len(requests), calls)
	}
	for i, r := range requests {
		if got := bearerOf(r); got != accessTokenN(1) {
			t.Errorf("request %d bearer = %q, want %q", i, got, accessTokenN(1))
		}
	}
}

func TestTokenReusedUntilRenewal(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{Now: clock.Now})
	ctx := testContext(t)

	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	// The token lives 3600 s and is renewed 30 s before expiry.
	clock.Advance(3569 * time.Second)
	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("second call: %v", err)
	}

	if got := len(f.tokens()); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{Now: clock.Now})
	ctx := testContext(t)

	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	// Inside the 30 s renewal window, still before expiry.
	clock.Advance(3580 * time.Second)
	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("second call: %v", err)
	}

	tokens := f.tokens()
	if len(tokens) != 2 {
		t.Fatalf("token requests = %d (%v), want 2", len(tokens), f.grants())
	}
	if got := tokens[0].grant(); got != "client_credentials" {
		t.Errorf("first grant = %q, want client_credentials", got)
	}
	if got := tokens[1].grant(); got != "refresh_token" {
		t.Errorf("second grant = %q, want refresh_token", got)
	}
	if got := tokens[1].Values.Get("refresh_token"); got != refreshTokenN(1) {
		t.Errorf("refresh_token sent = %q, want %q", got, refreshTokenN(1))
	}
	requests := f.apiRequests()
	if got := bearerOf(requests[len(requests)-1]); got != accessTokenN(2) {
		t.Errorf("bearer after refresh = %q, want %q", got, accessTokenN(2))
	}
}

func TestTokenRefreshFailureFallsBackToClientCredentials(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, statusHandler)
	f.setTokenHandler(func(w http.ResponseWriter, _ *http.Request, req tokenRequest, _ int) {
		if req.grant() == "refresh_token" {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "refresh token expired")
			return
		}
		f.issueToken(w)
	})
	c, logger := newTestClient(t, f, Config{Now: clock.Now})
	ctx := testContext(t)

	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	clock.Advance(3580 * time.Second)
	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("second call: %v", err)
	}

	want := []string{"client_credentials", "refresh_token", "client_credentials"}
	if got := f.grants(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("grants = %v, want %v", got, want)
	}
	requests := f.apiRequests()
	if got := bearerOf(requests[len(requests)-1]); got != accessTokenN(2) {
		t.Errorf("bearer after fallback = %q, want %q", got, accessTokenN(2))
	}
	if !strings.Contains(logger.text(), "token refresh failed") {
		t.Errorf("log does not mention the failed refresh:\n%s", logger.text())
	}
}

func TestReauthenticatesOnceAfter401(t *testing.T) {
	var f *fakeAPI
	f = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+accessTokenN(1) {
			writeAPIError(w, http.StatusUnauthorized, "unauthorized_request", "token revoked")
			return
		}
		statusHandler(w, r)
	})
	c, _ := newTestClient(t, f, Config{})

	status, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if status != StatusHealthy {
		t.Errorf("status = %q, want %q", status, StatusHealthy)
	}
	// The rejected token's refresh token is not trusted either.
	want := []string{"client_credentials", "client_credentials"}
	if got := f.grants(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("grants = %v, want %v", got, want)
	}
	requests := f.apiRequests()
	if len(requests) != 2 {
		t.Fatalf("API requests = %d, want 2", len(requests))
	}
	if got := bearerOf(requests[1]); got != accessTokenN(2) {
		t.Errorf("bearer of the repeated request = %q, want %q", got, accessTokenN(2))
	}
}

func TestRepeated401StopsAfterOneReauthentication(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized_request", "token rejected")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("error = %v, want ErrUnauthorized", err)
	}
	if got := len(f.apiRequests()); got != 2 {
		t.Errorf("API requests = %d, want 2", got)
	}
	if got := len(f.tokens()); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestTokenRequestSendsJSON(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{})

	if _, err := c.GetDeploymentStatus(testContext(t), "comfy"); err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}

	tokens := f.tokens()
	if len(tokens) != 1 {
		t.Fatalf("token requests = %d, want 1", len(tokens))
	}
	if got := tokens[0].ContentType; got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if got := tokens[0].grant(); got != "client_credentials" {
		t.Errorf("grant_type = %q, want client_credentials", got)
	}
	if got := tokens[0].Values.Get("client_id"); got != testClientID {
		t.Errorf("client_id = %q, want %q", got, testClientID)
	}
	if got := tokens[0].Values.Get("client_secret"); got != testClientSecret {
		t.Errorf("client_secret = %q, want %q", got, testClientSecret)
	}
}

func TestTokenRequestSendsNoAuthorization(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{})

	if _, err := c.GetDeploymentStatus(testContext(t), "comfy"); err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}

	if got := f.tokens()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("token request Authorization = %q, want none", got)
	}
}

func TestTokenRequestFallsBackToFormBody(t *testing.T) {
	bodies := map[string]func(w http.ResponseWriter){
		"plain text": func(w http.ResponseWriter) {
			http.Error(w, "grant_type not specified", http.StatusBadRequest)
		},
		"JSON envelope": func(w http.ResponseWriter) {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "grant_type not specified")
		},
	}
	for name, reject := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t, statusHandler)
			f.setTokenHandler(func(w http.ResponseWriter, _ *http.Request, req tokenRequest, _ int) {
				if req.ContentType != "application/x-www-form-urlencoded" {
					reject(w)
					return
				}
				f.issueToken(w)
			})
			c, _ := newTestClient(t, f, Config{})

			_, err := c.GetDeploymentStatus(testContext(t), "comfy")

			if err != nil {
				t.Fatalf("GetDeploymentStatus: %v", err)
			}
			tokens := f.tokens()
			if len(tokens) != 2 {
				t.Fatalf("token requests = %d, want 2", len(tokens))
			}
			if got := tokens[0].ContentType; got != "application/json" {
				t.Errorf("first Content-Type = %q, want application/json", got)
			}
			if got := tokens[1].ContentType; got != "application/x-www-form-urlencoded" {
				t.Errorf("second Content-Type = %q, want application/x-www-form-urlencoded", got)
			}
			if got := tokens[1].grant(); got != "client_credentials" {
				t.Errorf("form grant_type = %q, want client_credentials", got)
			}
			if got := tokens[1].Values.Get("client_secret"); got != testClientSecret {
				t.Errorf("form client_secret = %q, want %q", got, testClientSecret)
			}
			if got := bearerOf(f.apiRequests()[0]); got != accessTokenN(1) {
				t.Errorf("bearer = %q, want %q", got, accessTokenN(1))
			}
		})
	}
}

func TestTokenRequestOtherBadRequestNotResentAsForm(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	f.setTokenHandler(func(w http.ResponseWriter, _ *http.Request, _ tokenRequest, _ int) {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "scope is invalid")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want an error")
	}
	if got := len(f.tokens()); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	if got := len(f.apiRequests()); got != 0 {
		t.Errorf("API requests = %d, want 0", got)
	}
}

func TestTokenRejectedCredentialsError(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	f.setTokenHandler(func(w http.ResponseWriter, _ *http.Request, _ tokenRequest, _ int) {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized_request", "invalid client")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("error = %v, want ErrUnauthorized", err)
	}
	if err != nil && !strings.Contains(err.Error(), "check the client ID and client secret") {
		t.Errorf("error %q does not say what to check", err)
	}
	if err != nil && !strings.Contains(err.Error(), `read status of container deployment "comfy"`) {
		t.Errorf("error %q does not name the operation and object", err)
	}
}

// A 404 from the token endpoint (a wrong base URL, a proxy) is no statement
// about the deployment. Treating it as ErrNotFound would make the provider
// drop a live resource from its state.
func TestTokenEndpointNotFoundIsNotObjectNotFound(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	f.setTokenHandler(func(w http.ResponseWriter, r *http.Request, _ tokenRequest, _ int) {
		http.NotFound(w, r)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy")

	if err == nil {
		t.Fatal("GetDeployment succeeded, want an error")
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("error %q matches ErrNotFound, but the deployment was never asked for", err)
	}
	if IsNotFound(err) {
		t.Errorf("IsNotFound(%q) = true, want false", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %T is not an *APIError", err)
	}
	if apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404", apiErr.StatusCode)
	}
}

func TestTokenWithoutAccessTokenFails(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	f.setTokenHandler(func(w http.ResponseWriter, _ *http.Request, _ tokenRequest, _ int) {
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600})
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err == nil || !strings.Contains(err.Error(), "has no access_token") {
		t.Errorf("error = %v, want one about the missing access_token", err)
	}
	if got := len(f.apiRequests()); got != 0 {
		t.Errorf("API requests = %d, want 0", got)
	}
}

func TestTokenRefreshBodyIsJSON(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{Now: clock.Now})
	ctx := testContext(t)

	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	clock.Advance(time.Hour)
	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("second call: %v", err)
	}

	tokens := f.tokens()
	if len(tokens) != 2 {
		t.Fatalf("token requests = %d, want 2", len(tokens))
	}
	refresh := tokens[1]
	if got := refresh.ContentType; got != "application/json" {
		t.Errorf("refresh Content-Type = %q, want application/json", got)
	}
	want := map[string]string{
		"grant_type":    "refresh_token",
		"refresh_token": refreshTokenN(1),
		"client_id":     testClientID,
		"client_secret": testClientSecret,
	}
	for key, value := range want {
		if got := refresh.Values.Get(key); got != value {
			t.Errorf("refresh %s = %q, want %q", key, got, value)
		}
	}
	if len(refresh.Values) != len(want) {
		t.Errorf("refresh body keys = %v, want exactly %v", refresh.Values, want)
	}
}
