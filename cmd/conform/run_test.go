package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/schemas"
	"github.com/cornect/conform/suite"
)

func TestRunWithoutBaseURLPassesAgainstTheEmbeddedReference(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	// --strict: the reference keeps the SHOULDs too.
	res := runConform(t, nil, "run", "--strict", "--junit-report", junit, "--json-report", filepath.Join(dir, "r.json"))
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "EMBEDDED REFERENCE SERVER") || !strings.Contains(res.stdout, "CONFORMANT") {
		t.Errorf("the output does not say it ran against the embedded reference and passed:\n%s", res.stdout)
	}
	r := readJSONReport(t, filepath.Join(dir, "r.json"))
	for _, c := range r.Checks {
		// SCOPE-NO-SIDE-EFFECT has nothing to judge against the documented CAPI.
		if c.Status != report.Passed && !(c.ID == "SCOPE-NO-SIDE-EFFECT" && c.Skip == report.SkipNotApplicable) {
			t.Errorf("%s: %s %s", c.Name(), c.Status, c.Explanation())
		}
	}
	assertJUnitNamesEveryCode(t, junit, len(r.Checks))
}

// assertJUnitNamesEveryCode checks the JUnit file is valid XML with one
// testcase per check, and that each documented code appears in a name.
func assertJUnitNamesEveryCode(t *testing.T, path string, checks int) {
	t.Helper()
	names := junitCases(t, path)
	if len(names) != checks {
		t.Fatalf("JUnit has %d testcases, want one per check: %d", len(names), checks)
	}
	all := strings.Join(names, "\n")
	// Every code of the codes table, and the documented failures that
	// carry a status but no code of their own.
	var codes []string
	for _, c := range schemas.Codes() {
		codes = append(codes, c.Code)
	}
	for _, code := range append(codes, "404", "422", "429") {
		if !strings.Contains(all, code) {
			t.Errorf("no JUnit testcase names %s", code)
		}
	}
}

func TestRunAgainstServeWithItsExportedTokens(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve := exec.CommandContext(ctx, binary, "serve", "--addr", "127.0.0.1:0")
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = serve.Wait() }()
	env := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(env) < 8 {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && strings.HasPrefix(sc.Text(), "export CONFORM_") {
			env[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if len(env) != 8 {
		t.Fatalf("conform serve printed %d export lines, want the base URL and 7 tokens: %v", len(env), keys(env))
	}
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	res := runConform(t, env, "run", "--junit-report", junit, "--json-report", filepath.Join(dir, "r.json"))
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if strings.Contains(res.stdout, "EMBEDDED REFERENCE") {
		t.Error("ran against the embedded reference although CONFORM_BASE_URL was set")
	}
	r := readJSONReport(t, filepath.Join(dir, "r.json"))
	assertJUnitNamesEveryCode(t, junit, len(r.Checks))
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestRunAgainstAClosedPortExits3Quickly(t *testing.T) {
	res := runConform(t, map[string]string{"CONFORM_BASE_URL": closedBaseURL(t)}, "run")
	if res.code != exitUnreachable {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitUnreachable, res.stdout, res.stderr)
	}
	if res.elapsed > 5*time.Second {
		t.Errorf("took %s, want under 5s", res.elapsed)
	}
	if !strings.Contains(res.stderr, "cannot reach") || strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
		t.Errorf("want one clear line on stderr, got:\n%s", res.stderr)
	}
}

func TestRunAgainstTheWrongBasePathExits3(t *testing.T) {
	ref, base := serveReference(t)
	env := tokenEnv(ref.Tokens(), strings.TrimSuffix(base, "/api/v1"))
	res := runConform(t, env, "run")
	if res.code != exitUnreachable || !strings.Contains(res.stderr, "unknown route") {
		t.Fatalf("exit %d, want 3 naming the unknown route\n%s", res.code, res.stderr)
	}
}

func TestAMissingTokenSkipsItsChecksNamingTheVariable(t *testing.T) {
	ref, base := serveReference(t)
	env := tokenEnv(ref.Tokens(), base)
	delete(env, probe.RoleExpired.Var())
	delete(env, probe.RoleNoCredits.Var())
	path := filepath.Join(t.TempDir(), "r.json")
	// Without the validation checks: with one read_write token fewer, their
	// POSTs would be paced at the documented 5/min.
	res := runConform(t, env, "run", "--json-report", path, "--label-filter", "!validation")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0 (skips are not failures)\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	skipped := map[string]string{}
	for _, c := range readJSONReport(t, path).Checks {
		if c.Skip == report.SkipMissingToken {
			skipped[c.ID] = c.Explanation()
		}
	}
	// What the plan says a run with these tokens skips, and the variables
	// each skip must name.
	want := plannedSkips(t, env, suite.Filters{LabelFilter: "!validation"})
	named := map[string]bool{}
	for id, vars := range want {
		for _, v := range vars {
			named[v] = true
			if !strings.Contains(skipped[id], v) {
				t.Errorf("%s: want skipped naming %s, got %q", id, v, skipped[id])
			}
		}
	}
	for id := range skipped {
		if want[id] == nil {
			t.Errorf("%s skipped for a token, the plan runs it: %s", id, skipped[id])
		}
	}
	for _, v := range []string{probe.RoleExpired.Var(), probe.RoleNoCredits.Var()} {
		if !named[v] {
			t.Errorf("the plan skips no check for %s: the test proves nothing about it", v)
		}
	}
	if !strings.Contains(res.stdout, "CONFORM_TOKEN_EXPIRED") {
		t.Error("the console does not name the missing variable")
	}
}

func TestUsageErrorsExit2WithAClearMessage(t *testing.T) {
	dir := t.TempDir()
	badProfile := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badProfile, []byte(`{"endpoints": [], "colour": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"run", "--bogus"}, nil, "flag provided but not defined"},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"no command", nil, nil, "usage: conform"},
		{"base URL without scheme", []string{"run", "--base-url", "staging.example.com/api/v1"}, nil, "must start with http:// or https://"},
		{"base URL with credentials", []string{"run", "--base-url", "https://u:p@example.com/api/v1"}, nil, "must not hold credentials"},
		{"token as an argument", []string{"run", "cornect_abc"}, nil, "never from the command line"},
		{"unreadable profile", []string{"run", "--profile", filepath.Join(dir, "missing.json")}, nil, "missing.json"},
		{"invalid profile", []string{"run", "--profile", badProfile}, nil, `unknown field "colour"`},
		{"bad timeout", []string{"run", "--request-timeout", "-1s"}, nil, "--request-timeout must be positive"},
		{"insecure without base URL", []string{"run", "--insecure"}, nil, "need a --base-url"},
		{"unreadable CA", []string{"run", "--base-url", "https://127.0.0.1:1/api/v1", "--ca-cert", filepath.Join(dir, "none.pem")}, nil, "reading --ca-cert"},
		{"malformed label filter", []string{"run", "--label-filter", "auth && ("}, nil, "Mismatched '('"},
		{"malformed focus", []string{"run", "--focus", "("}, nil, "missing closing )"},
		{"a token with a trailing newline", []string{"run", "--base-url", "http://127.0.0.1:1/api/v1"}, map[string]string{"CONFORM_TOKEN_READ": "cornect_abc\n"}, "CONFORM_TOKEN_READ holds white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// In process, realMain reads the environment: the developer's
			// shell must not choose the target.
			for _, k := range []string{"CONFORM_BASE_URL", "CONFORM_PROFILE", "CONFORM_CA_CERT", "CONFORM_OPENAPI", "CI", "GITHUB_STEP_SUMMARY"} {
				t.Setenv(k, "")
			}
			for _, role := range probe.Roles() {
				t.Setenv(role.Var(), "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr strings.Builder
			code := realMain(context.Background(), tt.args, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestAnEmptySelectionFails(t *testing.T) {
	res := runConform(t, nil, "run", "--label-filter", "no-such-label")
	if res.code == exitOK {
		t.Fatalf("an empty selection passed:\n%s", res.stdout)
	}
	if !strings.Contains(res.stderr, "select no check") {
		t.Errorf("stderr does not explain the empty selection:\n%s", res.stderr)
	}
}

func TestASuiteTimeoutIsIncompleteNotAViolation(t *testing.T) {
	ref, base := serveReference(t, reference.WithLatency(40*time.Millisecond))
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--suite-timeout", "500ms", "--json-report", path)
	if res.code != exitIncomplete {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitIncomplete, res.stdout, res.stderr)
	}
	r := readJSONReport(t, path)
	if r.Incomplete == "" || !strings.Contains(res.stdout, "INCOMPLETE") {
		t.Errorf("the report does not say the run is incomplete (%q)", r.Incomplete)
	}
	if len(r.Checks) != len(suiteChecksOfAFullRun(t)) {
		t.Errorf("%d checks reported, want every check of a full run, run or not", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Status == report.Failed {
			t.Errorf("%s failed: a timeout must not be blamed on the target", c.Name())
		}
	}
}

// suiteChecksOfAFullRun runs the suite once against the reference and
// returns its checks (cached per test binary).
var fullRunChecks []report.Check

func suiteChecksOfAFullRun(t *testing.T) []report.Check {
	t.Helper()
	if fullRunChecks == nil {
		ref, base := serveReference(t)
		path := filepath.Join(t.TempDir(), "full.json")
		if res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--json-report", path); res.code != exitOK {
			t.Fatalf("a full run against the reference: exit %d\n%s", res.code, res.stderr)
		}
		fullRunChecks = readJSONReport(t, path).Checks
	}
	return fullRunChecks
}

// TestASuiteTimeoutInTheMiddleOfABurstStopsEverything sends the 429 burst
// to a target that never refuses, at a limit the run cannot reach before
// --suite-timeout: the run must stop promptly, without a panic, with its
// reports written and the checks in flight not run.
func TestASuiteTimeoutInTheMiddleOfABurstStopsEverything(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // 10,000 requests take longer than the timeout
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"workspace_id":"ws","balance":0,"recent_transactions":[]}`)
	}))
	t.Cleanup(srv.Close)
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	prof := strings.Replace(string(raw), `"limit_per_minute": 60,
      "doc": "https://cornect.io/docs/api/credits"`, `"limit_per_minute": 10000,
      "doc": "https://cornect.io/docs/api/credits"`, 1)
	if !strings.Contains(prof, "10000") {
		t.Fatal("the profile's credits limit was not raised")
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(profile, []byte(prof), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CONFORM_BASE_URL": srv.URL + "/api/v1", "CONFORM_TOKEN_READ": "cornect_" + strings.Repeat("a1b2c3d4", 4)}
	start := time.Now()
	res := runConform(t, env, "run", "--profile", profile, "--label-filter", "rate-limit", "--suite-timeout", "1s", "--report-dir", filepath.Join(dir, "reports"))
	if res.code != exitIncomplete {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitIncomplete, res.stdout, res.stderr)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the run took %s to stop", took)
	}
	if strings.Contains(res.stderr, "panic") {
		t.Errorf("a panic:\n%s", res.stderr)
	}
	r := readJSONReport(t, filepath.Join(dir, "reports", "report.json"))
	for _, c := range r.Selected() {
		if c.Status != report.NotRun {
			t.Errorf("%s: %s, want not run", c.Name(), c.Status)
		}
	}
}

// TestARequestNotRefusedNeverPassesItsNoSideEffectCheck: "a refused request
// charges nothing" cannot be verified on a request that was carried out.
// A server that lets a read token create an export, or a zero-balance
// workspace export, breaks the refusal those checks rest on.
func TestARequestNotRefusedNeverPassesItsNoSideEffectCheck(t *testing.T) {
	for fault, id := range map[string]string{"scope-not-enforced": "SCOPE-NO-CHARGE", "balance-not-checked": "CREDITS-NO-CHARGE"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			ref, base := serveReference(t, reference.WithFaults(fault))
			path := filepath.Join(t.TempDir(), "r.json")
			runConform(t, tokenEnv(ref.Tokens(), base), "run", "--focus", id, "--json-report", path)
			for _, c := range readJSONReport(t, path).Selected() {
				refused := false
				for _, v := range c.Violations {
					refused = refused || v.Rule == "refused"
				}
				if c.Status == report.Passed || !refused {
					t.Errorf("%s: %s without a violation of rule refused:\n%s", c.Name(), c.Status, c.Explanation())
				}
			}
		})
	}
}

// plannedSkips is, by check ID, the token variables the plan says a run
// with env's tokens and filters skips the check for: the variables of
// every need that no set token meets.
func plannedSkips(t *testing.T, env map[string]string, filters suite.Filters) map[string][]string {
	t.Helper()
	values := map[probe.Role]string{}
	for _, role := range probe.Roles() {
		if v := env[role.Var()]; v != "" {
			values[role] = v
		}
	}
	byRole, _ := probe.Credentials(values)
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: fixtures.Default(), Tokens: byRole, Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, p := range plan.Specs() {
		if !p.Selected || p.Skip == "" {
			continue
		}
		for _, need := range p.Needs {
			if slices.ContainsFunc(need, func(r probe.Role) bool { return values[r] != "" }) {
				continue
			}
			for _, role := range need {
				if !slices.Contains(out[p.ID], role.Var()) {
					out[p.ID] = append(out[p.ID], role.Var())
				}
			}
		}
	}
	return out
}
