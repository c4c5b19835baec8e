package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeValidation registers one 422 entry per invalid body of the
// profile, sent as one batch. Each goes with a token whose scope allows the
// endpoint, so only the body is wrong; POSTs rotate across tokens to stay
// within each token's limit.
func describeValidation() {
	bodies := profile().InvalidBodies
	Describe("invalid bodies", Ordered, func() {
		var got map[string][]probe.Exchange
		BeforeAll(func(ctx SpecContext) {
			var b batch
			for _, body := range bodies {
				e := endpoint(body.Endpoint)
				roles := readRoles()
				if e.Scope == "read_write" {
					roles = writeRoles()
				}
				if cred, ok := pickToken(e, roles...); ok {
					r := request(e, bearer(cred), cred)
					r.Body = body.Bytes()
					b.add(body.Name, r)
				}
			}
			got = b.send(ctx)
		})
		var entries []TableEntry
		for _, body := range bodies {
			e := endpoint(body.Endpoint)
			entries = append(entries, Entry(body.Name+" on "+e.Method+" "+e.Path, body.Name, e.Scope))
		}
		checkTable("VALIDATION-422",
			func(ctx SpecContext, name, scope string) {
				if len(got[name]) == 0 {
					Skip("no token with the " + scope + " scope is set (CONFORM_TOKEN_READ_WRITE or CONFORM_TOKEN_NO_CREDITS, or CONFORM_TOKEN_READ for read endpoints)")
				}
				record(got[name]...)
				judge(got[name], match.BeError(match.ErrorExpectation{Status: 422}))
			},
			entries...,
		)
	})
}
