package suite

import (
	"context"
	"slices"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// authFamily registers the 401 checks of the Errors page: each provokes
// its code on every operation, all of them sent as one batch.
func (r *run) authFamily() *family {
	judged := func(e match.ErrorExpectation) func(context.Context, *spec) {
		return func(_ context.Context, s *spec) { s.judge(s.got, match.BeError(e)) }
	}
	unauthenticated := func(header *string) func() []probe.Request {
		return func() []probe.Request { return r.everyOperation(header, probe.Credential{}) }
	}

	missing := newSpec("AUTH-MISSING", "", judged(match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"}))
	missing.probes = unauthenticated(nil)
	specs := []*spec{missing}

	formats := []struct{ name, header string }{
		{"Basic scheme", "Basic Y29uZm9ybTpjb25mb3Jt"},
		{"Bearer without credentials", "Bearer"},
		{"bearer token without the cornect_ prefix", "Bearer " + r.randomHex(16)},
		{"cornect_ token without a scheme", "cornect_" + r.randomHex(16)},
		{"empty header value", ""},
	}
	for _, f := range formats {
		s := newSpec("AUTH-FORMAT", f.name, judged(match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN_FORMAT"}))
		s.probes = unauthenticated(probe.Header(f.header))
		specs = append(specs, s)
	}

	unknown := newSpec("AUTH-UNKNOWN", "", judged(match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN"}))
	unknown.probes = unauthenticated(probe.Header("Bearer cornect_" + r.randomHex(16)))
	specs = append(specs, unknown)

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
		s := newSpec(st.id, "", judged(match.ErrorExpectation{Status: 401, Code: st.code}))
		s.probes = func() []probe.Request {
			cred := r.token(st.role)
			return r.everyOperation(bearer(cred), cred)
		}
		specs = append(specs, s)
	}
	f := newFamily("authentication", specs...)
	batch := f.setup
	f.setup = func(ctx context.Context, runnable []*spec) {
		batch(ctx, runnable)
		r.missingOnce.Do(func() {
			r.leaveOutMissing(runnable)
			r.missingFound = true
		})
	}
	return f
}

// isMissing says whether an operation was found not to be at the base URL.
func (r *run) isMissing(e fixtures.Endpoint) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.missing, e.Key())
}

// leaveOutMissing takes out of the auth checks the operations an OpenAPI
// document lists, the profile does not know, and the target answered with
// 404 to every authentication probe: they are not at the base URL (a
// route of another app, a document that drifted), which is a coverage
// finding, not a violation of every auth check. The profile's operations
// are the contract: a 404 there stays a violation.
func (r *run) leaveOutMissing(specs []*spec) {
	known := map[string]bool{}
	for _, e := range r.profile().Endpoints {
		known[e.Key()] = true
	}
	answers := map[string][]int{} // operation → statuses of its auth probes
	for _, s := range specs {
		for _, ex := range s.got {
			if k := probe.OperationKey(ex.Method, ex.Path); !known[k] {
				answers[k] = append(answers[k], ex.Status)
			}
		}
	}
	missing := map[string]bool{}
	for k, statuses := range answers {
		if !slices.ContainsFunc(statuses, func(st int) bool { return st != 404 }) {
			missing[k] = true
		}
	}
	if len(missing) == 0 {
		return
	}
	for _, s := range specs {
		s.got = slices.DeleteFunc(s.got, func(ex probe.Exchange) bool { return missing[probe.OperationKey(ex.Method, ex.Path)] })
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
		known := map[string]bool{}
		for _, e := range r.profile().Endpoints {
			known[e.Key()] = true
		}
		var reqs []probe.Request
		for _, e := range r.operations() {
			if !known[e.Key()] {
				reqs = append(reqs, r.request(e, nil, probe.Credential{}))
			}
		}
		if len(reqs) == 0 {
			return
		}
		probed := &spec{got: r.doAll(ctx, reqs...)}
		r.leaveOutMissing([]*spec{probed})
	})
}
