package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// fullRun is one `conform run` of the whole suite against a fresh reference.
type fullRun struct {
	wall   time.Duration // the conform process, start to exit
	result report.Result // its JSON report
}

// runFullSuite serves a reference with the documented limits and the given
// latency on loopback and runs the binary against it with its seven tokens.
// It fails tb unless the run exits 0.
func runFullSuite(tb testing.TB, latency time.Duration) fullRun {
	tb.Helper()
	ref := reference.New(reference.WithLatency(latency))
	srv := httptest.NewServer(ref)
	defer srv.Close()
	path := filepath.Join(tb.TempDir(), "report.json")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "run", "--json-report", path)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range tokenEnv(ref.Tokens(), srv.URL+"/api/v1") {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		tb.Fatalf("conform run: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var r report.Result
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("decoding the JSON report: %v", err)
	}
	return fullRun{wall: wall, result: r}
}

// BenchmarkFullRun measures a whole run of the suite against the reference,
// on loopback and behind 40 ms of latency per response. Besides ns/op (which
// includes starting the reference) it reports per run: the conform process's
// wall time, the requests sent, and the time spent waiting out unprovoked
// 429s and pacing within the documented limits.
//
//	go test ./cmd/conform -run XXX -bench FullRun -benchtime 3x
func BenchmarkFullRun(b *testing.B) {
	for _, latency := range []time.Duration{0, 40 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%dms", latency.Milliseconds()), func(b *testing.B) {
			var n int
			var wall, retryWait, paceWait time.Duration
			var requests int64
			for b.Loop() {
				run := runFullSuite(b, latency)
				n++
				wall += run.wall
				requests += run.result.Stats.Requests
				retryWait += run.result.Stats.RetryWaited
				paceWait += run.result.Stats.PaceWaited
			}
			b.ReportMetric(wall.Seconds()/float64(n), "s/run")
			b.ReportMetric(float64(requests)/float64(n), "requests/run")
			b.ReportMetric(retryWait.Seconds()/float64(n), "retry-wait-s/run")
			b.ReportMetric(paceWait.Seconds()/float64(n), "pace-wait-s/run")
		})
	}
}

// TestFullRunMeetsTheSpeedTargets holds one run against a reference 40 ms
// away to the targets: under 5 s, under 220 requests (211 since
// ENVELOPE-ANY-ACCEPT's 12 and the one-rule invalid bodies' 5 more), and
// no 429 it did not
// provoke. The rate-limit checks still wait Retry-After once on purpose
// (RATE-LIMIT-RECOVERY); that wait is part of the check, not of the client,
// so it is not in retries_after_429 and retry_waited_ns, and the check must
// have passed for the run to count.
func TestFullRunMeetsTheSpeedTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("a timed run of the whole suite; skipped with -short")
	}
	run := runFullSuite(t, 40*time.Millisecond)
	st := run.result.Stats
	t.Logf("%s wall, %d requests, %d retries after 429 (%s), %s pacing",
		run.wall.Round(time.Millisecond), st.Requests, st.Retries, st.RetryWaited, st.PaceWaited)
	if run.wall >= 5*time.Second {
		t.Errorf("the run took %s, want under 5s", run.wall.Round(time.Millisecond))
	}
	if st.Requests >= 220 {
		t.Errorf("the run sent %d requests, want under 220", st.Requests)
	}
	if st.Retries != 0 || st.RetryWaited != 0 {
		t.Errorf("the run waited out %d unprovoked 429s (%s); want none", st.Retries, st.RetryWaited)
	}
	recovered := false
	for _, c := range run.result.Checks {
		if c.ID == "RATE-LIMIT-RECOVERY" && c.Status == report.Passed {
			recovered = true
		}
	}
	if !recovered {
		t.Error("RATE-LIMIT-RECOVERY did not pass, so its deliberate wait did not happen; the figures above prove less than they seem")
	}
}
