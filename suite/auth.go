package suite

import (
	"context"
	"slices"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// authFamily registers the 401 checks of the Errors page: each provokes
// its code, all of them sent as one batch, on the operations the coverage
// plan gives it (authPlan).
func (r *run) authFamily() *family {
	literal := func(header *string) func(fixtures.Endpoint) probe.Request {
		return func(e fixtures.Endpoint) probe.Request { return r.request(e, header, probe.Credential{}) }
	}
	specs := []*spec{r.authCheck("AUTH-MISSING", "", "MISSING_AUTH_HEADER", literal(nil))}

	formats := []struct{ name, header string }{
		{"Basic scheme", "Basic Y29uZm9ybTpjb25mb3Jt"},
		{"Bearer without credentials", "Bearer"},
		{"bearer token without the cornect_ prefix", "Bearer " + r.randomHex(16)},
		{"cornect_ token without a scheme", "cornect_" + r.randomHex(16)},
		{"empty header value", ""},
	}
	for _, f := range formats {
		specs = append(specs, r.authCheck("AUTH-FORMAT", f.name, "INVALID_TOKEN_FORMAT", literal(probe.Header(f.header))))
	}
	specs = append(specs, r.authCheck("AUTH-UNKNOWN", "", "INVALID_TOKEN", literal(probe.Header("Bearer cornect_"+r.randomHex(16)))))

	states := []struct {
		id   string
		role probe.Role
		code string
	}{
		{"AUTH-REVOKED", probe.RoleRevoked, "INVALID_TOKEN"},
		{"AUTH-EXPIRED", probe.RoleExpired, "TOKEN_EXPIRED"},
		{"AUTH-UNBOUND", probe.RoleUnbound, "TOKEN_NOT_WORKSPACE_BOUND"},
		{"AUTH-NON-MEMBER", probe.RoleNonMember, "NOT_WORKSPACE_MEMBER"},
	}
	for _, st := range states {
		specs = append(specs, r.authCheck(st.id, "", st.code, func(e fixtures.Endpoint) probe.Request {
			cred := r.token(st.role)
			return r.request(e, bearer(cred), cred)
		}))
	}
	f := newFamily("authentication", specs...)
	f.setup = func(ctx context.Context, runnable []*spec) {
		f.sendBatch(ctx, runnable)
		if len(runnable) == 0 {
			return // nothing probed: findMissing works it out for the sweeps that need it
		}
		r.missingOnce.Do(func() {
			r.leaveOutMissing(ctx, runnable)
			r.missingFound = true
		})
		r.probeWarm(ctx)
	}
	f.budget = r.warmBudget
	return f
}

// authCheck is an authentication check: a check judged as its probes
// arrive, each a request that must fail authentication (fails) on one of
// the operations the coverage plan gives it (authPlan), and be refused
// with 401 and code.
func (r *run) authCheck(id, variant, code string, fails func(e fixtures.Endpoint) probe.Request) *spec {
	s := newSpec(id, variant, arriving, func(_ context.Context, s *spec) { s.judgeWarmed() })
	s.each = func() types.GomegaMatcher { return match.BeError(match.ErrorExpectation{Status: 401, Code: code}) }
	s.failAuth = fails
	s.probes = func() []probe.Request {
		var reqs []probe.Request
		for _, e := range r.authPlan()[s] {
			reqs = append(reqs, s.failAuth(e))
		}
		return reqs
	}
	return s
}

// AuthCoverage says which operations each authentication check probes.
type AuthCoverage string

const (
	// AuthSpread, the default: every check on every operation of the
	// profile, and on each other operation (those only an OpenAPI document
	// lists) one check, taken in turn, so every operation gets a request
	// that must fail authentication, every check covers its share of them,
	// and the requests that fail authentication (limited per client, at a
	// rate the docs do not publish) are one per operation.
	AuthSpread AuthCoverage = "spread"
	// AuthFull sends every check to every operation.
	AuthFull AuthCoverage = "full"
)

// authPlan is the coverage plan of the authentication checks: the
// operations each runnable one probes (see AuthCoverage). Worked out once
// per run, from the plan alone, so --dry-run shows what the run sends.
func (r *run) authPlan() map[*spec][]fixtures.Endpoint {
	r.authOnce.Do(func() {
		var checks []*spec
		for _, f := range r.fams {
			for _, s := range f.specs {
				if s.failAuth != nil && s.selected && s.missing == "" {
					checks = append(checks, s)
				}
			}
		}
		r.authOps = map[*spec][]fixtures.Endpoint{}
		if len(checks) == 0 {
			return
		}
		known := r.profileKnows()
		turn := 0
		for _, e := range r.operations() {
			if known[e.Key()] || r.cfg.AuthCoverage == AuthFull {
				for _, s := range checks {
					r.authOps[s] = append(r.authOps[s], e)
				}
				continue
			}
			s := checks[turn%len(checks)]
			turn++
			r.authOps[s] = append(r.authOps[s], e)
		}
	})
	return r.authOps
}

// isMissing says whether an operation was found not to be at the base URL.
func (r *run) isMissing(e fixtures.Endpoint) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.missing, e.Key())
}

// leaveOutMissing takes out of the auth checks the operations an OpenAPI
// document lists, the profile does not know, and the target answered with
// 404 to every authentication probe, one at least without a token of the
// run: they are not at the base URL (a route of another app, a document
// that drifted), which is a coverage finding, not a violation of every
// auth check. A 404 to a token of the run alone is no such evidence (a
// target may hide its resources from a non-member that way): such an
// operation gets one request without credentials, and its answer decides.
// The profile's operations are the contract: a 404 there stays a
// violation.
func (r *run) leaveOutMissing(ctx context.Context, specs []*spec) {
	known := r.profileKnows()
	all404 := map[string]bool{} // operation → every auth probe got 404
	tokenless := map[string]bool{}
	var order []string
	for _, s := range specs {
		for _, ex := range s.got {
			k := probe.OperationKey(ex.Method, ex.Path)
			if known[k] {
				continue
			}
			if _, ok := all404[k]; !ok {
				all404[k] = true
				order = append(order, k)
			}
			all404[k] = all404[k] && ex.Status == 404
			tokenless[k] = tokenless[k] || ex.Role == ""
		}
	}
	missing := map[string]bool{}
	var ask []probe.Request
	var byKey map[string]fixtures.Endpoint
	for _, k := range order {
		switch {
		case !all404[k]:
		case tokenless[k]:
			missing[k] = true
		default:
			if byKey == nil {
				byKey = map[string]fixtures.Endpoint{}
				for _, e := range r.operations() {
					byKey[e.Key()] = e
				}
			}
			ask = append(ask, r.request(byKey[k], nil, probe.Credential{}))
		}
	}
	for _, ex := range r.doAll(ctx, ask...) {
		if ex.Status == 404 {
			missing[probe.OperationKey(ex.Method, ex.Path)] = true
		}
	}
	if len(missing) == 0 {
		return
	}
	gone := func(ex probe.Exchange) bool { return missing[probe.OperationKey(ex.Method, ex.Path)] }
	for _, s := range specs {
		s.got = slices.DeleteFunc(s.got, gone)
		s.mu.Lock()
		s.arrived = slices.DeleteFunc(s.arrived, func(a arrival) bool { return gone(a.ex) })
		s.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range missing {
		r.missing = append(r.missing, k)
	}
	slices.Sort(r.missing)
}

// findMissing works out, once, which operations of the sweep are not at
// the base URL, for the checks that sweep them when the auth checks did
// not run (filtered out): one request without credentials to each
// operation the profile does not know, a 404 meaning it is not there.
func (r *run) findMissing(ctx context.Context) {
	r.missingOnce.Do(func() {
		if r.missingFound {
			return
		}
		reqs := r.missingProbes()
		if len(reqs) == 0 {
			return
		}
		probed := &spec{got: r.doAll(ctx, reqs...)}
		r.leaveOutMissing(ctx, []*spec{probed})
	})
}

// missingProbes are findMissing's requests: one without credentials to
// each operation the profile does not know.
func (r *run) missingProbes() []probe.Request {
	known := r.profileKnows()
	var reqs []probe.Request
	for _, e := range r.operations() {
		if !known[e.Key()] {
			reqs = append(reqs, r.request(e, nil, probe.Credential{}))
		}
	}
	return reqs
}

// profileKnows says, by operation key, which operations the profile has.
// The map is the run's: read it, never write it.
func (r *run) profileKnows() map[string]bool {
	r.knownOnce.Do(func() {
		r.known = map[string]bool{}
		for _, e := range r.profile().Endpoints {
			r.known[e.Key()] = true
		}
	})
	return r.known
}

// SweepChecks lists, in run order, the IDs of the checks that sweep the
// operations: the authentication checks, each probing the operations the
// coverage plan gives it. Under AuthSpread an operation only an OpenAPI
// document lists goes to one of them, taken in turn from the first.
func SweepChecks() []string {
	r, err := newRun(config{PlanConfig: PlanConfig{Profile: fixtures.Default()}})
	if err != nil {
		return nil // the embedded profile and no filters: never
	}
	var ids []string
	for _, s := range r.specs {
		if s.failAuth != nil && !slices.Contains(ids, s.check.ID) {
			ids = append(ids, s.check.ID)
		}
	}
	return ids
}
