package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// dyingTarget serves the reference on loopback until it has answered
// `answers` requests; then it dies: every later request is hung up on
// without a byte of an answer, or hangs until the test ends (hang). (The
// listener stays open, so no other program can take its port meanwhile.)
func dyingTarget(t *testing.T, answers int64, hang bool) (*reference.Server, string) {
	t.Helper()
	ref := reference.New()
	var served atomic.Int64
	release := make(chan struct{})
	var srv *httptest.Server
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) > answers {
			if hang {
				select {
				case <-release:
				case <-r.Context().Done():
				}
				return
			}
			// The process behind a proxy is gone: every connection is hung up.
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
			return
		}
		ref.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {}
	srv.Start()
	t.Cleanup(func() { close(release); srv.Close() })
	return ref, srv.URL + "/api/v1"
}

// A target that stops answering mid-run is said once, with when and after
// how many requests; the checks it left unjudged are not run or
// inconclusive, never failed; the run exits 3, never 1.
func TestATargetThatDiesMidRunIsAnOutageNotViolations(t *testing.T) {
	for _, tt := range []struct {
		name string
		hang bool
		args []string
	}{
		{"connections hung up", false, nil},
		{"no answer", true, []string{"--request-timeout", "1s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ref, base := dyingTarget(t, 60, tt.hang)
			dir := t.TempDir()
			path := filepath.Join(dir, "r.json")
			junit := filepath.Join(dir, "junit.xml")
			res := runConform(t, tokenEnv(ref.Tokens(), base), append([]string{"run", "--json-report", path, "--junit-report", junit}, tt.args...)...)
			t.Logf("stderr:\n%s\nstdout tail:\n%s", res.stderr, tail(res.stdout, 6))
			if res.code != exitUnreachable {
				t.Fatalf("exit %d, want %d (target unusable)\n%s\n%s", res.code, exitUnreachable, res.stdout, res.stderr)
			}
			if n := strings.Count(res.stderr, "the target stopped answering at "); n != 1 {
				t.Errorf("stderr says the target stopped answering %d times, want once:\n%s", n, res.stderr)
			}
			if !strings.Contains(res.stderr, "after 60 answered requests") && !strings.Contains(res.stderr, "answered requests: ") {
				t.Errorf("stderr does not say after how many requests:\n%s", res.stderr)
			}
			if strings.Contains(res.stderr+res.stdout, "dial tcp") {
				t.Errorf("the output speaks Go's words (dial tcp …):\n%s", res.stderr)
			}
			r := readJSONReport(t, path)
			if r.TargetLost == "" {
				t.Error("the report does not say the target was lost")
			}
			v := report.Decide(r)
			if v.Outcome != report.OutcomeTargetLost || v.ExitCode != exitUnreachable {
				t.Errorf("the report's verdict is %s (exit %d), want %s", v.Outcome, v.ExitCode, report.OutcomeTargetLost)
			}
			unjudged := 0
			for _, c := range r.Checks {
				if c.Status == report.Failed {
					t.Errorf("%s failed against a target that only stopped answering: %s", c.Name(), c.Headline())
				}
				if c.Status == report.NotRun || c.Status == report.Inconclusive {
					unjudged++
				}
			}
			if unjudged == 0 {
				t.Error("no check is not run or inconclusive")
			}
		})
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
