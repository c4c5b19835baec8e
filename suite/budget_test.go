package suite_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/memnet"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// inBubble names the scenario TestTheFailedAuthBudget runs in a process
// of its own: Ginkgo runs once per process.
const inBubble = "CONFORM_TEST_FAILED_AUTH_BUDGET"

// budgetScenarios are the runs of TestTheFailedAuthBudget: a target
// that limits failed authentication below conform's assumption, and one
// that does not limit it at all.
var budgetScenarios = map[string]struct {
	extra, targetLimit int // operations beside the profile's; the target's limit per minute
	paceLimit          int // the limit that sets the floor: the target's or conform's own
}{
	// The target allows 30 a minute per client, a number conform is not
	// told (it assumes 120): its 429s set the pace.
	"limited": {extra: 94, targetLimit: 30, paceLimit: 30},
	// The target never limits: conform's own pace (120 a minute) does.
	"unlimited": {extra: 294, targetLimit: fixtures.MaxLimitPerMinute, paceLimit: probe.DefaultFailedAuthLimit},
}

// TestTheFailedAuthBudget runs the whole suite over an OpenAPI-sized sweep
// (the six operations of the profile and many more the reference serves).
// On the fake clock of testing/synctest, with the reference and conform
// on an in-memory network, a run takes the minutes it would take on a
// real one, in well under a second. The run must finish within 1.2 times
// the floor that the limit sets for the requests that fail
// authentication (the requests past the bucket's first come at the limit's
// rate), and never faster than it: those requests are paced. The plan's
// budget must be what the run sent, and coverage must stay: every
// operation gets a request that must fail authentication, and every check
// passes.
func TestTheFailedAuthBudget(t *testing.T) {
	scenario := os.Getenv(inBubble)
	if scenario == "" {
		for name := range budgetScenarios {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				inProcessOfItsOwn(t, "TestTheFailedAuthBudget", inBubble, name)
			})
		}
		return
	}
	sc := budgetScenarios[scenario]
	extra, limit := sc.extra, sc.paceLimit
	inBubbleOfItsOwn(t, func(problem func(format string, args ...any)) {
		ref := reference.New(reference.WithUnauthenticatedLimit(sc.targetLimit), reference.WithExtraOperations(extra))
		ln := memnet.Listen()
		srv := &http.Server{Handler: ref}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()

		prof := fixtures.Default()
		ops := append([]fixtures.Endpoint(nil), prof.Endpoints...)
		for i := range extra {
			ops = append(ops, fixtures.Endpoint{ID: fmt.Sprintf("extra_op%04d", i), Method: "GET", Path: fmt.Sprintf("/extra/op%04d/{item_id}", i), Scope: "read", LimitPerMinute: 120})
		}
		byRole, _ := probe.Credentials(probe.RoleValues(ref.Tokens()))
		plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Operations: ops, Tokens: byRole})
		if err != nil {
			problem("%v", err)
			return
		}
		client, err := plan.NewClient(probe.Options{BaseURL: "http://reference/api/v1", Dial: ln.Dial})
		if err != nil {
			problem("%v", err)
			return
		}

		start := time.Now()
		out, err := suite.Run(context.Background(), plan, suite.Options{Client: client})
		took := time.Since(start)
		if err != nil || out.Incomplete != "" {
			problem("the run: %v %s", err, out.Incomplete)
			return
		}
		for _, c := range out.Checks {
			if c.Status != report.Passed && !(c.ID == "SCOPE-NO-SIDE-EFFECT" && c.Skip == report.SkipNotApplicable) {
				problem("%s: %s\n%s", c.Name(), c.Status, c.Explanation())
			}
		}
		sent := client.SentByClass()
		failed := sent[probe.FailedAuthClass]
		budget, err := plan.Budget()
		if err != nil {
			problem("%v", err)
			return
		}
		if budget[0].Class != probe.FailedAuthClass || budget[0].Requests != failed {
			problem("the plan counts %+v, the run sent %d requests that fail authentication", budget[0], failed)
		}
		// One per operation the profile lacks, every auth spec on each of
		// the profile's, and a few of other checks.
		if perSweep := sweepSpecs(plan)*len(prof.Endpoints) + extra; failed < perSweep || failed > perSweep+25 {
			problem("%d requests failed authentication, want the plan's %d and a few more", failed, perSweep)
		}
		floor := suite.ClassBudget{Requests: failed}.Floor(limit, time.Minute)
		fmt.Printf("note: %d operations, %s: %d requests fail authentication; floor %s at %d/min; the run took %s (%.2f× the floor), %d requests in all, %d retries after 429",
			len(ops), scenario, failed, floor, limit, took.Round(time.Second), float64(took)/float64(floor), client.Stats().Requests, client.Stats().Retries)
		fmt.Println()
		if took < floor {
			problem("the run took %s, less than the floor of %s: the requests that fail authentication were not paced", took, floor)
		}
		if took > floor*12/10 {
			problem("the run took %s, more than 1.2× the floor of %s", took, floor)
		}
	})
}

// sweepSpecs counts the specs of the plan (checks and their variants) that
// sweep the operations.
func sweepSpecs(plan *suite.Plan) int {
	n := 0
	for _, p := range plan.Specs() {
		if slices.Contains(suite.SweepChecks(), p.ID) {
			n++
		}
	}
	return n
}
