package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/stackserver"
)

// Verdicts at the edges of real deployments: a dead route behind a
// gateway, a limiter that answers 503 or a Retry-After in milliseconds, a
// shared cache keyed without Authorization, a server that caps the
// connections of one client. Each test names the verdict and exit code.

const downloadRoute = "POST /api/v1/exports/{export_id}/download"

// noTokenIn fails the test when any form conform could print of a token
// of s (its value, its secret part after cornect_) is in out.
func noTokenIn(t *testing.T, s *stackserver.Server, outs ...string) {
	t.Helper()
	for role, v := range s.Tokens() {
		for _, out := range outs {
			if strings.Contains(out, v) || strings.Contains(out, strings.TrimPrefix(v, "cornect_")) {
				t.Errorf("the output holds the %s token", role)
			}
		}
	}
}

// edgeRun is stackRun, and holds the console output and the JSON report
// free of every token of s. Against a stack on a shared clock
// (startClockedStack) it runs in process, its waits skipped; against any
// other, the binary, on the real time.
func edgeRun(t *testing.T, s *stackserver.Server, args ...string) (runResult, report.Result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.json")
	env, args := tokenEnv(s.Tokens(), s.BaseURL()), append([]string{"run", "--json-report", path}, args...)
	var res runResult
	if clockOfTarget(env, args) != nil {
		res = runConformInProcess(t, env, args...)
	} else {
		res = runConformBinary(t, env, args...)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	noTokenIn(t, s, res.stdout, res.stderr, string(raw))
	return res, readJSONReport(t, path)
}

// wantBroken asserts exit 1 and a failed check saying op is broken, and
// that no check is left inconclusive on op.
func wantBroken(t *testing.T, res runResult, r report.Result, op string) {
	t.Helper()
	if res.code != exitViolations {
		t.Errorf("exit %d, want %d\n%s", res.code, exitViolations, res.stdout)
	}
	failed := 0
	for _, c := range r.Checks {
		switch {
		case c.Status == report.Failed && strings.Contains(c.Explanation(), "broken operation: "+op):
			failed++
		case c.Status == report.Inconclusive && strings.Contains(c.Explanation(), op):
			t.Errorf("%s inconclusive on the broken operation, want failed:\n%s", c.Name(), c.Explanation())
		}
	}
	if failed == 0 {
		t.Errorf("no check failed naming %s broken\n%s", op, res.stdout)
	}
}

// A download routed to a port nobody listens on: nginx answers 502 to
// every request, with and without credentials, while the rest answers.
func TestADeadRouteBehindA502GatewayFails(t *testing.T) {
	t.Parallel()
	s := startClockedStack(t, stackserver.WithDeadRoute(downloadRoute, 502))
	res, r := edgeRun(t, s, "--label-filter", "!rate-limit")
	wantBroken(t, res, r, "POST /exports/{export_id}/download")
}

// The same stuck backend behind a gateway that times out first (504) and
// behind one that does not (conform's own timeout fires): one fault, one
// verdict, the same checks failed.
func TestAStuckBackendGetsOneVerdictWhoeverTimesOut(t *testing.T) {
	t.Parallel()
	failed := make([][]string, 2)
	var wg sync.WaitGroup
	for i, status := range []int{504, 0} {
		wg.Go(func() {
			s := startClockedStack(t, stackserver.WithDeadRoute(downloadRoute, status))
			res, r := edgeRun(t, s, "--label-filter", "!rate-limit", "--request-timeout", "1s")
			wantBroken(t, res, r, "POST /exports/{export_id}/download")
			for _, c := range r.Checks {
				if c.Status == report.Failed {
					failed[i] = append(failed[i], c.Name())
				}
			}
		})
	}
	wg.Wait()
	if !slices.Equal(failed[0], failed[1]) {
		t.Errorf("behind a 504 gateway failed %v; with conform timing out, %v: want the same", failed[0], failed[1])
	}
}

// nginx's limit_req per token answers 503 past the limit: the burst gets
// 503s and no 429 while another token is served, which fails
// RATE-LIMIT-429 with what was seen.
func TestALimiterAnswering503FailsRateLimit429(t *testing.T) {
	t.Parallel()
	s := startClockedStack(t, stackserver.WithTokenLimiter(stackserver.Limiter{Route: "GET /api/v1/credits", Limit: 30, Window: time.Minute, Status: 503}))
	res, r := edgeRun(t, s, "--focus", "^RATE-LIMIT-429")
	c, _ := checkNamed(r, "RATE-LIMIT-429")
	why := c.Explanation()
	if res.code != exitViolations || c.Status != report.Failed || !strings.Contains(why, "× 503") || !strings.Contains(why, "never retried") || strings.Contains(why, "retried with backoff") {
		t.Errorf("exit %d, RATE-LIMIT-429 %s, want failed naming the 503s and no retries\n%s", res.code, c.Status, why)
	}
}

// An Express limiter sends Retry-After in milliseconds. Past the
// documented bucket's refill (here 2 s, set in the profile) conform asks
// again and is served: both RATE-LIMIT-429 and RATE-LIMIT-RECOVERY fail,
// neither is skipped.
func TestAMillisecondRetryAfterFailsAfterTheRefill(t *testing.T) {
	t.Parallel()
	s := startClockedStack(t, stackserver.WithTokenLimiter(stackserver.Limiter{Route: "GET /api/v1/credits", Limit: 30, Window: 2 * time.Second, Status: 429, RetryAfterMillis: true}))
	profile := profileWithRefill(t, 2)
	res, r := edgeRun(t, s, "--profile", profile, "--focus", "^RATE-LIMIT")
	for _, name := range []string{"RATE-LIMIT-429", "RATE-LIMIT-RECOVERY"} {
		c, _ := checkNamed(r, name)
		if c.Status != report.Failed || !strings.Contains(c.Explanation(), "longer than a bucket") || !strings.Contains(c.Explanation(), "conform waited") {
			t.Errorf("%s %s, want failed after the refill\n%s", name, c.Status, c.Explanation())
		}
	}
	if res.code != exitViolations {
		t.Errorf("exit %d, want %d", res.code, exitViolations)
	}
	if d := sharedClock(t, s.BaseURL()).skipped(); d > 60*time.Second {
		t.Errorf("waited %s: conform waited out the header, not the documented refill", d)
	}
}

// profileWithRefill writes the default profile with rate_limit.refill_seconds.
func profileWithRefill(t *testing.T, seconds int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["rate_limit"].(map[string]any)["refill_seconds"] = seconds
	out, _ := json.Marshal(p)
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Django's cache_page on GET /credits, keyed without Authorization: once a
// token got a 200, anyone gets it. The warm auth probes, the isolation
// checks and HTTP-STABLE-CODE fail; nothing is skipped as a token setup
// problem.
func TestASharedCacheKeyedWithoutAuthorizationFails(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithSharedCache("GET /api/v1/credits"))
	res, r := edgeRun(t, s, "--label-filter", "!rate-limit")
	if res.code != exitViolations {
		t.Errorf("exit %d, want %d\n%s", res.code, exitViolations, res.stdout)
	}
	for _, name := range []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED", "NOTFOUND-OTHER-WORKSPACE", "CREDITS-INSUFFICIENT", "CREDITS-NO-CHARGE"} {
		if c, _ := checkNamed(r, name); c.Status != report.Failed {
			t.Errorf("%s %s, want failed\n%s", name, c.Status, c.Explanation())
		}
	}
	// GET /credits is read and probed warm before the auth checks judge.
	for _, name := range []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"} {
		if c, _ := checkNamed(r, name); !strings.Contains(c.Reason, "broken on GET /credits only once") || strings.Contains(c.Reason, "judged when the run ended") {
			t.Errorf("%s reason %q, want GET /credits broken warm, before the check's verdict", name, c.Reason)
		}
	}
	// The cached 200 to a request without credentials is the auth checks'
	// to fail: HTTP-STABLE-CODE leaves that pair out, says so, and judges
	// the failures that were refused.
	if c, _ := checkNamed(r, "HTTP-STABLE-CODE"); c.Status != report.Passed || !strings.Contains(c.Reason, "served both times") {
		t.Errorf("HTTP-STABLE-CODE %s (%q), want passed, naming the pair it left out", c.Status, c.Reason)
	}
}

// The same cache in front of GET /exports/{export_id}, on a target whose
// exports complete at once: the exports family's read of the new export
// (its early download was served) is the first 200 there, long after the
// auth checks' batch, and the cache then serves it to anyone asking for
// that export's URL. The warm probes follow that 200 to the same URL, and
// AUTH-MISSING, AUTH-UNKNOWN and AUTH-EXPIRED fail on it: exit 1, where a
// run that probed only the auth batch and GET /credits warm passed them
// (exit 0, or 7 in CI for the inconclusive EXPORT-NOT-READY).
func TestASharedCacheOnAnExportFailsTheAuthChecksLateInTheRun(t *testing.T) {
	t.Parallel()
	s := startStack(t, stackserver.WithSharedCache("GET /api/v1/exports/{export_id}"), stackserver.WithReference(reference.WithVariations("instant-exports")))
	// As in CI (--require-all): the failure, exit 1, not EXPORT-NOT-READY's
	// inconclusive (exit 7), is the verdict.
	res, r := edgeRun(t, s, "-v", "--require-all", "--focus", "^AUTH-(MISSING|UNKNOWN|EXPIRED) ", "--focus", "^EXPORT-NOT-READY ")
	if res.code != exitViolations {
		t.Errorf("exit %d, want %d\n%s", res.code, exitViolations, res.stdout)
	}
	// -v printed each auth check's verdict as it ended, before the late
	// warm probes; the last line it prints for each is the final ✗.
	for _, name := range []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"} {
		last := ""
		for _, line := range strings.Split(res.stdout, "\n") {
			// A live line is "mark NAME title"; the summary's is "mark NAME — title".
			if f := strings.Fields(line); len(f) > 2 && f[1] == name && f[2] != "—" && (f[0] == "✓" || f[0] == "✗") {
				last = f[0]
			}
		}
		if last != "✗" {
			t.Errorf("-v's last live line for %s is %q, want ✗ once the late warm probes failed it\n%s", name, last, res.stdout)
		}
	}
	for _, name := range []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"} {
		c, _ := checkNamed(r, name)
		on := map[string]bool{}
		for _, v := range c.Violations {
			on[v.Operation] = true
		}
		if c.Status != report.Failed || !maps.Equal(on, map[string]bool{"GET /exports/{export_id}": true}) ||
			!strings.Contains(c.Reason, "broken on GET /exports/{export_id} only once it had served") || !strings.Contains(c.Reason, "judged when the run ended") {
			t.Errorf("%s %s on %v, want failed on GET /exports/{export_id} alone, saying it was broken only once served:\n%s", name, c.Status, on, c.Explanation())
		}
		// The warm probe asked for the URL that was served, not a made-up id.
		for _, v := range c.Violations {
			if ex := c.Exchanges[v.Exchange]; ex.Status != 200 || strings.HasSuffix(ex.URL, "/exports/{export_id}") {
				t.Errorf("%s: violation on %s %s (%d), want the stored 200 of the export's own URL", name, ex.Method, ex.URL, ex.Status)
			}
		}
	}
	if c, _ := checkNamed(r, "EXPORT-NOT-READY"); c.Status != report.Inconclusive {
		t.Errorf("EXPORT-NOT-READY %s, want inconclusive (the export completed at once)\n%s", c.Status, c.Explanation())
	}
}

// fasthttp's MaxConnsPerIP: 2 answers 429 with Connection: close and no
// Retry-After past two connections. conform lowers its concurrency, says
// so with the flag that avoids it, and reports no wait on a Retry-After
// that was never sent.
func TestRefusalsWithoutRetryAfterLowerTheConcurrency(t *testing.T) {
	t.Parallel()
	s := startClockedStack(t, stackserver.WithConnsPerClient(2), stackserver.WithReference(reference.WithLatency(20*time.Millisecond)))
	res, r := edgeRun(t, s, "--focus", "^AUTH-")
	if len(r.Stats.Lowered) == 0 || r.Stats.Lowered[len(r.Stats.Lowered)-1].To > 2 {
		t.Errorf("concurrency lowered %+v, want down to 2 or less", r.Stats.Lowered)
	}
	if r.Stats.Retries != 0 || r.Stats.RetryWaited != 0 {
		t.Errorf("%d waits on Retry-After (%s) reported; no response carried one", r.Stats.Retries, r.Stats.RetryWaited)
	}
	if !strings.Contains(res.stdout, "--concurrency") || !strings.Contains(res.stdout, "lowered its concurrency") {
		t.Errorf("no line says conform lowered its concurrency and which flag avoids it:\n%s", res.stdout)
	}
	if res.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", res.code, res.stdout)
	}
}

// Two tokens of one workspace on a target that does not leak: the
// isolation checks are skipped as a setup problem, naming both variables,
// after a request without credentials was refused.
func TestTwoTokensOfOneWorkspaceOnATargetThatDoesNotLeakAreASetupSkip(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	env := tokenEnv(s.Tokens(), s.BaseURL())
	env["CONFORM_TOKEN_NO_CREDITS"] = env["CONFORM_TOKEN_READ_WRITE"]
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, env, "run", "--json-report", path, "--focus", "^NOTFOUND-OTHER-WORKSPACE|^CREDITS-")
	r := readJSONReport(t, path)
	for _, name := range []string{"NOTFOUND-OTHER-WORKSPACE", "CREDITS-INSUFFICIENT", "CREDITS-NO-CHARGE"} {
		c, _ := checkNamed(r, name)
		why := c.Explanation()
		if c.Status != report.Skipped || !strings.Contains(why, "CONFORM_TOKEN_READ_WRITE and CONFORM_TOKEN_NO_CREDITS must belong to different workspaces") || !strings.Contains(why, "without credentials got 401") {
			t.Errorf("%s %s, want skipped naming both variables after a refused request without credentials:\n%s", name, c.Status, why)
		}
	}
	if res.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", res.code, res.stdout)
	}
}

// The same cap meets the rate-limit burst: its 429 without Retry-After is
// the burst's load, not the token's bucket, which the token sent alone
// tells. RATE-LIMIT-429 is inconclusive (exit 0), not failed for a
// Retry-After the bucket's own 429 would carry.
func TestAConnectionCapDuringTheBurstIsNotTheLimiter(t *testing.T) {
	t.Parallel()
	// A cap the preflight's few requests stay under and the burst's 16 in
	// flight do not.
	s := startStack(t, stackserver.WithConnsPerClient(8), stackserver.WithReference(reference.WithLatency(20*time.Millisecond)))
	res, r := edgeRun(t, s, "--focus", "^RATE-LIMIT-429")
	c, _ := checkNamed(r, "RATE-LIMIT-429")
	if c.Status != report.Inconclusive || !strings.Contains(c.Explanation(), "the 429 was the burst's load") || res.code != exitOK {
		t.Errorf("exit %d, RATE-LIMIT-429 %s, want inconclusive on the connection cap's 429:\n%s", res.code, c.Status, c.Explanation())
	}
}
