package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeScope registers INSUFFICIENT_SCOPE, what the refusal may not
// change, and the negative control. The refused requests are sent once,
// between two reads of GET /credits, so a server that charges before it
// refuses is seen on the first attempt (a second would be a free re-export).
func describeScope() {
	Describe("insufficient scope", Ordered, func() {
		var before, after probe.Exchange
		var refused []probe.Exchange
		BeforeAll(func(ctx SpecContext) {
			cred := token(RoleRead)
			var reqs []probe.Request
			for _, e := range operationsWithScope("read_write") {
				if destructive(e.Method) {
					continue // a server that ignored the scope would carry out the write
				}
				reqs = append(reqs, request(e, bearer(cred), cred))
			}
			if len(reqs) == 0 {
				Skip("no GET or POST operation needs the read_write scope")
			}
			credits := request(endpoint(profile().Credits.BalanceEndpoint), bearer(cred), cred)
			before = do(ctx, credits)
			refused = doAll(ctx, reqs...)
			after = do(ctx, credits)
		})

		check("SCOPE-INSUFFICIENT", func(ctx SpecContext) {
			record(refused...)
			judge(refused, match.BeError(match.ErrorExpectation{
				Status:  403,
				Code:    "INSUFFICIENT_SCOPE",
				Details: map[string]string{"token_scope": "read", "required": "read_write"},
			}))
		})

		check("SCOPE-NO-SIDE-EFFECT", func(ctx SpecContext) {
			record(before)
			record(refused...)
			record(after)
			judgeShould(match.Around{Before: before, Actions: refused, After: after}, match.LeaveCreditsUnchanged())
		})
	})

	check("SCOPE-READ-ACCEPTED", func(ctx SpecContext) {
		cred := token(RoleRead)
		var reqs []probe.Request
		for _, e := range operationsWithScope("read") {
			reqs = append(reqs, request(e, bearer(cred), cred))
		}
		if len(reqs) == 0 {
			Skip("no operation needs only the read scope")
		}
		judge(send(ctx, reqs...), match.BeAccepted())
	})
}

// destructive methods are left out of the scope sweep: against a server
// that does not enforce scopes, the read token's request would change or
// delete data.
func destructive(method string) bool {
	return method == "DELETE" || method == "PUT" || method == "PATCH"
}
