package suite

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// scheduleOf lays out a run of the default profile with every token and
// says, by unit, which units each waits for. A unit is named by its
// family, or by its spec (check ID and variant) when it sends one spec's
// probes.
func scheduleOf(t *testing.T, opts Options) map[string][]string {
	t.Helper()
	r := planRun(t, allTokens(), opts)
	r.planUnits()
	plan := r.planRun()
	name := func(u *unit) string {
		if u.spec == nil {
			return u.family.name
		}
		return strings.TrimSpace(u.spec.check.ID + " " + u.spec.variant)
	}
	deps := map[string][]string{}
	for i, u := range r.units {
		var names []string
		for _, e := range r.prepare(u, r.units[:i], plan) {
			names = append(names, name(e))
		}
		deps[name(u)] = names
	}
	return deps
}

// unitOf finds the one unit whose name starts with prefix.
func unitOf(t *testing.T, deps map[string][]string, prefix string) string {
	t.Helper()
	var found []string
	for n := range deps {
		if strings.HasPrefix(n, prefix) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		t.Fatalf("units named %q…: %q", prefix, found)
	}
	return found[0]
}

// TestTheScheduleOrdersOnlyWhatCanInterfere holds each dependency rule of
// schedule.go to the default profile: each ordered pair below exists
// because of one rule, and the pairs that must overlap (independent
// waits) are not ordered.
func TestTheScheduleOrdersOnlyWhatCanInterfere(t *testing.T) {
	deps := scheduleOf(t, Options{})
	waitsFor := func(u, e string) bool { return slices.Contains(deps[u], e) }

	auth := "authentication"
	exports := "an export that is not ready yet"
	method405 := unitOf(t, deps, "HTTP-METHOD-405")
	schemeCase := unitOf(t, deps, "AUTH-SCHEME-CASE")
	validation := unitOf(t, deps, "VALIDATION-422 empty body")
	search := unitOf(t, deps, "VALIDATION-422 an array as the body")

	// The auth checks lead: cold probes, and the operations the sweeps
	// leave out.
	for u := range deps {
		if u != auth && !waitsFor(u, auth) {
			t.Errorf("%s does not wait for the authentication checks", u)
		}
	}
	// The credits are read around requests with no charged request of
	// another family in flight.
	for _, pair := range [][2]string{
		{"insufficient credits", "insufficient scope"}, // both send to POST /exports
		{exports, "insufficient scope"},
		{exports, "insufficient credits"},
		{validation, "insufficient scope"},
		{validation, "insufficient credits"},
	} {
		if !waitsFor(pair[0], pair[1]) {
			t.Errorf("%s does not wait for %s: a charged request would land between its reads of the credits", pair[0], pair[1])
		}
	}
	if waitsFor(search, "insufficient scope") || waitsFor("read scope", "insufficient scope") {
		t.Errorf("a unit that charges nothing waits for the credits to be read: %q, %q", deps[search], deps["read scope"])
	}
	// The burst empties CONFORM_TOKEN_READ's bucket of GET /credits: after
	// every other request in that class.
	for _, e := range []string{"insufficient scope", "read scope", schemeCase} {
		if !waitsFor("rate limit", e) {
			t.Errorf("the rate-limit burst does not wait for %s, which sends with CONFORM_TOKEN_READ to GET /credits", e)
		}
	}
	// The checks that compare answers over time run alone: every earlier
	// unit before them, every later one after.
	stable := unitOf(t, deps, "HTTP-STABLE-CODE")
	for _, u := range []string{stable, "rate limit"} {
		for _, e := range []string{exports, method405, search} {
			if !waitsFor(u, e) && !waitsFor(e, u) {
				t.Errorf("%s and %s are not ordered: it must run with nothing else in flight", u, e)
			}
		}
	}
	if !waitsFor("rate limit", stable) {
		t.Errorf("the rate-limit burst does not wait for HTTP-STABLE-CODE: %q", deps["rate limit"])
	}
	// Independent waits overlap.
	notFound := unitOf(t, deps, "NOTFOUND-UNKNOWN-ID GET /companies")
	for _, pair := range [][2]string{
		{method405, exports}, {method405, notFound}, {exports, notFound},
	} {
		if waitsFor(pair[0], pair[1]) {
			t.Errorf("%s waits for %s: they share no token's bucket and no state", pair[0], pair[1])
		}
	}
	if got := deps[method405]; !slices.Equal(got, []string{auth}) {
		t.Errorf("the 405 probes wait for %q, want only the authentication checks", got)
	}

	// Sequential: each unit after every earlier one.
	seq := scheduleOf(t, Options{Sequential: true})
	if !slices.Contains(seq["rate limit"], exports) || !slices.Contains(seq["rate limit"], unitOf(t, seq, "HTTP-METHOD-405")) {
		t.Errorf("sequential: the rate limit waits for %q", seq["rate limit"])
	}
}

// TestChecksAcrossTheRunSeeThePlanOrder: a check that judges every
// exchange of the run so far sees what was sent for the specs up to it in
// plan order, in that order, whatever arrived first.
func TestChecksAcrossTheRunSeeThePlanOrder(t *testing.T) {
	r := planRun(t, allTokens(), Options{})
	var challenge *spec
	for _, s := range r.specs {
		if s.check.ID == "AUTH-CHALLENGE" {
			challenge = s
		}
	}
	at := r.placeOf(challenge)
	seen := func(seq int64, p place) seenExchange {
		return seenExchange{ex: probe.Exchange{Seq: seq, Status: 401}, at: p}
	}
	// In the order they arrived: a later family's first.
	r.seen = []seenExchange{
		seen(1, place{family: at.family + 1, spec: 0}),                    // a later family
		seen(2, place{family: at.family, spec: at.spec + 1}),              // a later check of its family
		seen(3, place{family: at.family, spec: at.spec, call: 1}),         // its own
		seen(4, place{family: at.family, spec: -1}),                       // its family's setup
		seen(5, place{family: 0, spec: 2, call: 2, index: 1}),             // the auth checks'
		seen(6, place{family: 0, spec: 2, call: 2, index: 0}),             //
		seen(7, place{family: 0, spec: 2, call: 1, index: 3}),             //
		seen(8, place{family: at.family - 1, spec: 0, call: 1, index: 0}), // the family before it
	}
	var got []int64
	for _, e := range r.seenUpTo(challenge) {
		got = append(got, e.ex.Seq)
	}
	if want := []int64{7, 6, 5, 8, 4, 3}; !slices.Equal(got, want) {
		t.Errorf("seen up to AUTH-CHALLENGE: %v, want %v", got, want)
	}
}

// TestADefectBuildingAUnitIsReportedNotFatal: a panic while the schedule
// builds a unit's probes reaches the nodes that wait for the units not
// started, where Ginkgo reports it as conform's defect; it does not end
// the process from a goroutine of its own.
func TestADefectBuildingAUnitIsReportedNotFatal(t *testing.T) {
	plan, err := NewPlan(PlanConfig{Profile: fixtures.Default(), Tokens: allTokens(), Filters: Filters{Focus: []string{"HTTP-"}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := plan.build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ctx context.Context
	ctx, r.cancel = context.WithCancelCause(context.Background())
	r.ctx = ctx
	defer r.cancel(nil)
	var broken *spec
	for _, s := range r.specs {
		if s.check.ID == "HTTP-UNKNOWN-ROUTE" {
			broken = s
			s.probes = func() []probe.Request { panic("a defect") }
		}
	}
	r.planUnits()
	done := make(chan struct{})
	go func() { defer close(done); r.schedule() }()
	<-done
	r.cancel(errRunOver) // the units it did start stop at once
	r.wg.Wait()
	u := r.unitsOf[broken][0]
	select {
	case <-u.done:
	default:
		t.Fatal("the unit whose probes panicked was never done: its node would wait for the run to end")
	}
	if u.panicked != "a defect" {
		t.Errorf("the unit panicked with %v, want the defect", u.panicked)
	}
}
