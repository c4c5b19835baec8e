package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// serveExtraEnv makes the test binary a reference server with that many
// extra operations instead of running tests (TestMain): it prints the
// environment of a run against it, one NAME=value a line, then a blank
// line, and serves until its standard input closes. With servePadEnv, it
// pads every response of the API with that many bytes of white space (the
// body stays JSON, and far too long).
const (
	serveExtraEnv = "CONFORM_TEST_SERVE_EXTRA"
	servePadEnv   = "CONFORM_TEST_SERVE_PAD"
)

// serveExtra is the test binary in serveExtraEnv mode.
func serveExtra(n string) {
	extra, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ref := reference.New(reference.WithExtraOperations(extra), reference.WithUnauthenticatedLimit(fixtures.MaxLimitPerMinute))
	var h http.Handler = ref
	if pad, _ := strconv.Atoi(os.Getenv(servePadEnv)); pad > 0 {
		spaces := bytes.Repeat([]byte(" "), pad)
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			ref.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			if strings.HasPrefix(r.URL.Path, "/api/") {
				_, _ = w.Write(spaces)
			}
		})
	}
	srv := httptest.NewServer(h)
	for k, v := range tokenEnv(ref.Tokens(), srv.URL+"/api/v1") {
		fmt.Printf("%s=%s\n", k, v)
	}
	fmt.Println()
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
	os.Exit(0)
}

// largeSweep runs the whole suite over an OpenAPI document of n
// operations (the profile's six and the reference's extra ones), every
// one of which the reference implements, and returns the run, its report
// directory and how big each report is. The reference runs in a process
// of its own: a reference of thousands of operations must weigh on
// neither this test process nor the tests after it.
func largeSweep(t testing.TB, n, pad int) (hostileRun, string, map[string]int64) {
	t.Helper()
	server := exec.Command(os.Args[0])
	server.Env = append(os.Environ(), fmt.Sprintf("%s=%d", serveExtraEnv, n-6), fmt.Sprintf("%s=%d", servePadEnv, pad))
	stdin, err := server.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = server.Wait()
	})
	env := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != "" {
		k, v, _ := strings.Cut(lines.Text(), "=")
		env[k] = v
	}
	base := env["CONFORM_BASE_URL"]
	if base == "" {
		t.Fatal("the reference server process printed no base URL")
	}
	dir := t.TempDir()
	// The target allows what the sweep sends: conform's own pace of
	// failed authentication is set to match, as its user would.
	run, err := runConformMeasured(env, "run", "--openapi", strings.TrimSuffix(base, "/api/v1")+"/openapi.json", "--failed-auth-limit", fmt.Sprint(fixtures.MaxLimitPerMinute), "--report-dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, name := range []string{"report.json", "report.html", "junit.xml", "summary.md"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v\n%s\n%s", name, err, run.stdout, run.stderr)
		}
		sizes[name] = fi.Size()
	}
	return run, dir, sizes
}

// passingSweepOperations is how many operations TestALargePassingSweepKeepsItsReportsSmall
// sweeps: enough that the reports' growth with the operations outweighs
// their fixed part, a fifth of openapi.MaxOperations. The memory and time
// of a sweep at that maximum are BenchmarkLargeSweep's to measure.
const passingSweepOperations = 1000

// TestALargePassingSweepKeepsItsReportsSmall sweeps 1,000 operations of a
// target that implements them all: the run passes, every operation is
// judged, the JSON and HTML reports keep no more than 8 passing exchanges
// a check, and each report grows by so little an operation that at
// openapi.MaxOperations summary.md stays under 1 MiB, report.json and
// report.html under 1 KiB an operation: they grow with the operations'
// coverage (a few hundred bytes an operation in JSON, a name in a folded
// grid row in HTML) and with failures, not with the exchanges that passed. The
// sizes are whole reports divided by the operations, their fixed part
// included, so the bounds are stricter here than at the maximum.
func TestALargePassingSweepKeepsItsReportsSmall(t *testing.T) {
	t.Parallel() // conform runs as processes of their own, mostly waiting: overlapped with the other tests
	if testing.Short() {
		t.Skip("a 1,000-operation sweep")
	}
	const n = passingSweepOperations
	clean, dir, sizes := largeSweep(t, n, 0)
	if clean.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", clean.code, clean.stdout, clean.stderr)
	}
	// Read lightly: the whole report, held to its schema, is more than
	// the tests after this one need to carry.
	var r struct {
		Checks []struct {
			Status     report.Status     `json:"status"`
			Exchanges  []json.RawMessage `json:"exchanges"`
			Operations []struct {
				Method string `json:"method"`
				Path   string `json:"path"`
			} `json:"operations"`
		} `json:"checks"`
	}
	f, err := os.Open(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(f).Decode(&r)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, c := range r.Checks {
		for _, o := range c.Operations {
			ops[o.Method+" "+o.Path] = true
		}
	}
	if len(ops) != n {
		t.Errorf("the checks judged %d operations, want %d", len(ops), n)
	}
	t.Logf("%d operations, passing: %s; reports %v", n, clean.elapsed.Round(1e8), sizes)
	var exchanges int
	for _, c := range r.Checks {
		if c.Status == report.Passed {
			exchanges += len(c.Exchanges)
		}
	}
	if exchanges > 8*len(r.Checks) {
		t.Errorf("the passing checks keep %d exchanges, more than 8 each", exchanges)
	}
	if atMax := sizes["summary.md"] * openapi.MaxOperations / n; atMax > 1<<20 {
		t.Errorf("summary.md is %d bytes for %d operations: %d at %d, want at most 1 MiB", sizes["summary.md"], n, atMax, openapi.MaxOperations)
	}
	if perOp := sizes["report.json"] / n; perOp > 1<<10 {
		t.Errorf("report.json holds %d bytes an operation, want at most 1 KiB", perOp)
	}
	// The coverage grid folds operations that passed alike into one row,
	// which names them (about 100 bytes an operation here); a row of
	// cells for each took 2.5 KiB an operation.
	if perOp := sizes["report.html"] / n; perOp > 1<<10 {
		t.Errorf("report.html holds %d bytes an operation, want at most 1 KiB", perOp)
	}
}

// TestDryRunPrintsTheRequestBudget: --dry-run over a 100-operation
// document prints the requests that fail authentication as the plan counts
// them (suite.Budget and the preflight), their limit and where it comes
// from, and the time floor it sets, which the coverage plan and
// --failed-auth-limit change; bad values of the new flags are exit 2.
func TestDryRunPrintsTheRequestBudget(t *testing.T) {
	const extra = 94
	ref := reference.New(reference.WithExtraOperations(extra))
	srv := httptest.NewServer(ref)
	t.Cleanup(srv.Close)
	env := tokenEnv(ref.Tokens(), srv.URL+"/api/v1")
	doc := srv.URL + "/openapi.json"
	spread := failedAuthBudget(t, extra, suite.AuthSpread)
	full := failedAuthBudget(t, extra, suite.AuthFull)
	if full.Requests <= spread.Requests {
		t.Fatalf("the plan counts %d requests that fail authentication under full coverage, %d under spread: full must send more", full.Requests, spread.Requests)
	}
	floor := func(b suite.ClassBudget, limit int) string {
		return b.Floor(limit, time.Minute).Round(time.Second).String()
	}
	def, low := probe.DefaultFailedAuthLimit, 30
	tests := []struct {
		args  []string
		lines []string
	}{
		{nil, []string{
			fmt.Sprintf("failed authentication  %d requests", spread.Requests),
			fmt.Sprintf("%d/min (assumed: the docs publish none; --failed-auth-limit)  floor %s", def, floor(spread, def)),
			fmt.Sprintf("time floor %s, set by failed authentication", floor(spread, def)),
		}},
		{[]string{"--failed-auth-limit", strconv.Itoa(low)}, []string{
			fmt.Sprintf("%d/min (--failed-auth-limit)  floor %s", low, floor(spread, low)),
			"time floor " + floor(spread, low),
		}},
		{[]string{"--auth-coverage", "full"}, []string{
			fmt.Sprintf("failed authentication  %d requests", full.Requests),
			"floor " + floor(full, def),
		}},
	}
	for _, tt := range tests {
		res := runConform(t, env, append([]string{"run", "--dry-run", "--openapi", doc}, tt.args...)...)
		if res.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", tt.args, res.code, res.stdout, res.stderr)
		}
		for _, l := range tt.lines {
			if !strings.Contains(collapseSpaces(res.stdout), l) {
				t.Errorf("%v: the dry run lacks %q:\n%s", tt.args, l, res.stdout[strings.Index(res.stdout, "requests by class"):])
			}
		}
	}
	for _, bad := range [][]string{{"--failed-auth-limit", "-1"}, {"--failed-auth-limit", "20000"}, {"--auth-coverage", "some"}} {
		if res := runConform(t, env, append([]string{"run", "--dry-run"}, bad...)...); res.code != exitUsage || !strings.Contains(res.stderr, bad[0]) {
			t.Errorf("%v: exit %d, want %d naming the flag\n%s", bad, res.code, exitUsage, res.stderr)
		}
	}
}

// collapseSpaces turns every run of spaces into two, as tabwriter's
// padding varies with the longest cell.
func collapseSpaces(s string) string {
	return regexp.MustCompile(` {2,}`).ReplaceAllString(s, "  ")
}

// TestASweepOfATargetThatFailsEverywhereStaysBounded sweeps 250
// operations of a target that pads every response with 80 KiB: every
// probe fails (its body is longer than the 64 KiB read), and the run
// still stays under 100 MiB, each probe judged as it arrives and kept as
// evidence only for the first few failures of a check. The padding sizes
// the proof: the run sends over 900 requests, and a run that kept each
// failing exchange whole (its 64 KiB body as bytes and as text) peaks
// past 150 MiB, one that keeps them as it should at about 55 MiB. How
// much memory and time a larger failing sweep takes is BenchmarkLargeSweep's
// to measure.
func TestASweepOfATargetThatFailsEverywhereStaysBounded(t *testing.T) {
	t.Parallel() // conform runs as processes of their own, mostly waiting: overlapped with the other tests
	if testing.Short() {
		t.Skip("a 250-operation sweep of 80 KiB responses")
	}
	const n = 250
	run, _, sizes := largeSweep(t, n, failingSweepPad)
	if run.code != exitViolations {
		t.Fatalf("exit %d, want 1\n%s", run.code, run.stderr)
	}
	t.Logf("%d operations, every response padded: peak RSS %.1f MiB, %s; reports %v", n, float64(run.maxRSS)/(1<<20), run.elapsed.Round(1e8), sizes)
	if run.maxRSS > 100<<20 {
		t.Errorf("peak RSS %.1f MiB, want at most 100 MiB", float64(run.maxRSS)/(1<<20))
	}
	// summary.md is held to GitHub's 1 MiB by its writer
	// (report.MarkdownLimit, internal/report's tests); its failures fold
	// by violation, so this run's is tens of KB.
}

// failingSweepPad is the white space a failing sweep's target pads every
// response with: more than the 64 KiB conform reads of a body
// (probe.DefaultMaxBody), so every probe fails.
const failingSweepPad = 80 << 10

// TestADryRunOfALargeDocumentIsSummarised: past openapi.SweepListed operations of
// the document, a dry run counts the rest in one line (the contract's are
// always listed); -v lists every one.
func TestADryRunOfALargeDocumentIsSummarised(t *testing.T) {
	t.Parallel()
	const extra = openapi.SweepListed + 150
	ref := reference.New(reference.WithExtraOperations(extra))
	srv := httptest.NewServer(ref)
	t.Cleanup(srv.Close)
	env := tokenEnv(ref.Tokens(), srv.URL+"/api/v1")
	for _, verbose := range []bool{false, true} {
		args := []string{"run", "--dry-run", "--openapi", srv.URL + "/openapi.json"}
		if verbose {
			args = append(args, "-v")
		}
		res := runConform(t, env, args...)
		if res.code != exitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		swept, contract := 0, 0
		for _, line := range strings.Split(res.stdout, "\n") {
			if strings.HasPrefix(line, "would sweep") {
				swept++
				if strings.Contains(line, "the contract's") {
					contract++
				}
			}
		}
		summary := strings.Contains(res.stdout, "and 150 more operations of the document to sweep (-v lists every one)")
		profileOps := len(fixtures.Default().Endpoints)
		want := openapi.SweepListed + profileOps
		if verbose {
			want = extra + profileOps
		}
		if swept != want || contract != profileOps || summary == verbose {
			t.Errorf("verbose %v: %d operations listed (%d of the contract), summary line %v; want %d, %d, %v\n%s",
				verbose, swept, contract, summary, want, profileOps, !verbose, res.stdout)
		}
	}
}

// failedAuthBudget is the plan's class of requests that fail
// authentication, the preflight's with them, for a sweep of the profile's
// operations and the extra operations the reference serves, under the
// given coverage, with every token set.
func failedAuthBudget(t *testing.T, extra int, coverage suite.AuthCoverage) suite.ClassBudget {
	t.Helper()
	prof := fixtures.Default()
	ops := slices.Clone(prof.Endpoints)
	for i := range extra {
		ops = append(ops, fixtures.Endpoint{ID: fmt.Sprintf("extra_op%04d", i), Method: "GET", Path: fmt.Sprintf("/extra/op%04d/{item_id}", i), Scope: "read", LimitPerMinute: 120})
	}
	tokens := map[probe.Role]string{}
	for _, role := range probe.Roles() {
		tokens[role] = "minted"
	}
	byRole, _ := probe.Credentials(tokens)
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole, Operations: ops, AuthCoverage: coverage})
	if err != nil {
		t.Fatal(err)
	}
	budget, err := plan.Budget()
	if err != nil {
		t.Fatal(err)
	}
	budget = withPreflight(budget, preflightRequests(prof))
	if len(budget) == 0 || budget[0].Class != probe.FailedAuthClass {
		t.Fatalf("the plan's budget does not start with the requests that fail authentication: %+v", budget)
	}
	return budget[0]
}
