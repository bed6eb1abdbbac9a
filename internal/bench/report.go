package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Outcome is the result of comparing a figure with its target.
type Outcome string

const (
	Pass Outcome = "pass"
	Fail Outcome = "FAIL"
	// Info marks a figure without a target, printed for context.
	Info Outcome = "info"
)

// Figure is one row of the results table.
type Figure struct {
	Name    string
	Value   string
	Target  string
	Outcome Outcome
}

// Section is the method and the details of one group of figures, for the
// Markdown report.
type Section struct {
	Title   string
	Method  string
	Details []string
}

// Report is the result of one benchmark run.
type Report struct {
	Figures  []Figure
	Sections []Section
	Machine  Machine
	Started  time.Time
	Elapsed  time.Duration
	Command  string
	// LoadAtStart and LoadAtEnd are the 1, 5 and 15 minute load averages.
	// Other work on the machine slows the plans unevenly, so a high load
	// makes the time ratios less reliable.
	LoadAtStart, LoadAtEnd string
	// Errors are scenarios that could not be measured.
	Errors []string
}

// Missed reports whether any figure failed its target or any scenario
// could not be measured.
func (r *Report) Missed() bool {
	if len(r.Errors) > 0 {
		return true
	}
	for _, f := range r.Figures {
		if f.Outcome == Fail {
			return true
		}
	}
	return false
}

// Table renders the figures as an aligned text table.
func (r *Report) Table() string {
	header := []string{"figure", "value", "target", "result"}
	rows := [][]string{header}
	for _, f := range r.Figures {
		rows = append(rows, []string{f.Name, f.Value, f.Target, string(f.Outcome)})
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	var b strings.Builder
	for i, row := range rows {
		for j, cell := range row {
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(cell)
			if j < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-len([]rune(cell))))
			}
		}
		b.WriteString("\n")
		if i == 0 {
			for j, w := range widths {
				if j > 0 {
					b.WriteString("  ")
				}
				b.WriteString(strings.Repeat("-", w))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// markdownCell escapes the characters that end a table cell.
func markdownCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// Markdown renders the whole report for docs/benchmarks.md.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("What the provider costs in API requests, plan time and memory, and how fast it notices a " +
		"deployment's health, measured by `make bench` against the in-process Verda emulator with OpenTofu. " +
		"Times are compared as ratios within one run on one machine, because absolute times on shared machines " +
		"vary from run to run. This page is written by the benchmark; run `make bench` to measure again.\n\n")

	b.WriteString("## Results\n\n")
	fmt.Fprintf(&b, "Measured %s with `%s` in %s.\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Command, r.Elapsed.Round(time.Second))
	b.WriteString("| figure | value | target | result |\n| --- | --- | --- | --- |\n")
	for _, f := range r.Figures {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", markdownCell(f.Name), markdownCell(f.Value), markdownCell(f.Target), f.Outcome)
	}
	if len(r.Errors) > 0 {
		b.WriteString("\nNot measured:\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "- %s\n", e)
		}
	}

	b.WriteString("\n## Machine\n\n")
	for _, line := range r.Machine.lines() {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	fmt.Fprintf(&b, "- load average (1, 5, 15 min): %s at the start, %s at the end\n", r.LoadAtStart, r.LoadAtEnd)

	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", s.Title, strings.TrimSpace(s.Method))
		if len(s.Details) > 0 {
			b.WriteString("\nMeasured in this run:\n\n")
			for _, d := range s.Details {
				fmt.Fprintf(&b, "- %s\n", d)
			}
		}
	}
	return b.String()
}

// Machine describes where the benchmark ran.
type Machine struct {
	CPUs            int
	CPUModel        string
	MemoryTotal     string
	Kernel          string
	GoVersion       string
	TofuVersion     string
	ProviderVersion string
}

// detectMachine reads the machine's figures from /proc. A figure that
// cannot be read is reported as unknown.
func detectMachine(tofuVersion, providerVersion string) Machine {
	m := Machine{
		CPUs:            runtime.NumCPU(),
		CPUModel:        "unknown",
		MemoryTotal:     "unknown",
		Kernel:          "unknown",
		GoVersion:       runtime.Version(),
		TofuVersion:     tofuVersion,
		ProviderVersion: providerVersion,
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if model := procField(string(data), "model name"); model != "" {
			m.CPUModel = model
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(procField(string(data), "MemTotal"), "%d kB", &kb); err == nil {
			m.MemoryTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(data))
	}
	return m
}

// procField returns the value of the first "name: value" line in a /proc
// file such as cpuinfo or meminfo.
func procField(content, name string) string {
	for _, line := range strings.Split(content, "\n") {
		key, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

func (m Machine) lines() []string {
	return []string{
		fmt.Sprintf("CPUs (nproc): %d", m.CPUs),
		"CPU model: " + m.CPUModel,
		"memory: " + m.MemoryTotal,
		"kernel: " + m.Kernel,
		"Go: " + m.GoVersion,
		"OpenTofu: " + m.TofuVersion,
		"provider: comfyume/verda " + m.ProviderVersion + " (built from this tree)",
	}
}

// Text renders the machine lines for the terminal.
func (m Machine) Text() string {
	return "machine: " + strings.Join(m.lines(), "; ")
}

// loadAverage returns the first three fields of /proc/loadavg.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

func formatBytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func formatSeconds(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}
