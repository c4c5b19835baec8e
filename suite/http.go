package suite

import (
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeHTTP registers the SHOULD-level checks of HTTP itself: the
// authentication challenge, the scheme's case, 405 and unknown routes,
// stable codes. Each sends a handful of requests of its own.
func describeHTTP() {
	check("AUTH-CHALLENGE", func(ctx SpecContext) {
		credits := endpoint(profile().Credits.BalanceEndpoint)
		reqs := []probe.Request{
			request(credits, nil, probe.Credential{}),
			request(credits, probe.Header("Bearer cornect_"+randomHex(16)), probe.Credential{}),
		}
		if hasToken(RoleExpired) {
			cred := token(RoleExpired)
			reqs = append(reqs, request(credits, bearer(cred), cred))
		}
		send(ctx, reqs...)
		// Every 401 of the run so far, these three included.
		var unauthorized []probe.Exchange
		for _, ex := range seen() {
			if ex.Status == 401 {
				unauthorized = append(unauthorized, ex)
			}
		}
		if len(unauthorized) == 0 {
			Skip("no request of this run got a 401, so there is no challenge to judge")
		}
		judgeShould(unauthorized, match.HaveBearerChallenge())
	})

	check("AUTH-SCHEME-CASE", func(ctx SpecContext) {
		cred := token(RoleRead)
		credits := endpoint(profile().Credits.BalanceEndpoint)
		exs := send(ctx,
			request(credits, probe.Header("bearer "+probe.TokenPlaceholder), cred),
			request(credits, probe.Header("BEARER "+probe.TokenPlaceholder), cred),
		)
		judgeShould(exs, match.HaveStatus(200))
	})

	check("AUTH-BEFORE-VALIDATION", func(ctx SpecContext) {
		var reqs []probe.Request
		for _, b := range profile().InvalidBodies {
			if containsEndpoint(reqs, b.Endpoint) {
				continue
			}
			r := request(endpoint(b.Endpoint), nil, probe.Credential{})
			r.Body = b.Bytes()
			reqs = append(reqs, r)
		}
		if len(reqs) == 0 {
			Skip("the profile has no invalid bodies")
		}
		judgeShould(send(ctx, reqs...), match.HaveStatus(401))
	})

	check("HTTP-METHOD-405", func(ctx SpecContext) {
		cred := token(RoleRead)
		documented := map[string][]string{} // path → its methods
		for _, e := range operations() {
			documented[e.Path] = append(documented[e.Path], e.Method)
		}
		allowed := map[string]string{}
		var reqs []probe.Request
		for _, e := range operations() {
			if _, done := allowed[e.Path]; done || (e.Method != "GET" && e.Method != "POST") {
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
			r := request(e, bearer(cred), cred)
			r.Method, r.Body = wrong, nil
			allowed[e.Path] = e.Method
			reqs = append(reqs, r)
		}
		if len(reqs) == 0 {
			Skip("every operation's path documents PATCH, PUT and DELETE")
		}
		judgeShould(send(ctx, reqs...), match.HaveAllowedMethods(allowed))
	})

	check("HTTP-UNKNOWN-ROUTE", func(ctx SpecContext) {
		cred := token(RoleRead)
		path := "/conform-no-such-route-" + randomHex(4)
		ex := sendOne(ctx, probe.Request{Method: "GET", Path: path, Template: path, Authorization: bearer(cred), Token: cred})
		judgeShould(ex, match.BeError(match.ErrorExpectation{Status: 404}))
	})

	check("HTTP-STABLE-CODE", func(ctx SpecContext) {
		cred := token(RoleRead)
		reqs := []probe.Request{request(endpoint(profile().Credits.BalanceEndpoint), nil, probe.Credential{})}
		if len(profile().NotFound) > 0 {
			reqs = append(reqs, request(endpoint(profile().NotFound[0]), bearer(cred), cred))
		}
		for _, b := range profile().InvalidBodies {
			if e := endpoint(b.Endpoint); e.Scope == "read" {
				r := request(e, bearer(cred), cred)
				r.Body = b.Bytes()
				reqs = append(reqs, r)
				break
			}
		}
		// Each request twice, all at once: the same failure, provoked twice.
		exs := send(ctx, append(reqs, reqs...)...)
		var pairs [][2]probe.Exchange
		for i := range reqs {
			pairs = append(pairs, [2]probe.Exchange{exs[i], exs[len(reqs)+i]})
		}
		judgeShould(pairs, match.SameCodes())
	})
}

// describeRetryAfterSyntax looks at every response of the run, so it is
// registered after the rate-limit burst.
func describeRetryAfterSyntax() {
	check("HTTP-RETRY-AFTER-SYNTAX", func(ctx SpecContext) {
		var with []probe.Exchange
		for _, ex := range seen() {
			if len(ex.Header.Values("Retry-After")) > 0 {
				with = append(with, ex)
			}
		}
		if len(with) == 0 {
			Skip("no response of this run carried Retry-After")
		}
		record(with[0])
		judgeShould(with, match.HaveValidRetryAfter())
	})
}

func containsEndpoint(reqs []probe.Request, id string) bool {
	e := endpoint(id)
	for _, r := range reqs {
		if r.Template == e.Path && strings.EqualFold(r.Method, e.Method) {
			return true
		}
	}
	return false
}
