package suite_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// TestSuitePassesAgainstTheReference runs every check against the reference
// server at its documented limits: a conforming server must pass, every
// documented failure must have been verified (none skipped), and every
// check must have heard back from Ginkgo (progress, duration).
func TestSuitePassesAgainstTheReference(t *testing.T) {
	ref := reference.New()
	srv := httptest.NewServer(ref)
	defer srv.Close()
	prof := fixtures.Default()
	byRole, _ := probe.Credentials(probe.RoleValues(ref.Tokens()))
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole})
	if err != nil {
		t.Fatal(err)
	}
	client, err := plan.NewClient(probe.Options{BaseURL: srv.URL + prof.BasePath})
	if err != nil {
		t.Fatal(err)
	}
	heard := map[string]bool{}
	out, err := suite.Run(context.Background(), plan, suite.Options{
		Client:   client,
		Progress: func(c report.Check) { heard[c.Name()] = true },
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Incomplete != "" {
		t.Fatalf("incomplete: %s", out.Incomplete)
	}
	specs := plan.Specs()
	if len(out.Checks) != len(specs) {
		t.Fatalf("ran %d checks, the plan has %d", len(out.Checks), len(specs))
	}
	seen := map[string]bool{}
	for i, c := range out.Checks {
		seen[c.ID] = true
		if c.Name() != specs[i].Name() {
			t.Errorf("check %d is %s, the plan says %s", i, c.Name(), specs[i].Name())
		}
		// The profile has no read_write operation but the charged one, so
		// SCOPE-NO-SIDE-EFFECT has nothing to judge (SCOPE-NO-CHARGE does).
		notApplicable := c.ID == "SCOPE-NO-SIDE-EFFECT" && c.Skip == report.SkipNotApplicable
		if c.Status != report.Passed && !notApplicable {
			t.Errorf("%s: %s\n%s", c.Name(), c.Status, c.Explanation())
		}
		if c.Judged == 0 && !notApplicable {
			t.Errorf("%s judged no exchange", c.Name())
		}
		if !heard[c.Name()] || c.Duration == 0 && !notApplicable {
			t.Errorf("%s: no progress or duration from Ginkgo", c.Name())
		}
	}
	for _, c := range suite.Catalogue() {
		if !seen[c.ID] {
			t.Errorf("check %s did not run", c.ID)
		}
		if !strings.HasPrefix(c.Text(), c.ID+" ") {
			t.Errorf("spec text of %s does not start with its ID", c.ID)
		}
	}
	t.Logf("%d checks, %d requests", len(out.Checks), client.Stats().Requests)

	// The plan's request budget is what the run sent, class by class.
	budget, err := plan.Budget()
	if err != nil {
		t.Fatal(err)
	}
	sent := client.SentByClass()
	for _, b := range budget {
		if got := sent[b.Class]; got != b.Requests+b.Provoked {
			t.Errorf("%s: the plan counts %d requests (%d provoked), the run sent %d", b.Class, b.Requests+b.Provoked, b.Provoked, got)
		}
		delete(sent, b.Class)
	}
	for class, n := range sent {
		t.Errorf("%s: the run sent %d requests the plan does not count", class, n)
	}
}

// TestRunsInOneProcessTakeTurns: Ginkgo's suite is global, yet a process
// may run the suite again and again, even from two goroutines at once (the
// command's tests run conform in process): each run gets Ginkgo to itself
// and a fresh tree, and judges its own checks and no other's.
func TestRunsInOneProcessTakeTurns(t *testing.T) {
	ref := reference.New()
	srv := httptest.NewServer(ref)
	defer srv.Close()
	prof := fixtures.Default()
	byRole, _ := probe.Credentials(probe.RoleValues(ref.Tokens()))
	focus := []string{"^AUTH-MISSING", "^NOTFOUND-", "^AUTH-UNKNOWN", "^SCOPE-INSUFFICIENT"}
	outs := make([]suite.Outcome, len(focus))
	errs := make([]error, len(focus))
	var wg sync.WaitGroup
	for i, f := range focus {
		wg.Go(func() {
			plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole, Filters: suite.Filters{Focus: []string{f}}})
			if err != nil {
				errs[i] = err
				return
			}
			client, err := plan.NewClient(probe.Options{BaseURL: srv.URL + prof.BasePath})
			if err != nil {
				errs[i] = err
				return
			}
			outs[i], errs[i] = suite.Run(context.Background(), plan, suite.Options{Client: client})
		})
	}
	wg.Wait()
	for i, f := range focus {
		if errs[i] != nil {
			t.Fatalf("%s: %v", f, errs[i])
		}
		plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole, Filters: suite.Filters{Focus: []string{f}}})
		if err != nil {
			t.Fatal(err)
		}
		want := plan.Selected()
		judged := 0
		for _, c := range outs[i].Checks {
			if c.Status == report.Skipped && c.Skip == report.SkipFiltered {
				continue
			}
			judged++
			if c.Status != report.Passed {
				t.Errorf("%s: %s is %s, want passed\n%s", f, c.Name(), c.Status, c.Explanation())
			}
		}
		if judged != want || want == 0 {
			t.Errorf("%s: %d checks judged, the plan selects %d", f, judged, want)
		}
	}
}
