package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/fixtures"
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
				if !wants("VALIDATION-422", body.Name+" on "+e.Method+" "+e.Path, chargeLabels(e)...) {
					continue
				}
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
			args := []any{body, e.Scope}
			if labels := chargeLabels(e); len(labels) > 0 {
				args = append(args, Label(labels...))
			}
			entries = append(entries, Entry(body.Name+" on "+e.Method+" "+e.Path, args...))
		}
		checkTable("VALIDATION-422",
			func(ctx SpecContext, body fixtures.InvalidBody, scope string) {
				if len(got[body.Name]) == 0 {
					Skip("no token with the " + scope + " scope is set (CONFORM_TOKEN_READ_WRITE or CONFORM_TOKEN_NO_CREDITS, or CONFORM_TOKEN_READ for read endpoints)")
				}
				statuses := body.Expected()
				record(got[body.Name]...)
				judge(got[body.Name], match.BeError(match.ErrorExpectation{Status: statuses[0], OrStatus: statuses[1:]}))
			},
			entries...,
		)
	})
}

// chargeLabels labels a probe of a charged endpoint: a server that accepted
// the body would create a charged export.
func chargeLabels(e fixtures.Endpoint) []string {
	if e.Charged {
		return []string{"charges"}
	}
	return nil
}
