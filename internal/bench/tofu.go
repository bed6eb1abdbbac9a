package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// tofuRunner runs OpenTofu with the benchmark's CLI configuration, which
// installs comfyume/verda from the local filesystem mirror.
type tofuRunner struct {
	bin       string
	cliConfig string
}

// commandResult is one finished OpenTofu command.
type commandResult struct {
	Wall     time.Duration
	ExitCode int
	// CPU is the user and system time of the command and of every child it
	// waited for, such as a provider it started itself.
	CPU     time.Duration
	Output  string
	LogPath string
}

// stopGrace is how long a cancelled command gets to stop after SIGINT before
// it is killed.
const stopGrace = 15 * time.Second

// baseEnv returns the driver's environment without variables that would
// change what OpenTofu or the provider do, plus the benchmark's own settings.
// Every VERDA_* variable is dropped, so nothing inherited can point the
// provider at another API than the emulator.
func (t *tofuRunner) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VERDA_") || strings.HasPrefix(name, "TF_") || name == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+t.cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	)
}

// runningCommand is an OpenTofu command started by start.
type runningCommand struct {
	ctx     context.Context
	cmd     *exec.Cmd
	started time.Time
	output  *bytes.Buffer
	logFile *os.File
	logPath string
}

// start starts `tofu args...` in dir. Its output goes to a buffer and to
// dir/<logName>.log. The command runs in its own process group, so that a
// cancellation reaches the providers it started too.
func (t *tofuRunner) start(ctx context.Context, dir, logName string, extraEnv []string, args ...string) (*runningCommand, error) {
	logPath := filepath.Join(dir, logName+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the log %s failed: %w", logPath, err)
	}
	output := &bytes.Buffer{}
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(t.baseEnv(), extraEnv...)
	cmd.Stdout = io.MultiWriter(output, logFile)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = stopGrace

	started := time.Now()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s %s failed: %w", t.bin, strings.Join(args, " "), err)
	}
	return &runningCommand{ctx: ctx, cmd: cmd, started: started, output: output, logFile: logFile, logPath: logPath}, nil
}

// wait waits for the command and returns its result. A non-zero exit is a
// result, not an error; an error means the command could not be run or was
// cancelled.
func (r *runningCommand) wait() (commandResult, error) {
	err := r.cmd.Wait()
	wall := time.Since(r.started)
	_ = r.logFile.Close()
	if r.ctx.Err() != nil {
		// A provider that the interrupted command started would otherwise
		// outlive the run.
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	}

	res := commandResult{Wall: wall, Output: r.output.String(), LogPath: r.logPath, ExitCode: -1}
	if state := r.cmd.ProcessState; state != nil {
		res.ExitCode = state.ExitCode()
		res.CPU = state.UserTime() + state.SystemTime()
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("running OpenTofu failed: %w (log: %s)", err, r.logPath)
	}
	if res.ExitCode == -1 {
		return res, fmt.Errorf("OpenTofu was stopped by a signal (log: %s)", r.logPath)
	}
	return res, nil
}

// run runs `tofu args...` in dir and waits for it.
func (t *tofuRunner) run(ctx context.Context, dir, logName string, extraEnv []string, args ...string) (commandResult, error) {
	rc, err := t.start(ctx, dir, logName, extraEnv, args...)
	if err != nil {
		return commandResult{}, err
	}
	return rc.wait()
}

// mustSucceed runs a command that has to exit 0, such as init or a setup apply.
func (t *tofuRunner) mustSucceed(ctx context.Context, dir, logName string, extraEnv []string, args ...string) (commandResult, error) {
	res, err := t.run(ctx, dir, logName, extraEnv, args...)
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("tofu %s in %s exited with %d: %s (log: %s)",
			args[0], dir, res.ExitCode, lastLines(res.Output, 15), res.LogPath)
	}
	return res, nil
}

// version returns the first line of `tofu version`.
func (t *tofuRunner) version(ctx context.Context) string {
	cmd := exec.CommandContext(ctx, t.bin, "version")
	cmd.Env = t.baseEnv()
	out, err := cmd.Output()
	if err != nil {
		return "unknown (tofu version failed: " + err.Error() + ")"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}

// lastLines returns the last n lines of s, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// debugProvider is the provider binary started with -debug. OpenTofu attaches
// to it through TF_REATTACH_PROVIDERS instead of starting its own, so the
// process and its peak memory belong to the driver.
type debugProvider struct {
	cmd      *exec.Cmd
	reattach string
	exited   chan struct{}
}

// reattachTimeout bounds how long the provider may take to print its
// reattach configuration.
const reattachTimeout = 30 * time.Second

// startDebugProvider starts binary -debug and reads the reattach
// configuration it prints. The provider's stderr goes to logPath.
func startDebugProvider(ctx context.Context, binary string, env []string, logPath string) (*debugProvider, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the provider log %s failed: %w", logPath, err)
	}
	cmd := exec.Command(binary, "-debug")
	cmd.Env = env
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("connecting to the provider's output failed: %w", err)
	}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting the provider %s -debug failed: %w", binary, err)
	}
	p := &debugProvider{cmd: cmd, exited: make(chan struct{})}

	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for scanner.Scan() {
			if sent {
				continue
			}
			if value, ok := parseReattachLine(scanner.Text()); ok {
				found <- value
				sent = true
			}
		}
		// Keep draining, so that the provider never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()

	timer := time.NewTimer(reattachTimeout)
	defer timer.Stop()
	select {
	case p.reattach = <-found:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("the provider exited before it printed TF_REATTACH_PROVIDERS; see %s", logPath)
	case <-timer.C:
		p.stop()
		return nil, fmt.Errorf("the provider printed no TF_REATTACH_PROVIDERS within %s; see %s", reattachTimeout, logPath)
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// parseReattachLine extracts the JSON value from the line
// `\tTF_REATTACH_PROVIDERS='{...}'` that a provider in debug mode prints.
// The value is shell-quoted: a single quote inside it appears as '"'"'.
func parseReattachLine(line string) (string, bool) {
	const prefix = "TF_REATTACH_PROVIDERS='"
	trimmed := strings.TrimSpace(line)
	if !strings.HasPrefix(trimmed, prefix) || !strings.HasSuffix(trimmed, "'") || len(trimmed) < len(prefix)+1 {
		return "", false
	}
	value := trimmed[len(prefix) : len(trimmed)-1]
	value = strings.ReplaceAll(value, `'"'"'`, `'`)
	if !strings.HasPrefix(value, "{") {
		return "", false
	}
	return value, true
}

// env returns the variable that makes OpenTofu use this provider process.
func (p *debugProvider) env() string {
	return "TF_REATTACH_PROVIDERS=" + p.reattach
}

func (p *debugProvider) pid() int { return p.cmd.Process.Pid }

// peakRSS returns the provider's peak resident set size (VmHWM) in bytes.
func (p *debugProvider) peakRSS() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return 0, fmt.Errorf("reading the provider's memory figures failed: %w", err)
	}
	return parseVmHWM(string(data))
}

// parseVmHWM reads the VmHWM line ("VmHWM:    23456 kB") of /proc/<pid>/status.
func parseVmHWM(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		var kb int64
		var unit string
		if _, err := fmt.Sscan(rest, &kb, &unit); err != nil || unit != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", line)
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmHWM line in /proc/<pid>/status")
}

// stop interrupts the provider, kills it if it has not exited after
// stopGrace, and returns its CPU time (user plus system).
func (p *debugProvider) stop() time.Duration {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if state := p.cmd.ProcessState; state != nil {
		return state.UserTime() + state.SystemTime()
	}
	return 0
}
