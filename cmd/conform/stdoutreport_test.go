package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// execWithFiles runs the binary as a shell would with `>run.log` (and
// `3>file`): stdout is the file given, extra the descriptors from 3 on.
func execWithFiles(t *testing.T, env map[string]string, stdout *os.File, extra []*os.File, args ...string) (stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = stdout, &errBuf, extra
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return errBuf.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return errBuf.String(), 0
}

// A report path that is the file the shell opened for standard output
// (/dev/stdout, /proc/self/fd/1, or the log's own name) is refused before
// the first request: renaming the report over it replaced the log with
// the report, console lost and exit 0. So is a descriptor the shell opened
// for the run (3>file, handed over as /dev/fd/3): the file stays the one
// the shell opened, untouched.
func TestAReportOnAFileTheShellOpenedIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "run.log")
	tests := []struct {
		name   string
		report func() string
		want   []string
	}{
		{"/dev/stdout", func() string { return "/dev/stdout" }, []string{`"/dev/stdout"`, "standard output", "as -"}},
		{"/proc/self/fd/1", func() string { return "/proc/self/fd/1" }, []string{"standard output", "as -"}},
		{"the log's own name", func() string { return log }, []string{log, "standard output", "as -"}},
		{"/dev/fd/3", func() string { return "/dev/fd/3" }, []string{`"/dev/fd/3"`, "file descriptor", "- for standard output"}},
		{"a symlink to /dev/fd/3", func() string {
			link := filepath.Join(dir, "fd3-link")
			_ = os.Symlink("/dev/fd/3", link)
			return link
		}, []string{"file descriptor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, hits := countingServer(t)
			const before = "the log so far\n"
			if err := os.WriteFile(log, []byte(before), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			three := filepath.Join(dir, "three.xml")
			if err := os.WriteFile(three, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			fd3, err := os.OpenFile(three, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer fd3.Close()
			st0, _ := out.Stat()
			st3, _ := fd3.Stat()
			stderr, code := execWithFiles(t, map[string]string{"CONFORM_BASE_URL": base}, out, []*os.File{fd3}, "run", "--junit-report", tt.report())
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			oneLine(t, stderr, append([]string{"conform run: "}, tt.want...)...)
			if n := hits.Load(); n != 0 {
				t.Errorf("%d requests sent before the path was refused", n)
			}
			if fi, err := os.Stat(log); err != nil || !os.SameFile(fi, st0) {
				t.Errorf("run.log was replaced: %v", err)
			}
			if fi, err := os.Stat(three); err != nil || !os.SameFile(fi, st3) {
				t.Errorf("the file at descriptor 3 was replaced: %v", err)
			}
			if b, _ := os.ReadFile(log); string(b) != before {
				t.Errorf("run.log holds %q, want %q", b, before)
			}
		})
	}
}

// "-" writes one report to standard output, which then holds that report
// alone; the console goes to standard error.
func TestADashWritesTheReportToStdout(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--json-report", "--junit-report"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			res := runConform(t, nil, "run", "--focus", "^AUTH-MISSING", flag, "-", "--report-dir", dir)
			if res.code != exitOK {
				t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			switch flag {
			case "--json-report":
				path := filepath.Join(dir, "stdout.json")
				if err := os.WriteFile(path, []byte(res.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				if r := readJSONReport(t, path); len(r.Checks) == 0 { // held to the report's schema
					t.Errorf("the report on stdout has no checks")
				}
			case "--junit-report":
				var suites struct {
					XMLName xml.Name
				}
				if err := xml.Unmarshal([]byte(res.stdout), &suites); err != nil || suites.XMLName.Local != "testsuites" && suites.XMLName.Local != "testsuite" {
					t.Errorf("stdout is not a JUnit report (%v):\n%.300s", err, res.stdout)
				}
			}
			for _, console := range []string{"EMBEDDED REFERENCE", "AUTH-MISSING", "report: standard output", "report: " + filepath.Join(dir, "report.json")} {
				if !strings.Contains(res.stderr, console) {
					t.Errorf("stderr lacks the console's %q:\n%s", console, res.stderr)
				}
				if strings.Contains(res.stdout, "report: ") {
					t.Errorf("the console reached stdout")
				}
			}
		})
	}
}

// Only one report may be "-", and neither --report-dir nor the baseline
// file can be: each is a usage error, one line, before any request.
func TestADashWhereItCannotBeIsAUsageError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"two reports on stdout", []string{"--json-report", "-", "--summary-md", "-"}, []string{"--json-report and --summary-md", "only one report"}},
		{"--report-dir -", []string{"--report-dir", "-"}, []string{"--report-dir -", "a directory cannot be standard output"}},
		{"--write-baseline -", []string{"--write-baseline", "-"}, []string{"--write-baseline -", "give its path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, hits := countingServer(t)
			res := runConform(t, map[string]string{"CONFORM_BASE_URL": base}, append([]string{"run"}, tt.args...)...)
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", res.code, exitUsage, res.stderr)
			}
			oneLine(t, res.stderr, append([]string{"conform run: "}, tt.want...)...)
			if hits.Load() != 0 || res.stdout != "" {
				t.Errorf("%d requests sent, stdout %q", hits.Load(), res.stdout)
			}
			if _, err := os.Stat("-"); err == nil {
				t.Errorf("a file named - was created")
			}
		})
	}
}
