package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRequestLogRecordsRequests(t *testing.T) {
	t.Parallel()
	ts, c, clock := newTestEmulator(t, Options{})
	clock.Advance(90)
	c.expectJSON(http.MethodGet, "/v1/volumes?status=created", nil, http.StatusOK, nil)
	c.createVolume("logged", "NVMe", 10)
	c.expectError(http.MethodGet, "/v1/volumes/missing", nil, http.StatusNotFound, codeNotFound, "not found")
	c.send(http.MethodGet, "/_emulator/faults", nil)

	records := ts.Emulator.Requests()
	if len(records) != 4 {
		t.Fatalf("records = %d, want 4 (token, list, create, get; control plane excluded): %+v", len(records), records)
	}
	list := records[1]
	if list.Method != http.MethodGet || list.Path != "/v1/volumes" || list.Query != "status=created" || list.Status != http.StatusOK {
		t.Errorf("list record = %+v", list)
	}
	if list.Body != "" {
		t.Errorf("GET record has a body: %q", list.Body)
	}
	if !list.Time.Equal(testStart.Add(90)) {
		t.Errorf("record time = %v, want the emulator clock", list.Time)
	}
	create := records[2]
	if create.Status != http.StatusCreated || !strings.Contains(create.Body, `"name":"logged"`) {
		t.Errorf("create record = %+v", create)
	}
	if records[3].Status != http.StatusNotFound {
		t.Errorf("failed GET status = %d", records[3].Status)
	}
	for i, rec := range records {
		if rec.Seq != i+1 {
			t.Errorf("record %d has seq %d", i, rec.Seq)
		}
	}

	ts.Emulator.ClearRequests()
	if n := len(ts.Emulator.Requests()); n != 0 {
		t.Errorf("after clear: %d records", n)
	}
}

func TestRequestLogMasksSecrets(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	c.send(http.MethodPost, "/v1/oauth2/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "api", "value": "super-secret-value"}, http.StatusCreated, nil)
	c.expectJSON(http.MethodPost, "/v1/container-registry-credentials", map[string]string{
		"name": "ghcr", "type": "ghcr", "username": "bot", "access_token": "ghp_secret",
	}, http.StatusCreated, nil)

	for _, rec := range ts.Emulator.Requests() {
		for _, secret := range []string{DefaultClientSecret, "super-secret-value", "ghp_secret"} {
			if strings.Contains(rec.Body, secret) {
				t.Errorf("%s %s body leaks %q: %s", rec.Method, rec.Path, secret, rec.Body)
			}
		}
	}
	records := ts.Emulator.Requests()
	if !strings.Contains(records[0].Body, `"client_secret":"***"`) || !strings.Contains(records[0].Body, `"client_id":"`+DefaultClientID) {
		t.Errorf("JSON token body = %q, want client_secret masked and client_id kept", records[0].Body)
	}
	if !strings.Contains(records[1].Body, "client_secret=%2A%2A%2A") || !strings.Contains(records[1].Body, "client_id="+DefaultClientID) {
		t.Errorf("form token body = %q, want client_secret masked and client_id kept", records[1].Body)
	}
	if !strings.Contains(records[2].Body, `"name":"api"`) || !strings.Contains(records[2].Body, `"value":"***"`) {
		t.Errorf("secret body = %q", records[2].Body)
	}
}

func TestMutatingRequestsAndCount(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("counted"))
	c.statusSequence("counted", 3)
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/counted/scaling", map[string]any{"max_replica_count": 3}, http.StatusOK, nil)
	c.expectJSON(http.MethodDelete, "/v1/container-deployments/counted", nil, http.StatusNoContent, nil)

	mutating := ts.Emulator.MutatingRequests()
	var got []string
	for _, rec := range mutating {
		got = append(got, rec.Method+" "+rec.Path)
	}
	want := []string{
		"POST /v1/container-deployments",
		"PATCH /v1/container-deployments/counted/scaling",
		"DELETE /v1/container-deployments/counted",
	}
	if !equalStrings(got, want) {
		t.Errorf("mutating requests = %v, want %v", got, want)
	}

	if n := ts.Emulator.CountRequests(http.MethodGet, "/v1/container-deployments/*/status"); n != 3 {
		t.Errorf("status reads = %d, want 3", n)
	}
	if n := ts.Emulator.CountRequests("", "/v1/container-deployments/**"); n != 6 {
		t.Errorf("all deployment requests = %d, want 6", n)
	}
	if n := ts.Emulator.CountRequests("post", "/v1/oauth2/token"); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestRequestLogRecordsFaultStatus(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/v1/locations", Status: http.StatusServiceUnavailable})
	c.send(http.MethodGet, "/v1/locations", nil)

	records := ts.Emulator.Requests()
	if last := records[len(records)-1]; last.Status != http.StatusServiceUnavailable {
		t.Errorf("faulted request recorded with status %d", last.Status)
	}
}

func TestMaskBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body, contentType, want string
	}{
		{`{"name":"a","value":"v"}`, "application/json", `{"name":"a","value":"***"}`},
		{`{"name":"a"}`, "application/json", `{"name":"a"}`},
		{`{"nested":{"client_secret":"s"},"list":[{"password":"p"}]}`, "", `{"list":[{"password":"***"}],"nested":{"client_secret":"***"}}`},
		{"grant_type=refresh_token&refresh_token=abc", "", "grant_type=refresh_token&refresh_token=%2A%2A%2A"},
		{"\xff\xfe\x00", "application/octet-stream", "<3 bytes of binary data>"},
		{"", "", ""},
	}
	for _, tc := range cases {
		if got := maskBody([]byte(tc.body), tc.contentType, false); got != tc.want {
			t.Errorf("maskBody(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}
