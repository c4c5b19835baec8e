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
	return newFamily("", r.authChallengeCheck(), r.schemeCaseCheck(), r.authBeforeValidationCheck(),
		r.method405Check(), r.unknownRouteCheck(), r.stableCodeCheck())
}

// balanceWithout is a request to the balance endpoint without credentials.
func (r *run) balanceWithout() probe.Request {
	return r.request(r.endpoint(r.profile().Credits.BalanceEndpoint), nil, probe.Credential{})
}

// authChallengeCheck judges the challenge of every 401 of the run up to
// it in plan order (seenUpTo), a few provoked by its own probes.
func (r *run) authChallengeCheck() *spec {
	challenges := func() []probe.Request {
		bad := r.balanceWithout()
		bad.Authorization = probe.Header("Bearer cornect_" + r.randomHex(16))
		reqs := []probe.Request{r.balanceWithout(), bad}
		if r.hasToken(probe.RoleExpired) {
			reqs = append(reqs, r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleExpired))
		}
		return reqs
	}
	return acrossRunCheck("AUTH-CHALLENGE", func(_ context.Context, s *spec) {
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
	}, challenges, nil)
}

// schemeCaseCheck sends the read token under the scheme's other cases.
func (r *run) schemeCaseCheck() *spec {
	otherCases := func() []probe.Request {
		cred := r.token(probe.RoleRead)
		e := r.endpoint(r.profile().Credits.BalanceEndpoint)
		return []probe.Request{
			r.request(e, probe.Header("bearer "+probe.TokenPlaceholder), cred),
			r.request(e, probe.Header("BEARER "+probe.TokenPlaceholder), cred),
		}
	}
	return batchCheck("AUTH-SCHEME-CASE", "", otherCases, func(_ context.Context, s *spec, got []probe.Exchange) {
		s.judge(got, match.HaveStatus(200))
	})
}

// authBeforeValidationCheck sends invalid bodies without credentials.
func (r *run) authBeforeValidationCheck() *spec {
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
	return batchCheck("AUTH-BEFORE-VALIDATION", "", invalidUnauthenticated, func(_ context.Context, s *spec, got []probe.Exchange) {
		if len(got) == 0 {
			s.skip("the profile has no invalid body that is well-formed JSON")
		}
		s.judge(got, match.HaveStatus(401))
	})
}

// method405Check sends each path a method it does not have, each answer
// judged as it arrives.
func (r *run) method405Check() *spec {
	paths := sync.OnceValue(r.documentedMethods)
	return arrivingCheck("HTTP-METHOD-405", "", r.wrongMethods,
		func() types.GomegaMatcher { return match.HaveAllowedMethods(paths()) },
		"every operation's path documents PATCH, PUT and DELETE, or no token is set whose scope allows a path's methods")
}

// documentedMethods are the methods of each path of the operations.
func (r *run) documentedMethods() map[string][]string {
	documented := map[string][]string{}
	for _, e := range r.operations() {
		if !slices.Contains(documented[e.Path], e.Method) {
			documented[e.Path] = append(documented[e.Path], e.Method)
		}
	}
	return documented
}

// widestOperations are, by path, its operation needing the widest scope.
func (r *run) widestOperations() map[string]fixtures.Endpoint {
	widest := map[string]fixtures.Endpoint{}
	for _, e := range r.operations() {
		if w, ok := widest[e.Path]; !ok || (w.Scope != "read_write" && e.Scope == "read_write") {
			widest[e.Path] = e
		}
	}
	return widest
}

// wrongMethods are HTTP-METHOD-405's probes: one to each path with a GET
// or POST operation, with a method the path does not have, never one that
// would act. The probe of a path goes with a token whose scope allows
// every method the path has: a stack that checks scope (or the limit)
// before the method (Django REST framework's permissions run before its
// dispatch) would refuse a read token's PATCH /exports with 403, for a
// reason that is not the one the probe tests. The token is taken in turn
// among those the path's widest operation allows, like any other request
// to it, and the probe is paced as an operation of its own.
func (r *run) wrongMethods() []probe.Request {
	documented, widest := r.documentedMethods(), r.widestOperations()
	probed := map[string]bool{}
	var reqs []probe.Request
	for _, e := range r.operations() {
		if probed[e.Path] || (e.Method != "GET" && e.Method != "POST") {
			continue
		}
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

// unknownRouteCheck asks for a made-up path.
func (r *run) unknownRouteCheck() *spec {
	unknownPath := func() []probe.Request {
		cred := r.token(probe.RoleRead)
		path := unknownRoutePrefix + r.randomHex(4)
		return []probe.Request{{Method: "GET", Path: path, Template: unknownRoutePrefix + "{random}", Authorization: bearer(cred), Token: cred}}
	}
	return batchCheck("HTTP-UNKNOWN-ROUTE", "", unknownPath, func(_ context.Context, s *spec, got []probe.Exchange) {
		s.judge(got[0], match.BeError(match.ErrorExpectation{Status: 404}))
	})
}

// stableCodeCheck provokes each failure twice: the Errors page promises
// "a stable code" to branch on.
func (r *run) stableCodeCheck() *spec {
	twice := func() []probe.Request { reqs := r.failures(); return append(reqs, reqs...) }
	return batchCheck("HTTP-STABLE-CODE", "", twice, func(_ context.Context, s *spec, exs []probe.Exchange) {
		// Each request twice, all at once: the same failure, provoked twice.
		n := len(exs) / 2
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
	}).at(r.readingLevel(r.profile().Readings.StableCodes, report.Must))
}

// failures are HTTP-STABLE-CODE's requests, each meant to fail: without
// credentials, an unknown id, an invalid body.
func (r *run) failures() []probe.Request {
	reqs := []probe.Request{r.balanceWithout()}
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

// carriedOut says whether a request was served (2xx or 3xx) rather than
// failed.
func carriedOut(ex probe.Exchange) bool { return ex.Status >= 200 && ex.Status <= 399 }
