package suite

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// extraOperations are n operations no profile knows, without a limit.
func extraOperations(n int) []fixtures.Endpoint {
	var ops []fixtures.Endpoint
	for i := range n {
		ops = append(ops, fixtures.Endpoint{ID: fmt.Sprintf("extra%d", i), Method: "GET", Path: fmt.Sprintf("/extra/%d", i), Scope: "read"})
	}
	return ops
}

// TestEveryUseOfAPlanTakesItsDecisions: a plan decides once which specs
// run and which lack a token; the operations an OpenAPI document adds
// change what the specs send, never those decisions; and the run built
// from a plan (as Run and Budget build it) has exactly the plan's specs,
// selected and skipped as the plan says.
func TestEveryUseOfAPlanTakesItsDecisions(t *testing.T) {
	tokens := allTokens()
	delete(tokens, probe.RoleExpired)
	plan, err := NewPlan(PlanConfig{Profile: fixtures.Default(), Tokens: tokens, Filters: Filters{Focus: []string{"^AUTH-", "^SCOPE-"}}})
	if err != nil {
		t.Fatal(err)
	}
	specs := plan.Specs()
	selected, skipped := 0, 0
	for _, p := range specs {
		if p.Selected {
			selected++
			if p.Skip != "" {
				skipped++
			}
		}
	}
	if selected == 0 || selected == len(specs) || skipped == 0 || plan.Selected() != selected {
		t.Fatalf("the plan selects %d of %d specs (Selected says %d), %d of them skipped: want some of each", selected, len(specs), plan.Selected(), skipped)
	}

	swept := plan.WithOperations(extraOperations(3))
	if !slices.EqualFunc(swept.Specs(), specs, func(a, b Planned) bool {
		return a.Text == b.Text && a.Selected == b.Selected && a.Skip == b.Skip
	}) {
		t.Error("the plan with the document's operations decided otherwise")
	}
	if len(plan.Operations()) != len(fixtures.Default().Endpoints) || len(swept.Operations()) != 3 {
		t.Errorf("operations: %d before, %d after; want the profile's, then the document's 3", len(plan.Operations()), len(swept.Operations()))
	}
	before, err := plan.Budget()
	if err != nil {
		t.Fatal(err)
	}
	after, err := swept.Budget()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(before, after) {
		t.Error("the budget of a sweep over other operations is the same")
	}

	r, err := swept.build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.specs) != len(specs) {
		t.Fatalf("the run has %d specs, the plan %d", len(r.specs), len(specs))
	}
	for i, s := range r.specs {
		if s.fullText() != specs[i].Text || s.selected != specs[i].Selected || s.missing != specs[i].Skip {
			t.Errorf("spec %d: the run has %q selected %v skip %q; the plan %q %v %q", i, s.fullText(), s.selected, s.missing, specs[i].Text, specs[i].Selected, specs[i].Skip)
		}
	}

	// A plan whose specs are not the run's is a defect, not a run.
	bad := *plan
	bad.specs = slices.Clone(specs)
	bad.specs[1].Text += " (another)"
	if _, err := bad.build(Options{}); err == nil || !strings.Contains(err.Error(), "the plan's") {
		t.Errorf("a plan that is not its run's: %v, want an error", err)
	}
}

// TestPacesAreThePlans: a run paces each operation at its documented
// limit, one no one documents at the profile's assumed one, and failed
// authentication at --failed-auth-limit when given, else the profile's.
func TestPacesAreThePlans(t *testing.T) {
	prof := fixtures.Default()
	ops := append(slices.Clone(prof.Endpoints), extraOperations(1)...)
	ops = append(ops, fixtures.Endpoint{ID: "limited", Method: "GET", Path: "/limited", Scope: "read", LimitPerMinute: 7})
	plan, err := NewPlan(PlanConfig{Profile: prof, Operations: ops})
	if err != nil {
		t.Fatal(err)
	}
	pace := plan.Paces()
	credits, _ := prof.Endpoint("get_credits")
	for _, tt := range []struct {
		key, source string
		limit       int
	}{
		{credits.Key(), "documented", credits.LimitPerMinute},
		{"GET /limited", "documented", 7},
		{"GET /extra/0", "assumed: undocumented operation", prof.RateLimit.UndocumentedLimit()},
		{probe.FailedAuthClass, "assumed: the docs publish none; --failed-auth-limit", prof.RateLimit.FailedAuthLimit()},
	} {
		if limit, source := pace.Of(tt.key); limit != tt.limit || source != tt.source {
			t.Errorf("%s: %d (%s), want %d (%s)", tt.key, limit, source, tt.limit, tt.source)
		}
	}
	flagged, err := NewPlan(PlanConfig{Profile: prof, FailedAuthLimit: 9})
	if err != nil {
		t.Fatal(err)
	}
	if limit, source := flagged.Paces().Of(probe.FailedAuthClass); limit != 9 || source != "--failed-auth-limit" {
		t.Errorf("with --failed-auth-limit 9: %d (%s)", limit, source)
	}
	prof.RateLimit.FailedAuthPerMinute = 11
	profiled, err := NewPlan(PlanConfig{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	if limit, source := profiled.Paces().Of(probe.FailedAuthClass); limit != 11 || source != "the profile's rate_limit.failed_auth_per_minute" {
		t.Errorf("with the profile's limit of 11: %d (%s)", limit, source)
	}
}

// TestPacesArePerTheProfilesWindow: the documented limits are per the
// profile's rate_limit.refill_seconds (a minute when left out); the
// assumed ones stay per minute.
func TestPacesArePerTheProfilesWindow(t *testing.T) {
	prof := fixtures.Default()
	credits, _ := prof.Endpoint("get_credits")
	ops := append(slices.Clone(prof.Endpoints), extraOperations(1)...)
	// An OpenAPI document's limit is per minute by its extension's name
	// (x-cornect-rate-limit-per-minute), whatever the profile's window.
	ops = append(ops, fixtures.Endpoint{ID: "documented", Method: "GET", Path: "/documented", Scope: "read", LimitPerMinute: 30})
	for _, tt := range []struct {
		refill int
		want   time.Duration
	}{{0, time.Minute}, {10, 10 * time.Second}} {
		prof.RateLimit.RefillSeconds = tt.refill
		plan, err := NewPlan(PlanConfig{Profile: prof, Operations: ops})
		if err != nil {
			t.Fatal(err)
		}
		pace := plan.Paces()
		if got := pace.Period(credits.Key()); got != tt.want {
			t.Errorf("refill_seconds %d: %s paced per %s, want %s", tt.refill, credits.Key(), got, tt.want)
		}
		if n, _ := pace.Of("GET /documented"); n != 30 {
			t.Fatalf("GET /documented: limit %d, want the document's 30", n)
		}
		for _, key := range []string{"GET /extra/0", probe.FailedAuthClass, "GET /documented"} {
			if got := pace.Period(key); got != time.Minute {
				t.Errorf("refill_seconds %d: %s paced per %s, want a minute (an assumed pace, or the document's per minute)", tt.refill, key, got)
			}
		}
	}
}

// TestTheClientOfAPlanPacesPerTheProfilesWindow: the client a plan makes
// paces a documented limit per the profile's refill_seconds, whatever
// the options say: the sixth POST /exports of a token, at 5 per 10 s,
// waits 2 s, not the 12 s of 5 a minute.
func TestTheClientOfAPlanPacesPerTheProfilesWindow(t *testing.T) {
	values := map[probe.Role]string{probe.RoleReadWrite: "cornect_writetoken0123456789abcde"}
	tokens, _ := probe.Credentials(values)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"detail": {"code": "VALIDATION_ERROR", "message": "no"}}`)
	}))
	defer srv.Close()
	prof := fixtures.Default()
	prof.RateLimit.RefillSeconds = 10
	plan, err := NewPlan(PlanConfig{Profile: prof, Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []probe.Wait
	client, err := plan.NewClient(probe.Options{
		BaseURL: srv.URL, Periods: map[string]time.Duration{"POST /exports": time.Hour},
		OnWait: func(w probe.Wait) { waits = append(waits, w); cancel() }, // the pace is seen; nothing waits
	})
	if err != nil {
		t.Fatal(err)
	}
	auth, tok := probe.Bearer(tokens[probe.RoleReadWrite])
	for range 6 {
		client.Do(ctx, probe.Request{Method: "POST", Path: "/exports", Template: "/exports", Authorization: auth, Token: tok, Body: []byte(`{}`)})
	}
	if len(waits) != 1 || waits[0].Cause != probe.WaitPacing || waits[0].Duration < 1500*time.Millisecond || waits[0].Duration > 2*time.Second {
		t.Errorf("waits %+v, want the sixth POST /exports paced about 2 s (5 per 10 s)", waits)
	}
}

// TestTheClientOfAPlanPacesAndMasksAsThePlanSays: the client a plan makes
// masks every token of the plan (not only the one a request carries) and
// paces failed authentication at the plan's limit, whatever the options
// it was given say.
func TestTheClientOfAPlanPacesAndMasksAsThePlanSays(t *testing.T) {
	values := map[probe.Role]string{probe.RoleRead: "cornect_readtoken0123456789abcdef", probe.RoleRevoked: "cornect_revokedtoken0123456789ab"}
	tokens, _ := probe.Credentials(values)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"detail": "token %s was revoked"}`, values[probe.RoleRevoked])
	}))
	defer srv.Close()
	plan, err := NewPlan(PlanConfig{Profile: fixtures.Default(), Tokens: tokens, FailedAuthLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []probe.Wait
	client, err := plan.NewClient(probe.Options{
		BaseURL: srv.URL, Credentials: nil, FailedAuthLimit: 1000,
		OnWait: func(w probe.Wait) { waits = append(waits, w); cancel() }, // the pace is seen; nothing waits
	})
	if err != nil {
		t.Fatal(err)
	}
	auth, tok := probe.Bearer(tokens[probe.RoleRead])
	ex := client.Do(ctx, probe.Request{Method: "GET", Path: "/credits", Template: "/credits", Authorization: auth, Token: tok})
	if strings.Contains(string(ex.Body)+ex.BodyText, values[probe.RoleRevoked]) || !strings.Contains(ex.BodyText, "was revoked") {
		t.Errorf("a token of the plan is not masked in the answer: %q", ex.BodyText)
	}
	for range 2 {
		client.Do(ctx, probe.Request{Method: "GET", Path: "/credits", Template: "/credits", Unauthenticated: true})
	}
	if len(waits) != 1 || waits[0].Cause != probe.WaitPacing || waits[0].Operation != probe.FailedAuthClass || waits[0].Duration < 50*time.Second {
		t.Errorf("waits %+v, want the second request that fails authentication paced at the plan's 1 a minute", waits)
	}
}
