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

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
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

// speedTarget is the wall time a whole run against a reference 40 ms away
// is held to: a claim about speed, so the benchmark checks it, on a machine
// measured on purpose, and no unit test does.
const speedTarget = 5 * time.Second

// BenchmarkFullRun measures a whole run of the suite against the reference,
// on loopback and behind 40 ms of latency per response. Besides ns/op (which
// includes starting the reference) it reports per run: the conform process's
// wall time, the requests sent, and the time spent waiting out unprovoked
// 429s and pacing within the documented limits. A run behind 40 ms that
// takes speedTarget or longer on average fails the benchmark.
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
			if avg := wall / time.Duration(n); latency > 0 && avg >= speedTarget {
				b.Errorf("a run behind %s took %s on average, want under %s", latency, avg.Round(time.Millisecond), speedTarget)
			}
		})
	}
}

// TestAFullRunSendsItsPlanAndWaitsOutNoUnprovoked429 holds one run against a
// reference 40 ms away to its plan: exactly the requests the plan's budget
// counts (suite.Budget, what --dry-run prints), and no 429 it did not
// provoke. The rate-limit checks still wait Retry-After once on purpose
// (RATE-LIMIT-RECOVERY); that wait is part of the check, not of the client,
// so it is not in retries_after_429 and retry_waited_ns, and the check must
// have passed for the run to count. How long the run takes is the
// benchmark's to judge (BenchmarkFullRun), not a unit test's.
func TestAFullRunSendsItsPlanAndWaitsOutNoUnprovoked429(t *testing.T) {
	run := runFullSuite(t, 40*time.Millisecond)
	st := run.result.Stats
	t.Logf("%s wall, %d requests, %d retries after 429 (%s), %s pacing",
		run.wall.Round(time.Millisecond), st.Requests, st.Retries, st.RetryWaited, st.PaceWaited)
	if planned := plannedRequests(t); st.Requests != int64(planned) {
		t.Errorf("the run sent %d requests, its plan counts %d", st.Requests, planned)
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

// plannedRequests is what the plan's budget counts for a whole run of the
// embedded profile with every token set, the preflight's with it, as
// --dry-run prints it: the requests a conforming target gets.
func plannedRequests(t *testing.T) int {
	t.Helper()
	values := map[probe.Role]string{}
	for name, v := range reference.New().Tokens() {
		values[probe.Role(name)] = v
	}
	byRole, _ := probe.Credentials(values)
	prof := fixtures.Default()
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole})
	if err != nil {
		t.Fatal(err)
	}
	budget, err := plan.Budget()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range withPreflight(budget, preflightRequests(prof)) {
		n += b.Requests + b.Provoked
	}
	return n
}

// sweepMemoryTarget is the peak memory a sweep is held to, at the most
// operations a document may list (openapi.MaxOperations), and when every
// response of a large sweep fails: a claim about memory, so the benchmark
// checks it, with the time, and the tests prove the bounds that keep it
// (TestALargePassingSweepKeepsItsReportsSmall,
// TestASweepOfATargetThatFailsEverywhereStaysBounded).
const sweepMemoryTarget = 100 << 20

// BenchmarkLargeSweep measures `conform run --openapi` over the reference
// serving openapi.MaxOperations operations, every one passing, and over
// 1,000 operations whose every response is padded past the body conform
// reads, so every probe fails. It reports per run the conform process's
// wall time, its peak RSS (through testdata/peakrss), the requests it
// sent and the size of report.json; a run past sweepMemoryTarget fails
// the benchmark. ns/op includes starting the reference's process.
//
//	go test ./cmd/conform -run XXX -bench LargeSweep -benchtime 1x
func BenchmarkLargeSweep(b *testing.B) {
	for _, bm := range []struct {
		name   string
		n, pad int
		code   int
	}{
		{fmt.Sprintf("operations=%d/passing", openapi.MaxOperations), openapi.MaxOperations, 0, exitOK},
		{fmt.Sprintf("operations=1000/padded=%dKiB/failing", failingSweepPad>>10), 1000, failingSweepPad, exitViolations},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var runs int
			var wall time.Duration
			var peak, requests, jsonSize int64
			for b.Loop() {
				run, dir, sizes := largeSweep(b, bm.n, bm.pad)
				if run.code != bm.code {
					b.Fatalf("exit %d, want %d\n%s", run.code, bm.code, run.stderr)
				}
				runs++
				wall += run.elapsed
				peak = max(peak, run.maxRSS)
				requests += sweepRequests(b, filepath.Join(dir, "report.json"))
				jsonSize += sizes["report.json"]
			}
			b.ReportMetric(wall.Seconds()/float64(runs), "s/run")
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(requests)/float64(runs), "requests/run")
			b.ReportMetric(float64(jsonSize)/float64(runs)/1e6, "report.json-MB")
			if peak > sweepMemoryTarget {
				b.Errorf("peak RSS %.1f MiB, want at most %d MiB", float64(peak)/(1<<20), sweepMemoryTarget>>20)
			}
		})
	}
}

// sweepRequests is the requests a run sent, from its JSON report's stats,
// read without the rest of a report of thousands of operations.
func sweepRequests(tb testing.TB, path string) int64 {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var r struct {
		Stats struct {
			Requests int64 `json:"requests"`
		} `json:"stats"`
	}
	if err := json.NewDecoder(f).Decode(&r); err != nil {
		tb.Fatalf("decoding the JSON report: %v", err)
	}
	return r.Stats.Requests
}
