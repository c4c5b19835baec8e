package suite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// httpFamily registers the SHOULD-level checks of HTTP itself: the
// authentication challenge, the scheme's case, auth before validation, 405
// and unknown routes, stable codes. Each declares a handful of probes of
// its own, sent in the run's schedule (schedule.go).
func (r *run) httpFamily() *family {
	credits := func() probe.Request {
		return r.request(r.endpoint(r.profile().Credits.BalanceEndpoint), nil, probe.Credential{})
	}

	challenges := func() []probe.Request {
		bad := credits()
		bad.Authorization = probe.Header("Bearer cornect_" + r.randomHex(16))
		reqs := []probe.Request{credits(), bad}
		if r.hasToken(probe.RoleExpired) {
			reqs = append(reqs, r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleExpired))
		}
		return reqs
	}
	challenge := newSpec("AUTH-CHALLENGE", "", func(_ context.Context, s *spec) {
		s.record(s.got...)
		// Every 401 of the run so far, these included.
		var unauthorized []probe.Exchange
		for _, e := range r.seenUpTo(s) {
			if e.ex.Status == 401 {
				unauthorized = append(unauthorized, e.ex)
			}
		}
		if len(unauthorized) == 0 {
			s.skip("no request of this run got a 401, so there is no challenge to judge")
		}
		s.judge(unauthorized, match.HaveBearerChallenge())
	})

	otherCases := func() []probe.Request {
		cred := r.token(probe.RoleRead)
		e := r.endpoint(r.profile().Credits.BalanceEndpoint)
		return []probe.Request{
			r.request(e, probe.Header("bearer "+probe.TokenPlaceholder), cred),
			r.request(e, probe.Header("BEARER "+probe.TokenPlaceholder), cred),
		}
	}
	schemeCase := newSpec("AUTH-SCHEME-CASE", "", func(_ context.Context, s *spec) {
		s.judge(s.got, match.HaveStatus(200))
	})

	invalidUnauthenticated := func() []probe.Request {
		var reqs []probe.Request
		done := map[string]bool{}
		for _, b := range r.profile().InvalidBodies {
			e := r.endpoint(b.Endpoint)
			// Mainstream frameworks parse JSON before any dependency runs:
			// broken JSON answered first is no evidence of the wrong order.
			if done[e.Key()] || !json.Valid(b.Bytes()) {
				continue
			}
			done[e.Key()] = true
			q := r.request(e, nil, probe.Credential{})
			q.Body = b.Bytes()
			reqs = append(reqs, q)
		}
		return reqs
	}
	authFirst := newSpec("AUTH-BEFORE-VALIDATION", "", func(_ context.Context, s *spec) {
		if len(s.got) == 0 {
			s.skip("the profile has no invalid body that is well-formed JSON")
		}
		s.judge(s.got, match.HaveStatus(401))
	})

	documented := func() map[string][]string { // path → its methods
		documented := map[string][]string{}
		for _, e := range r.operations() {
			if !slices.Contains(documented[e.Path], e.Method) {
				documented[e.Path] = append(documented[e.Path], e.Method)
			}
		}
		return documented
	}
	// The 405 probe of a path goes with a token whose scope allows every
	// method the path has: a stack that checks scope (or the limit) before
	// the method (Django REST framework's permissions run before its
	// dispatch) would refuse a read token's PATCH /exports with 403, for a
	// reason that is not the one the probe tests. The token is taken in
	// turn among those the path's widest operation allows, like any other
	// request to it, and the probe is paced as an operation of its own.
	widest := func() map[string]fixtures.Endpoint { // path → its operation needing the widest scope
		widest := map[string]fixtures.Endpoint{}
		for _, e := range r.operations() {
			if w, ok := widest[e.Path]; !ok || (w.Scope != "read_write" && e.Scope == "read_write") {
				widest[e.Path] = e
			}
		}
		return widest
	}
	wrongMethods := func() []probe.Request {
		documented, widest := documented(), widest()
		probed := map[string]bool{}
		var reqs []probe.Request
		for _, e := range r.operations() {
			if probed[e.Path] || (e.Method != "GET" && e.Method != "POST") {
				continue
			}
			// A method the path does not have: never one that would act.
			wrong := ""
			for _, m := range []string{"PATCH", "PUT", "DELETE"} {
				if !slices.Contains(documented[e.Path], m) {
					wrong = m
					break
				}
			}
			if wrong == "" {
				continue
			}
			w := widest[e.Path]
			role, ok := r.pickToken(w, rolesFor(w)...)
			if !ok {
				continue
			}
			q := r.as(e, role)
			q.Method, q.Body = wrong, nil
			probed[e.Path] = true
			reqs = append(reqs, q)
		}
		return reqs
	}
	method405 := newSpec("HTTP-METHOD-405", "", func(_ context.Context, s *spec) {
		if len(s.got) == 0 {
			s.skip("every operation's path documents PATCH, PUT and DELETE, or no token is set whose scope allows a path's methods")
		}
		s.judgeArrived()
	})
	paths := sync.OnceValue(documented)
	method405.each = func() types.GomegaMatcher { return match.HaveAllowedMethods(paths()) }

	unknownPath := func() []probe.Request {
		cred := r.token(probe.RoleRead)
		path := unknownRoutePrefix + r.randomHex(4)
		return []probe.Request{{Method: "GET", Path: path, Template: unknownRoutePrefix + "{random}", Authorization: bearer(cred), Token: cred}}
	}
	unknownRoute := newSpec("HTTP-UNKNOWN-ROUTE", "", func(_ context.Context, s *spec) {
		s.judge(s.got[0], match.BeError(match.ErrorExpectation{Status: 404}))
	})

	// The Errors page promises "a stable code" to branch on: each failure
	// is provoked twice.
	failures := func() []probe.Request {
		reqs := []probe.Request{credits()}
		if len(r.profile().NotFound) > 0 {
			reqs = append(reqs, r.as(r.endpoint(r.profile().NotFound[0]), probe.RoleRead))
		}
		for _, b := range r.profile().InvalidBodies {
			if e := r.endpoint(b.Endpoint); e.Scope == "read" {
				q := r.as(e, probe.RoleRead)
				q.Body = b.Bytes()
				reqs = append(reqs, q)
				break
			}
		}
		return reqs
	}
	stable := newSpec("HTTP-STABLE-CODE", "", func(_ context.Context, s *spec) {
		// Each request twice, all at once: the same failure, provoked twice.
		exs, n := s.got, len(s.got)/2
		s.record(exs...)
		if ops := unanswered(exs); len(ops) > 0 {
			s.inconclusive("no answer to " + strings.Join(ops, ", ") + ": there is no code to compare")
		}
		// A failure served both times was not provoked: there is no code
		// to compare, and the check meant for it (the auth checks,
		// VALIDATION-422) says so. Only the pairs that failed at least
		// once are judged, and never none.
		var pairs [][2]probe.Exchange
		var served []string
		for i := range n {
			a, b := exs[i], exs[n+i]
			if carriedOut(a) && carriedOut(b) {
				s.record(a)
				served = append(served, fmt.Sprintf("%s (%d twice)", probe.OperationKey(a.Method, a.Path), a.Status))
				continue
			}
			pairs = append(pairs, [2]probe.Exchange{a, b})
		}
		if len(pairs) == 0 {
			s.inconclusive("every request meant to fail was served both times, so there is no code to compare: " + strings.Join(served, ", "))
		}
		s.judge(pairs, match.SameCodes())
		if len(served) > 0 && s.res.Reason == "" {
			s.res.Reason = "not compared, served both times though meant to fail: " + strings.Join(served, ", ")
		}
	})

	stable.check.Level = r.readingLevel(r.profile().Readings.StableCodes, report.Must)
	challenge.acrossRun = true
	challenge.probes, schemeCase.probes, authFirst.probes = challenges, otherCases, invalidUnauthenticated
	method405.probes, unknownRoute.probes = wrongMethods, unknownPath
	stable.probes = func() []probe.Request { reqs := failures(); return append(reqs, reqs...) }
	return newFamily("", challenge, schemeCase, authFirst, method405, unknownRoute, stable)
}

// securityFamily registers the SHOULD-level check of what a refused
// request may reveal.
func (r *run) securityFamily() *family {
	// Refusals that present tokens: an echoed token shows up as its
	// $CONFORM_TOKEN_… name, since the probe redacts known values.
	refusals := func(unknown string) []probe.Request {
		e := r.endpoint(r.profile().Credits.BalanceEndpoint)
		reqs := []probe.Request{r.request(e, probe.Header("Bearer "+unknown), probe.Credential{})}
		for _, role := range []probe.Role{probe.RoleExpired, probe.RoleRevoked, probe.RoleNonMember} {
			if r.hasToken(role) {
				reqs = append(reqs, r.as(e, role))
			}
		}
		return reqs
	}
	leak := newSpec("SECURITY-NO-LEAK", "", func(_ context.Context, s *spec) {
		// Provoke the refusals, then look at every error response of the
		// run so far: each was judged as it arrived (seenOf), over the
		// whole of its body and headers.
		s.record(s.got...)
		if reason := r.stopReason(); reason != "" {
			s.stop(report.NotRun, "", "not completed: the run stopped ("+reason+")")
		}
		all, judged := verdict{status: report.Passed}, 0
		for _, e := range r.seenUpTo(s) {
			if e.ex.Throttled || e.ex.Overloaded {
				continue // one request still rate limited must not hide a leak elsewhere
			}
			judged++
			all = all.and(e.leak)
		}
		if judged == 0 {
			s.inconclusive("every exchange it would judge was still rate limited or overloaded when conform stopped waiting")
		}
		s.conclude(all, judged)
	})
	leak.acrossRun = true
	leak.probes = func() []probe.Request { return refusals(r.leakSecret) }
	return newFamily("", leak)
}

// retryAfterFamily looks at every response of the run, so it comes after
// the rate-limit burst.
func (r *run) retryAfterFamily() *family {
	syntax := newSpec("HTTP-RETRY-AFTER-SYNTAX", "", func(_ context.Context, s *spec) {
		var with []probe.Exchange
		for _, e := range r.seenUpTo(s) {
			if len(e.ex.Header.Values("Retry-After")) > 0 {
				with = append(with, e.ex)
			}
		}
		if len(with) == 0 {
			s.skip("no response of this run carried Retry-After")
		}
		s.judge(with, match.HaveValidRetryAfter())
	})
	syntax.acrossRun = true
	return newFamily("", syntax)
}

// carriedOut says whether a request was served (2xx or 3xx) rather than
// failed.
func carriedOut(ex probe.Exchange) bool { return ex.Status >= 200 && ex.Status <= 399 }
