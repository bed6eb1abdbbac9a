package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"127.0.0.1:8787", "localhost:0", "[::1]:9000", "127.0.0.2:1"} {
		if err := checkLoopback(ok); err != nil {
			t.Errorf("checkLoopback(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{":8787", "0.0.0.0:8787", "[::]:8787", "192.168.1.10:8787", "example.com:80", "8787"} {
		if err := checkLoopback(bad); err == nil {
			t.Errorf("checkLoopback(%q) accepted a non-loopback address", bad)
		}
	}
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-listen", "0.0.0.0:8787"},
		{"-stage-polls", "0"},
		{"-token-ttl", "0s"},
		{"-stage-duration", "-1s"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted invalid input", args)
		}
	}
	cfg, err := parseFlags([]string{"-listen", "0.0.0.0:0", "-allow-remote"}, io.Discard)
	if err != nil || !cfg.allowRemote {
		t.Errorf("-allow-remote: %+v, %v", cfg, err)
	}
}

// buildCommand compiles the command once per test binary run.
func buildCommand(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "verda-emulator")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the command failed: %v", err)
	}
	return binary
}

type runningEmulator struct {
	cmd    *exec.Cmd
	root   string
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer that the process's output copier and the test may use at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCommand runs the binary on a free loopback port and waits for its listening line.
func startCommand(t *testing.T, binary string, args ...string) *runningEmulator {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		m := regexp.MustCompile(`^verda-emulator listening on (http://127\.0\.0\.1:\d+) \(API base URL (http://\S+)/v1\)`).FindStringSubmatch(line)
		if m == nil || m[1] != m[2] {
			t.Fatalf("unexpected start line %q; stderr: %s", line, stderr)
		}
		return &runningEmulator{cmd: cmd, root: m[1], stderr: stderr}
	case <-time.After(20 * time.Second):
		t.Fatalf("no start line within 20s; stderr: %s", stderr)
	}
	return nil
}

func (r *runningEmulator) token(t *testing.T) string {
	t.Helper()
	resp, err := http.Post(r.root+"/v1/oauth2/token", "application/json",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"emulator-client-id","client_secret":"emulator-client-secret"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token response: status %d, error %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func (r *runningEmulator) request(t *testing.T, method, path, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, r.root+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func (r *runningEmulator) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, r.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not stop within 15s of SIGTERM")
	}
}

func TestCommandServesSeedsAndPersists(t *testing.T) {
	binary := buildCommand(t)
	stateFile := filepath.Join(t.TempDir(), "state.json")

	first := startCommand(t, binary, "-state", stateFile, "-seed", "production")
	token := first.token(t)
	status, body := first.request(t, http.MethodGet, "/v1/container-deployments", token)
	var deployments []map[string]any
	if err := json.Unmarshal(body, &deployments); err != nil || status != http.StatusOK || len(deployments) != 4 {
		t.Fatalf("seeded deployments: status %d, %d items, error %v", status, len(deployments), err)
	}
	if url, _ := deployments[0]["endpoint_base_url"].(string); url != first.root+"/inference/comfy-h200-spot" {
		t.Errorf("endpoint_base_url = %q, want it on the listen address", url)
	}
	if status, _ := first.request(t, http.MethodDelete, "/v1/container-deployments/comfy-b200", token); status != http.StatusNoContent {
		t.Fatalf("DELETE: status %d", status)
	}
	first.stop(t)
	for _, want := range []string{"seed loaded", "verda-emulator started", "path=/v1/container-deployments", "status=204", "verda-emulator stopped"} {
		if !strings.Contains(first.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, first.stderr)
		}
	}

	second := startCommand(t, binary, "-state", stateFile, "-seed", "production")
	status, body = second.request(t, http.MethodGet, "/v1/container-deployments", token)
	if status != http.StatusOK {
		t.Fatalf("token from before the restart: status %d, body %s", status, body)
	}
	deployments = nil
	if err := json.Unmarshal(body, &deployments); err != nil || len(deployments) != 3 {
		t.Errorf("after restart: %d deployments (err %v), want 3 because the seed is not reapplied", len(deployments), err)
	}
	if !strings.Contains(second.stderr.String(), "seed is not applied") {
		t.Errorf("stderr does not explain the skipped seed:\n%s", second.stderr)
	}
	second.stop(t)
}

func TestCommandRefusesRemoteListen(t *testing.T) {
	binary := buildCommand(t)
	cmd := exec.Command(binary, "-listen", "0.0.0.0:0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the command accepted 0.0.0.0; output: %s", out)
	}
	if !strings.Contains(string(out), "not a loopback address") {
		t.Errorf("output %q does not explain the refusal", out)
	}
}
