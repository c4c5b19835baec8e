package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/suite"
)

// TestARunThatWaitsSaysSoOnStderr runs conform against a reference whose
// unauthenticated limit forces a Retry-After of 3 s: stderr, not a
// terminal, gets the progress line, with the checks done. The run waits
// on the reference's clock, so the 3 s are skipped, not sat out.
func TestARunThatWaitsSaysSoOnStderr(t *testing.T) {
	t.Parallel()
	// A bucket one request short of the requests the run sends that fail
	// authentication (the plan's, the preflight's with them), refilled one
	// every 3 s: the last runs into one Retry-After of about 3 s, and only
	// the last.
	focus := []string{"^AUTH-MISSING"}
	n := failedAuthRequests(t, suite.Filters{Focus: focus})
	ref, base := serveReference(t, reference.WithUnauthenticatedLimit(n-1), reference.WithRateWindow(time.Duration(n-1)*3*time.Second))
	res := runConformInProcess(t, tokenEnv(ref.Tokens(), base), "run", "--focus", focus[0])
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if waited := sharedClock(t, base).skipped(); waited < 2*time.Second {
		t.Fatalf("the run waited %s: the target's limit forced no wait", waited)
	}
	progress := regexp.MustCompile(`(?m)^waiting [2-4] s: (GET|POST) /\S+ is rate limited \(Retry-After\) — 0/1 checks done$`)
	if !progress.MatchString(res.stderr) {
		t.Errorf("stderr has no progress line for the wait:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "waiting ") || strings.ContainsAny(res.stderr, "\r\x1b") {
		t.Errorf("the progress went to stdout, or drew terminal controls into a log:\n%s\n%s", res.stdout, res.stderr)
	}
}

// failedAuthRequests is how many requests that must fail authentication a
// run of the embedded profile with every token and the given filters
// sends, the preflight's with them: the plan's count, as --dry-run prints
// it.
func failedAuthRequests(t *testing.T, filters suite.Filters) int {
	t.Helper()
	tokens := map[probe.Role]string{}
	for _, role := range probe.Roles() {
		tokens[role] = "minted"
	}
	byRole, _ := probe.Credentials(tokens)
	prof := fixtures.Default()
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole, Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	budget, err := plan.Budget()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range withPreflight(budget, preflightRequests(prof)) {
		if b.Class == probe.FailedAuthClass {
			return b.Requests
		}
	}
	t.Fatal("the plan sends no request that fails authentication")
	return 0
}
