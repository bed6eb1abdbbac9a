package verda

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseBaseURLRejectsPlainHTTPForRemoteHosts(t *testing.T) {
	for _, raw := range []string{
		"http://api.verda.com/v1",
		"http://10.0.0.1:8080/v1",
		"http://localhost.example.com/v1",
		"http://127.0.0.1.nip.io/v1",
		"http://[2001:db8::1]/v1",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := ParseBaseURL(raw)

			if err == nil {
				t.Fatalf("ParseBaseURL(%q) succeeded, want an error", raw)
			}
			if !strings.Contains(err.Error(), "loopback") {
				t.Errorf("error %q does not say that plain http needs a loopback host", err)
			}
		})
	}
}

func TestParseBaseURLAcceptsLoopbackHTTP(t *testing.T) {
	for _, raw := range []string{
		"http://127.0.0.1:8080/v1",
		"http://127.0.0.2/v1",
		"http://[::1]:8080/v1",
		"http://localhost:8080/v1",
		"http://LOCALHOST/v1",
	} {
		t.Run(raw, func(t *testing.T) {
			if _, err := ParseBaseURL(raw); err != nil {
				t.Errorf("ParseBaseURL(%q): %v", raw, err)
			}
		})
	}
}

func TestParseBaseURLAcceptsHTTPS(t *testing.T) {
	for _, raw := range []string{DefaultBaseURL, "https://api.verda.com/v1/", "https://10.0.0.1:8443/v1"} {
		t.Run(raw, func(t *testing.T) {
			if _, err := ParseBaseURL(raw); err != nil {
				t.Errorf("ParseBaseURL(%q): %v", raw, err)
			}
		})
	}
}

func TestParseBaseURLRejectsMalformed(t *testing.T) {
	for _, raw := range []string{
		"api.verda.com/v1",
		"ftp://api.verda.com/v1",
		"https://api.verda.com/v1?x=1",
		"https://api.verda.com/v1#frag",
		"://bad",
	} {
		t.Run(raw, func(t *testing.T) {
			if _, err := ParseBaseURL(raw); err == nil {
				t.Errorf("ParseBaseURL(%q) succeeded, want an error", raw)
			}
		})
	}
}

func TestParseBaseURLTrimsTrailingSlash(t *testing.T) {
	u, err := ParseBaseURL("https://api.verda.com/v1/")

	if err != nil {
		t.Fatalf("ParseBaseURL: %v", err)
	}
	if got := u.String(); got != "https://api.verda.com/v1" {
		t.Errorf("base URL = %q, want no trailing slash", got)
	}
}

func TestNewRejectsPlainHTTPForRemoteHost(t *testing.T) {
	_, err := New(Config{BaseURL: "http://api.verda.com/v1", ClientID: testClientID, ClientSecret: testClientSecret})

	if err == nil {
		t.Fatal("New succeeded with a plain http remote base URL")
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no client ID":     {ClientSecret: testClientSecret},
		"no client secret": {ClientID: testClientID},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)

			if err == nil || !strings.Contains(err.Error(), "missing credentials") {
				t.Errorf("New error = %v, want missing credentials", err)
			}
		})
	}
}

func TestNewDefaultsBaseURL(t *testing.T) {
	c, err := New(Config{ClientID: testClientID, ClientSecret: testClientSecret})

	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := c.BaseURL(); got != DefaultBaseURL {
		t.Errorf("BaseURL = %q, want %q", got, DefaultBaseURL)
	}
}

func TestRequestHeaders(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{UserAgent: "verda-terraform-provider/0.1.0"})

	if _, err := c.GetDeploymentStatus(testContext(t), "comfy"); err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}

	r := f.apiRequests()[0]
	if got := r.Header.Get("User-Agent"); got != "verda-terraform-provider/0.1.0" {
		t.Errorf("User-Agent = %q, want verda-terraform-provider/0.1.0", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+accessTokenN(1) {
		t.Errorf("Authorization = %q, want Bearer %s", got, accessTokenN(1))
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q, want application/json", got)
	}
	if got := r.Header.Get("Content-Type"); got != "" {
		t.Errorf("Content-Type of a GET = %q, want none", got)
	}
	if got := f.tokens()[0].Header.Get("User-Agent"); got != "verda-terraform-provider/0.1.0" {
		t.Errorf("token request User-Agent = %q, want verda-terraform-provider/0.1.0", got)
	}
}

func TestRequestBodyIsJSON(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"max_replica_count": 3})
	})
	c, _ := newTestClient(t, f, Config{})

	got, err := c.UpdateScaling(testContext(t), "comfy", Scaling{MaxReplicaCount: Int64(3)})

	if err != nil {
		t.Fatalf("UpdateScaling: %v", err)
	}
	r := f.apiRequests()[0]
	if r.Method != http.MethodPatch {
		t.Errorf("method = %s, want PATCH", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	// Only the set field is sent, so the API merges nothing else.
	if r.Body != `{"max_replica_count":3}` {
		t.Errorf("body = %s, want only max_replica_count", r.Body)
	}
	if got.MaxReplicaCount == nil || *got.MaxReplicaCount != 3 {
		t.Errorf("MaxReplicaCount = %v, want 3", got.MaxReplicaCount)
	}
}

func TestPathSegmentsEscaped(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	c, _ := newTestClient(t, f, Config{})
	ctx := testContext(t)

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"deployment with slash and space", func() error {
			_, err := c.GetDeployment(ctx, "a/b c")
			return err
		}, "/v1/container-deployments/a%2Fb%20c"},
		{"sub-resource after escaped name", func() error {
			_, err := c.GetScaling(ctx, "x/../y")
			return err
		}, "/v1/container-deployments/x%2F..%2Fy/scaling"},
		{"action after escaped name", func() error {
			return c.RestartDeployment(ctx, "a?b#c")
		}, "/v1/container-deployments/a%3Fb%23c/restart"},
		{"volume id with slash", func() error {
			_, err := c.GetVolume(ctx, "../trash")
			return err
		}, "/v1/volumes/..%2Ftrash"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatalf("call: %v", err)
			}
			requests := f.apiRequests()
			if len(requests) != i+1 {
				t.Fatalf("API requests = %d, want %d", len(requests), i+1)
			}
			if got := requests[i].RequestURI; got != tc.want {
				t.Errorf("request URI = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDeleteDeploymentSendsTimeout(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, f, Config{})
	ctx := testContext(t)

	if err := c.DeleteDeployment(ctx, "comfy", 90*time.Second); err != nil {
		t.Fatalf("DeleteDeployment: %v", err)
	}
	if err := c.DeleteDeployment(ctx, "comfy", time.Hour); err != nil {
		t.Fatalf("DeleteDeployment: %v", err)
	}

	requests := f.apiRequests()
	if got := requests[0].RequestURI; got != "/v1/container-deployments/comfy?timeout=90000" {
		t.Errorf("request URI = %q, want timeout=90000", got)
	}
	if got := requests[1].RequestURI; got != "/v1/container-deployments/comfy?timeout=300000" {
		t.Errorf("request URI = %q, want the timeout capped at 300000", got)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	cases := map[string]bool{
		"localhost":     true,
		"127.0.0.1":     true,
		"127.1.2.3":     true,
		"::1":           true,
		"0.0.0.0":       false,
		"example.com":   false,
		"localhost.com": false,
		"":              false,
	}
	for host, want := range cases {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
