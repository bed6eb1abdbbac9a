package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReportMissed(t *testing.T) {
	r := &Report{Figures: []Figure{{Name: "a", Outcome: Pass}, {Name: "b", Outcome: Info}}}
	if r.Missed() {
		t.Error("Missed() = true with only pass and info figures")
	}
	r.Figures = append(r.Figures, Figure{Name: "c", Outcome: Fail})
	if !r.Missed() {
		t.Error("Missed() = false with a failed figure")
	}
	if !(&Report{Errors: []string{"scale: apply failed"}}).Missed() {
		t.Error("Missed() = false with a scenario that could not be measured")
	}
}

func TestReportTableAligned(t *testing.T) {
	r := &Report{Figures: []Figure{
		{Name: "API requests per refresh, N=4", Value: "6 (+1 token)", Target: "≤ 6", Outcome: Pass},
		{Name: "peak RSS", Value: "65.5 MB", Target: "< 60.0 MB", Outcome: Fail},
	}}
	lines := strings.Split(strings.TrimRight(r.Table(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("table has %d lines, want header, rule and 2 rows:\n%s", len(lines), r.Table())
	}
	// The value column starts at the same rune offset in every row.
	col := strings.Index(lines[0], "value")
	for _, line := range lines[2:] {
		runes := []rune(line)
		if len(runes) <= col || runes[col-1] != ' ' || runes[col] == ' ' {
			t.Errorf("row %q does not start its value at column %d", line, col)
		}
	}
	if !strings.Contains(lines[3], "FAIL") {
		t.Errorf("failed row %q does not say FAIL", lines[3])
	}
}

func TestReportMarkdown(t *testing.T) {
	r := &Report{
		Figures:     []Figure{{Name: "a|b", Value: "1", Target: "≤ 2", Outcome: Pass}},
		Sections:    []Section{{Title: "Scale", Method: "How it is measured.", Details: []string{"N=4: 6 requests."}}},
		Machine:     Machine{CPUs: 2, CPUModel: "AMD EPYC", TofuVersion: "OpenTofu v1.11.5"},
		Started:     time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Elapsed:     4 * time.Minute,
		Command:     "make bench",
		LoadAtStart: "1.00 0.50 0.25",
		LoadAtEnd:   "2.00 1.00 0.50",
		Errors:      []string{"latency: apply failed"},
	}
	md := r.Markdown()
	for _, want := range []string{
		"| a\\|b | 1 | ≤ 2 | pass |",
		"with `make bench` in 4m0s",
		"2026-03-01 12:00 UTC",
		"CPUs (nproc): 2",
		"OpenTofu: OpenTofu v1.11.5",
		"load average (1, 5, 15 min): 1.00 0.50 0.25 at the start, 2.00 1.00 0.50 at the end",
		"## Scale\n\nHow it is measured.",
		"- N=4: 6 requests.",
		"- latency: apply failed",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestProcField(t *testing.T) {
	cpuinfo := "processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t: fpu\n"
	if got := procField(cpuinfo, "model name"); got != "AMD EPYC 9B14" {
		t.Errorf("procField(model name) = %q", got)
	}
	if got := procField(cpuinfo, "missing"); got != "" {
		t.Errorf("procField(missing) = %q, want empty", got)
	}
}

func TestConfigValidate(t *testing.T) {
	err := (&Config{Sizes: []int{0}, PlanRepetitions: 0, Scenarios: []string{"scale", "bogus"}}).Validate()
	if err == nil {
		t.Fatal("Validate of an empty configuration returned no error")
	}
	for _, want := range []string{
		"the path of the OpenTofu binary is missing",
		"the work directory is missing",
		"deployment count 0 is out of range",
		"plan repetitions must be at least 1",
		`unknown scenario "bogus"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "poll interval") || strings.Contains(err.Error(), "compression") {
		t.Errorf("Validate checked the latency settings although only scale runs: %v", err)
	}
}

func TestStatusLogRecordsResponses(t *testing.T) {
	statuses := []string{"initializing", "healthy"}
	calls := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/missing/status") {
			http.Error(w, `{"code":"not_found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasSuffix(r.URL.Path, "/status") {
			_, _ = w.Write([]byte(`{"min_replica_count":0}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"` + statuses[calls%len(statuses)] + `"}`))
		calls++
	})
	log := &statusLog{changed: make(chan struct{})}
	server := httptest.NewServer(log.middleware(api))
	defer server.Close()

	for _, path := range []string{"/v1/container-deployments/d1/status", "/v1/container-deployments/d1/scaling",
		"/v1/container-deployments/d1/status", "/v1/container-deployments/missing/status"} {
		resp, err := http.Get(server.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
	}

	got := log.of("d1")
	if len(got) != 2 {
		t.Fatalf("d1 has %d observations, want 2 (the scaling read is not a status poll)", len(got))
	}
	if got[0].Status != "initializing" || got[1].Status != "healthy" {
		t.Errorf("d1 statuses = %q, %q; want initializing, healthy", got[0].Status, got[1].Status)
	}
	if missing := log.of("missing"); len(missing) != 1 || missing[0].Status != "http-404" {
		t.Errorf("missing deployment observations = %+v, want one http-404", missing)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	second, err := log.waitFor(ctx, "d1", 2)
	if err != nil || second.Status != "healthy" {
		t.Errorf("waitFor(d1, 2) = %+v, %v; want the healthy observation", second, err)
	}

	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if _, err := log.waitFor(short, "d1", 3); err == nil {
		t.Error("waitFor a third poll that never comes returned no error")
	}
}

func TestStatusLogWaitWakesOnNewPoll(t *testing.T) {
	log := &statusLog{changed: make(chan struct{})}
	done := make(chan statusObservation, 1)
	go func() {
		o, err := log.waitFor(context.Background(), "d1", 1)
		if err == nil {
			done <- o
		}
	}()
	time.Sleep(10 * time.Millisecond)
	log.add(statusObservation{Deployment: "other", Status: "healthy", Time: time.Now()})
	log.add(statusObservation{Deployment: "d1", Status: "initializing", Time: time.Now()})
	select {
	case o := <-done:
		if o.Status != "initializing" {
			t.Errorf("waitFor returned %q, want initializing", o.Status)
		}
	case <-time.After(time.Second):
		t.Fatal("waitFor did not return after the poll arrived")
	}
}
