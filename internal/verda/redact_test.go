package verda

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// allSecrets lists every secret a test client sends or receives.
func allSecrets() []string {
	return []string{
		testClientSecret, testInferenceKey,
		accessTokenN(1), accessTokenN(2), accessTokenN(3),
		refreshTokenN(1), refreshTokenN(2), refreshTokenN(3),
	}
}

// echoRequest responds with status and a JSON message that quotes the
// request's Authorization header and body.
func echoRequest(w http.ResponseWriter, r *http.Request, status int) {
	body, _ := io.ReadAll(r.Body)
	writeAPIError(w, status, "invalid_request",
		"rejected request with Authorization "+r.Header.Get("Authorization")+" and body "+string(body))
}

// echoRequestText is echoRequest with a plain-text body.
func echoRequestText(w http.ResponseWriter, r *http.Request, status int) {
	body, _ := io.ReadAll(r.Body)
	http.Error(w, "rejected request with Authorization "+r.Header.Get("Authorization")+" and body "+string(body), status)
}

func TestSecretsMasked(t *testing.T) {
	cases := map[string]struct {
		setup func(f *fakeAPI)
		call  func(ctx context.Context, c *Client, clock *fakeClock) error
	}{
		"token endpoint echoes JSON body": {
			setup: func(f *fakeAPI) {
				f.setTokenHandler(func(w http.ResponseWriter, r *http.Request, _ tokenRequest, _ int) {
					echoRequest(w, r, http.StatusBadRequest)
				})
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				_, err := c.ListVolumes(ctx)
				return err
			},
		},
		"token endpoint echoes form body as text": {
			setup: func(f *fakeAPI) {
				f.setTokenHandler(func(w http.ResponseWriter, r *http.Request, req tokenRequest, _ int) {
					if req.ContentType == "application/json" {
						http.Error(w, "grant_type not specified", http.StatusBadRequest)
						return
					}
					echoRequestText(w, r, http.StatusUnauthorized)
				})
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				_, err := c.ListVolumes(ctx)
				return err
			},
		},
		"API echoes bearer token": {
			setup: func(f *fakeAPI) {
				f.api = func(w http.ResponseWriter, r *http.Request) { echoRequest(w, r, http.StatusBadRequest) }
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				_, err := c.UpdateScaling(ctx, "comfy", Scaling{MaxReplicaCount: Int64(2)})
				return err
			},
		},
		"API echoes bearer token as text": {
			setup: func(f *fakeAPI) {
				f.api = func(w http.ResponseWriter, r *http.Request) { echoRequestText(w, r, http.StatusForbidden) }
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				_, err := c.ListVolumes(ctx)
				return err
			},
		},
		"401 twice with token echoed": {
			setup: func(f *fakeAPI) {
				f.api = func(w http.ResponseWriter, r *http.Request) { echoRequest(w, r, http.StatusUnauthorized) }
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				_, err := c.ListVolumes(ctx)
				return err
			},
		},
		"refresh failure echoes refresh token": {
			setup: func(f *fakeAPI) {
				f.api = statusHandler
				f.setTokenHandler(func(w http.ResponseWriter, r *http.Request, req tokenRequest, _ int) {
					if req.grant() == "refresh_token" {
						echoRequest(w, r, http.StatusBadRequest)
						return
					}
					if len(f.tokens()) > 2 {
						echoRequestText(w, r, http.StatusUnauthorized)
						return
					}
					f.issueToken(w)
				})
			},
			call: func(ctx context.Context, c *Client, clock *fakeClock) error {
				if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
					return err
				}
				clock.Advance(time.Hour)
				_, err := c.GetDeploymentStatus(ctx, "comfy")
				return err
			},
		},
		"inference endpoint echoes key": {
			setup: func(f *fakeAPI) {
				f.api = func(w http.ResponseWriter, r *http.Request) { echoRequest(w, r, http.StatusForbidden) }
			},
			call: func(ctx context.Context, c *Client, _ *fakeClock) error {
				return c.CallInference(ctx, InferenceRequest{
					Deployment:      "comfy",
					EndpointBaseURL: c.BaseURL() + "/comfy",
					Method:          http.MethodPost,
					Path:            "/prompt",
					Body:            map[string]string{"prompt": "a cat"},
				})
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			f := newFakeAPI(t, nil)
			tc.setup(f)
			c, logger := newTestClient(t, f, Config{Now: clock.Now, InferenceAPIKey: testInferenceKey})

			err := tc.call(testContext(t), c, clock)

			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			if !strings.Contains(err.Error(), "rejected request") {
				t.Errorf("error %q does not carry the API message", err)
			}
			assertNoSecret(t, "error", err.Error(), allSecrets()...)
			assertNoSecret(t, "log", logger.text(), allSecrets()...)
		})
	}
}

// A message cut at 512 bytes must not keep the start of a secret that the
// cut made unrecognisable.
func TestSecretMaskedBeforeTruncation(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, strings.Repeat("x", 505)+testClientSecret+strings.Repeat("y", 100), http.StatusInternalServerError)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.ListVolumes(testContext(t))

	if err == nil {
		t.Fatal("ListVolumes succeeded, want an error")
	}
	if prefix := testClientSecret[:7]; strings.Contains(err.Error(), prefix) {
		t.Errorf("error contains %q, the start of the client secret: %q", prefix, err)
	}
}

func TestTruncationKeepsValidUTF8(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "x"+strings.Repeat("é", 400), http.StatusInternalServerError)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.ListVolumes(testContext(t))

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if !strings.HasSuffix(apiErr.Message, "é…") {
		t.Errorf("truncated message ends with %q, want whole characters and an ellipsis", apiErr.Message[len(apiErr.Message)-8:])
	}
}

func TestTransportErrorMasksExtraSecrets(t *testing.T) {
	// An endpoint URL may carry a secret the caller registered.
	const pathSecret = "path-secret-41Xy"
	server := httptest.NewServer(http.NotFoundHandler())
	base := server.URL
	server.Close()
	f := newFakeAPI(t, nil)
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey, MaxRetries: -1})
	c.AddSecrets(pathSecret)

	err := c.CallInference(testContext(t), InferenceRequest{
		Deployment:      "comfy",
		EndpointBaseURL: base + "/" + pathSecret,
		Path:            "/health",
	})

	if err == nil {
		t.Fatal("CallInference succeeded against a closed server")
	}
	assertNoSecret(t, "error", err.Error(), pathSecret)
}

func TestRedactMasksEveryForm(t *testing.T) {
	r := newRedactor()
	r.add(testClientSecret)

	for _, form := range secretForms(testClientSecret) {
		got := r.redact("before " + form + " after")
		if got != "before "+secretMask+" after" {
			t.Errorf("redact(%q) = %q, want the secret masked", form, got)
		}
	}
}

func TestRedactIgnoresShortValues(t *testing.T) {
	r := newRedactor()
	r.add("abc", "")

	if got := r.redact("abcdef"); got != "abcdef" {
		t.Errorf("redact = %q, want values under 4 characters left alone", got)
	}
}

func TestRedactLongestFirst(t *testing.T) {
	r := newRedactor()
	r.add("token-1234", "token-1234-extended")

	if got := r.redact("x token-1234-extended y"); got != "x "+secretMask+" y" {
		t.Errorf("redact = %q, want the longer secret masked whole", got)
	}
}

func TestClientRedact(t *testing.T) {
	f := newFakeAPI(t, nil)
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})

	got := c.Redact("secret "+testClientSecret+" key "+testInferenceKey+" extra extra-secret-9", "extra-secret-9")

	assertNoSecret(t, "Redact output", got, testClientSecret, testInferenceKey, "extra-secret-9")
}
