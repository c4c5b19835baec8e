package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/cornect/conform/internal/probe"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/schemas"
)

// binary is conform built once for the tests that run the suite: Ginkgo's
// RunSpecs runs once per process, so each run is a process of its own.
var binary string

// peakRSS is testdata/peakrss, built once: the launcher through which a
// test measures a conform process's peak memory (runConformMeasured).
var peakRSS string

func TestMain(m *testing.M) {
	if n := os.Getenv(serveExtraEnv); n != "" {
		serveExtra(n)
	}
	dir, err := os.MkdirTemp("", "conform-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "conform")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building conform: %v\n%s", err, out)
		os.Exit(1)
	}
	peakRSS = filepath.Join(dir, "peakrss")
	if out, err := exec.Command("go", "build", "-o", peakRSS, "./testdata/peakrss").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building peakrss: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runResult is one finished conform process.
type runResult struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// execConform runs the binary with only the given environment (plus PATH
// and HOME), bounded in time. It does not touch a *testing.T, so it may run
// off the test goroutine; err is set only when the process could not run.
func execConform(env map[string]string, args ...string) (runResult, *os.ProcessState, error) {
	return execProgram(binary, env, args...)
}

// execProgram is execConform for any program.
func execProgram(program string, env map[string]string, args ...string) (runResult, *os.ProcessState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code, err = ee.ExitCode(), nil
	}
	return res, cmd.ProcessState, err
}

// runConformBinary is execConform for the test goroutine: a process that
// cannot run fails the test. For what only a process shows (the exit code
// of os.Exit, signals, the environment the standard library reads, peak
// memory) and for the runs that mostly wait, which run side by side as
// processes instead of taking turns in this one.
func runConformBinary(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	res, _, err := execConform(env, args...)
	if err != nil {
		t.Fatalf("running conform: %v", err)
	}
	return res
}

// inProcess lets one conform run at a time in this process: the suite's
// runs take turns anyway (Ginkgo's suite is global), and a run sets the
// process's memory limit (debug.SetMemoryLimit) and puts it back.
var inProcess sync.Mutex

// runConform runs conform in this process, through realMain, with only
// the given environment (withGetenv), bounded in time: what the binary
// does, minus starting it. The exit code is realMain's, the one main
// passes to os.Exit. While another test's run holds the process, it runs
// the binary instead (runConformBinary) rather than wait: a parallel test
// waiting for its turn would hold one of go test's parallel slots idle.
// TestInProcessRunsEndAsTheBinaryDoes holds the two to the same outcome.
func runConform(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	if !inProcess.TryLock() {
		return runConformBinary(t, env, args...)
	}
	defer inProcess.Unlock()
	return realMainRun(t, env, args...)
}

// runConformInProcess is runConform that waits for its turn in process
// rather than run the binary.
func runConformInProcess(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	inProcess.Lock()
	defer inProcess.Unlock()
	return realMainRun(t, env, args...)
}

// realMainRun is one run of realMain; the caller holds inProcess.
func realMainRun(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx = withGetenv(ctx, func(k string) string { return env[k] })
	if clock := clockOfTarget(env, args); clock != nil {
		ctx = withClock(ctx, clock)
	}
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	start := time.Now()
	code := realMain(ctx, args, stdout, stderr)
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), code: code, elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("conform %v did not end within its bound: %v\n%s\n%s", args, ctx.Err(), res.stdout, res.stderr)
	}
	return res
}

// closedBaseURL is a base URL on a loopback port nobody listens on: a
// target that refuses every connection.
func closedBaseURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String() + "/api/v1"
}

// tokenEnv turns the reference's tokens into CONFORM_TOKEN_* variables.
func tokenEnv(tokens map[string]string, baseURL string) map[string]string {
	env := map[string]string{"CONFORM_BASE_URL": baseURL}
	for role, v := range tokens {
		env[probe.Role(role).Var()] = v
	}
	return env
}

// serveReference serves a reference with the given options on loopback,
// on a clock the in-process runs against it share (clockedReference).
func serveReference(t *testing.T, opts ...reference.Option) (*reference.Server, string) {
	t.Helper()
	ref, clock := clockedReference(opts...)
	srv := httptest.NewServer(ref)
	t.Cleanup(srv.Close)
	shareClock(t, srv.URL+"/api/v1", clock)
	return ref, srv.URL + "/api/v1"
}

// readJSONReport decodes a report written by --json-report.
func readJSONReport(t *testing.T, path string) report.Result {
	t.Helper()
	r, err := decodeJSONReport(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decodeJSONReport is readJSONReport for use off the test goroutine. Every
// report the binary writes in these tests is held to its published schema
// (schemas/report.schema.json) on the way.
func decodeJSONReport(path string) (report.Result, error) {
	var r report.Result
	b, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("reading the JSON report: %w", err)
	}
	if vs := schemas.Validate(schemas.ReportID, b); vs != nil {
		return r, fmt.Errorf("the JSON report %s does not match schemas/report.schema.json: %v", path, vs)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("decoding the JSON report: %w", err)
	}
	return r, nil
}

// junitCases reads a JUnit file conform wrote: valid XML, one <testsuites>
// with one <testsuite>; it returns the testcases' names.
func junitCases(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s is not valid JUnit XML: %v", path, err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%s has %d testsuites, want 1", path, len(doc.Suites))
	}
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
	}
	return names
}
