package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/selftest"
	"github.com/cornect/conform/internal/stackserver"
)

// Verdicts on a server conform was not built against: internal/stackserver
// serves the CAPI the way FastAPI, uvicorn and a proxy do. Each test names
// the behaviour and the verdict it must get.

// startStack serves a stackserver on loopback for the test.
func startStack(t *testing.T, opts ...stackserver.Option) *stackserver.Server {
	t.Helper()
	s := stackserver.Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// stackRun runs conform against s with every token and returns the exit
// code and the JSON report.
func stackRun(t *testing.T, s *stackserver.Server, args ...string) (runResult, report.Result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, tokenEnv(s.Tokens(), s.BaseURL()), append([]string{"run", "--json-report", path}, args...)...)
	return res, readJSONReport(t, path)
}

// checkNamed finds a check of a report by its name.
func checkNamed(r report.Result, name string) (report.Check, bool) {
	for _, c := range r.Checks {
		if c.Name() == name {
			return c, true
		}
	}
	return report.Check{}, false
}

// A framework that parses JSON before its auth dependency runs answers
// broken JSON with 422 before it looks at the token: no evidence that it
// validates before authenticating, so no warning, even under --strict.
func TestBodyParsedBeforeAuthIsNoWarning(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithBodyParsedBeforeAuth(422))
	res, r := stackRun(t, s, "--strict", "--focus", "^AUTH-BEFORE-VALIDATION")
	if c, _ := checkNamed(r, "AUTH-BEFORE-VALIDATION"); res.code != exitOK || c.Status != report.Passed {
		t.Errorf("exit %d, AUTH-BEFORE-VALIDATION %s, want passed\n%s", res.code, c.Status, c.Explanation())
	}
}

// Starlette builds Allow from the first route that matched the path: with
// GET and POST routes on /companies/search, a 405 lists GET only. RFC 9110
// §15.5.6 wants every supported method; the document lists both, so the
// warning names the one left out.
func TestAllowNamingOnlyTheFirstRoutesMethodsWarnsNamingTheRest(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithFirstRouteAllow(true), stackserver.WithFastAPIDocs(true))
	res, r := stackRun(t, s, "--openapi", s.URL()+"/openapi.json", "--focus", "^HTTP-METHOD-405")
	c, _ := checkNamed(r, "HTTP-METHOD-405")
	if res.code != exitOK || c.Status != report.Warning || !strings.Contains(c.Explanation(), "without POST") {
		t.Errorf("exit %d, HTTP-METHOD-405 %s, want a warning naming POST\n%s", res.code, c.Status, c.Explanation())
	}
}

// Redirecting a path with a trailing slash (Starlette's redirect_slashes)
// is no fault: the run stays CONFORMANT under --strict.
func TestTrailingSlashRedirectsAreNoFault(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithRedirectSlashes(true))
	res, r := stackRun(t, s, "--strict", "--label-filter", "!rate-limit")
	if res.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", res.code, res.stdout)
	}
	for _, c := range r.Selected() {
		if c.Status != report.Passed && c.Skip != report.SkipNotApplicable {
			t.Errorf("%s: %s\n%s", c.Name(), c.Status, c.Explanation())
		}
	}
}

// A Starlette app with BackgroundTasks holds the connection that created
// an export until its background work ends. The early download goes on a
// connection of its own, so it still arrives before the export completes
// and a server that answers it 200 is caught, not excused as inconclusive.
func TestAHeldConnectionDoesNotDelayTheEarlyDownload(t *testing.T) {
	t.Parallel()
	s := startStack(t,
		stackserver.WithBackgroundHold(1500*time.Millisecond),
		stackserver.WithReference(reference.WithExportTimings(300*time.Millisecond, 800*time.Millisecond), reference.WithFaults("download-unfinished-200")),
	)
	_, r := stackRun(t, s, "--focus", "^EXPORT-NOT-READY")
	if c, _ := checkNamed(r, "EXPORT-NOT-READY"); c.Status != report.Failed {
		t.Errorf("EXPORT-NOT-READY %s, want failed: the early download must reach the server before the export completes\n%s", c.Status, c.Explanation())
	}
}

// A worker that crashes drops its connection, and uvicorn's restart drops
// the idle ones: the crash fails the check whose request caused it, and
// no innocent request that went out on a dead connection.
func TestACrashFailsOnlyTheCheckThatCausedIt(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithCrashOn("GET /api/v1/credits", reference.RoleUnbound))
	res, r := stackRun(t, s, "--label-filter", "!rate-limit")
	var failed []string
	for _, c := range r.Checks {
		if c.Status == report.Failed {
			failed = append(failed, c.Name())
		}
	}
	if res.code != exitViolations || !slices.Equal(failed, []string{"AUTH-UNBOUND"}) {
		t.Errorf("exit %d, failed %v, want exit 1 failing AUTH-UNBOUND alone\n%s", res.code, failed, res.stdout)
	}
}

// A small worker pool behind a proxy answers 503 when it is full: overload
// is retried with backoff and never counted as a contract violation.
func TestASmallWorkerPoolFailsNoCheck(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithWorkers(2), stackserver.WithOverloadBody(stackserver.OverloadProxyHTML),
		stackserver.WithReference(reference.WithLatency(20*time.Millisecond)))
	res, r := stackRun(t, s)
	for _, c := range r.Checks {
		if c.Status == report.Failed || c.Status == report.Error {
			t.Errorf("%s: %s\n%s", c.Name(), c.Status, c.Explanation())
		}
	}
	if res.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", res.code, res.stderr)
	}
}

// Every behaviour at once, as the matrix would meet a FastAPI service:
// exactly the crash fails, and the Allow header warns.
func TestTheTypicalStackGetsExactlyItsVerdict(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.Typical()...)
	res, r := stackRun(t, s)
	got := map[string]report.Status{}
	for _, c := range r.Checks {
		switch c.Status {
		case report.Failed, report.Warning, report.Error:
			got[c.Name()] = c.Status
		}
	}
	want := map[string]report.Status{"AUTH-UNBOUND": report.Failed, "HTTP-METHOD-405": report.Warning}
	if res.code != exitViolations || !maps.Equal(got, want) {
		t.Errorf("exit %d, verdicts %v, want exit 1 and %v\n%s", res.code, got, want, res.stdout)
	}
}

// TestDeviationsDocNamesRealStackTests keeps docs/deviations.md's table of
// the stack-like server's verdicts true: each test it names exists here.
func TestDeviationsDocNamesRealStackTests(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, v := range selftest.StackVerdicts() {
		if !strings.Contains(src.String(), "func "+v.Test+"(t *testing.T)") {
			t.Errorf("docs/deviations.md names %s, which is no test of cmd/conform", v.Test)
		}
	}
}
