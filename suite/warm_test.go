package suite

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// cacheTarget is an API with one export, "e1", served to the READ token,
// optionally behind a shared cache that stores every GET's 200 by URL and
// serves it to anyone. It records what it was sent.
type cacheTarget struct {
	cache         bool
	open          bool // GET /exports/e1 is served to anyone
	read, expired string

	mu     sync.Mutex
	stored map[string][]byte
	got    []string // "METHOD path who" of every request
}

func (c *cacheTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	who := "none"
	switch auth {
	case "":
	case "Bearer " + c.read:
		who = "read"
	case "Bearer " + c.expired:
		who = "expired"
	default:
		who = "other"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, r.Method+" "+r.URL.Path+" "+who)
	if b := c.stored[r.URL.Path]; r.Method == http.MethodGet && b != nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		return
	}
	refuse := func(status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"detail": map[string]string{"code": code, "message": "refused"}})
	}
	if c.open && r.URL.Path == "/exports/e1" {
		who = "read" // served to anyone
	}
	switch who {
	case "none":
		refuse(http.StatusUnauthorized, "MISSING_AUTH_HEADER")
		return
	case "expired":
		refuse(http.StatusUnauthorized, "TOKEN_EXPIRED")
		return
	case "other":
		refuse(http.StatusUnauthorized, "INVALID_TOKEN")
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/exports/e1/download" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"download_url":"https://files.example/e1"}`))
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != "/exports/e1" && r.URL.Path != "/companies/c1" {
		refuse(http.StatusNotFound, "NOT_FOUND")
		return
	}
	b := []byte(`{"id":"` + path.Base(r.URL.Path) + `"}`)
	if c.cache {
		if c.stored == nil {
			c.stored = map[string][]byte{}
		}
		c.stored[r.URL.Path] = b
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// sent are the requests the target got since the last call.
func (c *cacheTarget) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

// warmRun is a run of the default profile against target, its auth
// checks judged as their family does, after before (nil: before any
// operation was served).
func warmRun(t *testing.T, target *cacheTarget, before func(r *run)) *run {
	t.Helper()
	target.read, target.expired = "cornect_"+strings.Repeat("ab", 16), "cornect_"+strings.Repeat("cd", 16)
	ts := httptest.NewServer(target)
	t.Cleanup(ts.Close)
	byRole, creds := probe.Credentials(map[probe.Role]string{probe.RoleRead: target.read, probe.RoleExpired: target.expired})
	c, err := probe.New(probe.Options{BaseURL: ts.URL, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	r := planRun(t, byRole, Options{Client: c})
	if got := len(r.warmSpecs()); got != len(warmChecks) {
		t.Fatalf("%d checks probed warm, want %d", got, len(warmChecks))
	}
	if before != nil {
		before(r)
	}
	for _, s := range r.warmSpecs() {
		s.judgeWarmed()
	}
	return r
}

// getExport is a request of the READ token for the export e1.
func (r *run) getExport() probe.Request {
	e := r.endpoint(r.profile().Exports.StatusEndpoint)
	return r.withID(r.as(e, probe.RoleRead), e, "e1")
}

// A GET operation with a path parameter first served late in the run
// (after the auth checks judged) is probed warm on the very path that was
// served, before that send returns, once; behind a cache the warm probes
// get the stored 200 and the auth checks fail when the run ends, naming
// the operation.
func TestAGetServedLateIsProbedWarmOnItsPath(t *testing.T) {
	target := &cacheTarget{cache: true}
	r := warmRun(t, target, nil)
	target.sent()
	ctx := context.Background()

	r.doAll(ctx, r.getExport())
	got := target.sent()
	want := map[string]bool{"GET /exports/e1 read": true, "GET /exports/e1 none": true, "GET /exports/e1 other": true, "GET /exports/e1 expired": true}
	if len(got) != len(want) {
		t.Errorf("sent %q, want the read and one warm probe per check on its path", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("sent %q, want only the read and the warm probes of GET /exports/e1", g)
		}
	}
	// The operation is warm now: another 2xx there sends no probe again.
	r.doAll(ctx, r.getExport())
	if got := target.sent(); len(got) != 1 {
		t.Errorf("a second 2xx sent %q, want the read alone", got)
	}

	r.judgeLateWarm()
	for _, s := range r.warmSpecs() {
		if s.res.Status != report.Failed {
			t.Errorf("%s %s, want failed on the stored 200", s.check.ID, s.res.Status)
		}
		if len(s.res.Violations) == 0 || s.res.Violations[0].Operation != "GET /exports/{export_id}" {
			t.Errorf("%s violations %+v, want them on GET /exports/{export_id}", s.check.ID, s.res.Violations)
		}
		if !strings.Contains(s.res.Reason, "judged when the run ended") {
			t.Errorf("%s reason does not say its warm probes came after its first verdict:\n%s", s.check.ID, s.res.Reason)
		}
		if n := strings.Count(s.res.Reason, "broken on GET /exports/{export_id} only once"); n != 1 {
			t.Errorf("%s reason says the warm failure %d times, want once:\n%s", s.check.ID, n, s.res.Reason)
		}
		// Judged again, the reason does not grow.
		s.explainWarm()
		if n := strings.Count(s.res.Reason, "broken on"); n != 1 {
			t.Errorf("%s reason after explaining again says it %d times:\n%s", s.check.ID, n, s.res.Reason)
		}
	}
}

// A 2xx served to a later family in the plan (its unit overlaps the auth
// checks' nodes in the schedule) is probed warm at once, but its warm
// probes are judged after the check's first verdict even when they arrive
// before it: which family answered first never changes what that verdict
// takes in, and the reason says the 2xx came later in the run.
func TestAWarmProbeOfALaterFamilyIsJudgedAfterTheCheck(t *testing.T) {
	target := &cacheTarget{cache: true}
	r := warmRun(t, target, func(r *run) {
		auth := r.placeOf(r.warmSpecs()[0])
		later := withOrigin(context.Background(), &origin{family: auth.family + 1})
		r.doAll(later, r.getExport())
	})
	for _, s := range r.warmSpecs() {
		if s.res.Status != report.Passed {
			t.Errorf("%s %s before the run ended, want passed: its first verdict takes in no warm probe of a later family\n%s", s.check.ID, s.res.Status, s.res.Reason)
		}
	}
	r.judgeLateWarm()
	for _, s := range r.warmSpecs() {
		if s.res.Status != report.Failed || !strings.Contains(s.res.Reason, "judged when the run ended") {
			t.Errorf("%s %s (%q), want failed on the stored 200 when the run ended, saying so", s.check.ID, s.res.Status, s.res.Reason)
		}
	}
}

// Without a cache the warm probes are refused: each check judges each of
// them once, the one that arrived before it judged and the one after, and
// stays passed. A refused request, a POST served, and a GET no valid token
// was served send no warm probe.
func TestWarmProbesFollowOnlyA2xxToAValidToken(t *testing.T) {
	target := &cacheTarget{}
	ctx := context.Background()
	r := warmRun(t, target, func(r *run) { r.doAll(ctx, r.getExport()) })
	for _, s := range r.warmSpecs() {
		if s.res.Status != report.Passed || s.res.Judged != 1 {
			t.Errorf("%s %s, judged %d: want passed on its warm probe", s.check.ID, s.res.Status, s.res.Judged)
		}
	}
	target.sent()
	e := r.endpoint(r.profile().Exports.StatusEndpoint)
	dl := r.endpoint(r.profile().Exports.DownloadEndpoint)
	r.doAll(ctx,
		r.withID(r.as(e, probe.RoleRead), e, "e2"),               // 404
		r.withID(r.request(e, nil, probe.Credential{}), e, "e1"), // 401
		r.withID(r.as(dl, probe.RoleRead), dl, "e1"),             // a POST, served
	)
	if got := target.sent(); len(got) != 3 {
		t.Errorf("sent %q, want the three requests and no warm probe", got)
	}
	target.mu.Lock()
	target.open = true
	target.mu.Unlock()
	r.doAll(ctx, r.withID(r.request(e, nil, probe.Credential{}), e, "e1")) // 200 without a token
	if got := target.sent(); len(got) != 1 {
		t.Errorf("sent %q, want the request and no warm probe: no valid token was served", got)
	}
	target.mu.Lock()
	target.open = false
	target.mu.Unlock()
	company := r.endpoint("get_company")
	r.doAll(ctx, r.withID(r.as(company, probe.RoleRead), company, "c1"))
	if got := target.sent(); len(got) != 1+len(warmChecks) {
		t.Errorf("sent %q, want the read and its warm probes", got)
	}
	r.judgeLateWarm()
	for _, s := range r.warmSpecs() {
		if s.res.Status != report.Passed || s.res.Judged != 2 || strings.Contains(s.res.Reason, "broken on") {
			t.Errorf("%s %s, judged %d, reason %q: want passed with each warm probe judged once", s.check.ID, s.res.Status, s.res.Judged, s.res.Reason)
		}
	}
}

// A run stopped early (here interrupted) cut off a late warm probe: no
// answer to it is no verdict, and the check that passed stays passed. A
// warm probe answered before the stop is judged all the same.
func TestAWarmProbeCutOffByAStoppedRunIsNoVerdict(t *testing.T) {
	target := &cacheTarget{cache: true}
	r := warmRun(t, target, nil)
	var cancel context.CancelCauseFunc
	r.ctx, cancel = context.WithCancelCause(context.Background())
	cancel(errors.New("interrupted"))
	s := r.warmSpecs()[0]
	r.warmArrive(s, probe.Exchange{Seq: 1 << 40, Method: "GET", Path: "/exports/{export_id}", Err: "context canceled"}, false)
	r.judgeLateWarm()
	if s.res.Status != report.Passed || len(s.res.Violations) != 0 {
		t.Errorf("%s %s with %+v, want passed: the cut-off probe got no answer", s.check.ID, s.res.Status, s.res.Violations)
	}
	answered := ex(200, `{"id":"e1"}`)
	answered.Seq, answered.Path = 1<<40+1, "/exports/{export_id}"
	r.warmArrive(s, answered, false)
	r.judgeLateWarm()
	if s.res.Status != report.Failed {
		t.Errorf("%s %s, want failed on the 200 that did arrive", s.check.ID, s.res.Status)
	}
}

// A run stopped before its auth checks judged has nothing of theirs to
// add to at the end.
func TestNoLateWarmJudgementForChecksThatNeverJudged(t *testing.T) {
	target := &cacheTarget{cache: true}
	target.read, target.expired = "cornect_"+strings.Repeat("ab", 16), "cornect_"+strings.Repeat("cd", 16)
	byRole, _ := probe.Credentials(map[probe.Role]string{probe.RoleRead: target.read, probe.RoleExpired: target.expired})
	r := planRun(t, byRole, Options{})
	r.judgeLateWarm()
	for _, s := range r.warmSpecs() {
		if s.decided {
			t.Errorf("%s decided %s, want no verdict", s.check.ID, s.res.Status)
		}
	}
}

// A late warm probe still rate limited when conform stopped waiting was
// not judged: a check that had passed becomes inconclusive, saying so.
func TestALateWarmProbeLeftThrottledIsInconclusive(t *testing.T) {
	r := warmRun(t, &cacheTarget{}, nil)
	s := r.warmSpecs()[0]
	throttled := ex(429, `{"detail":{"code":"RATE_LIMITED","message":"x"}}`)
	throttled.Seq, throttled.Path, throttled.Throttled = 1<<40, "/exports/{export_id}", true
	r.warmArrive(s, throttled, false)
	r.judgeLateWarm()
	if s.res.Status != report.Inconclusive || !strings.Contains(s.res.Reason, "warm probes: the target kept answering 429") {
		t.Errorf("%s %s (%q), want inconclusive naming the warm probe's 429", s.check.ID, s.res.Status, s.res.Reason)
	}
}

// planRun is the run of the default profile's plan for these tokens.
func planRun(t *testing.T, byRole map[probe.Role]probe.Credential, opts Options) *run {
	t.Helper()
	plan, err := NewPlan(PlanConfig{Profile: fixtures.Default(), Tokens: byRole})
	if err != nil {
		t.Fatal(err)
	}
	r, err := plan.build(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
