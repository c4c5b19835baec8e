package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
)

// describeValidation registers one 422 entry per invalid body of the profile.
// Each is sent with a token whose scope allows the endpoint, so that only the
// body is wrong; POSTs rotate across tokens to stay within their limits.
func describeValidation() {
	var entries []TableEntry
	for _, b := range profile().InvalidBodies {
		e := endpoint(b.Endpoint)
		entries = append(entries, Entry(b.Name+" on "+e.Method+" "+e.Path, b))
	}
	checkTable("VALIDATION-422",
		func(ctx SpecContext, b fixtures.InvalidBody) {
			e := endpoint(b.Endpoint)
			roles := readRoles()
			if e.Scope == "read_write" {
				roles = writeRoles()
			}
			cred, ok := pickToken(e, roles...)
			if !ok {
				Skip("no token with the " + e.Scope + " scope is set (CONFORM_TOKEN_READ_WRITE or CONFORM_TOKEN_NO_CREDITS)")
			}
			r := request(e, bearer(cred), cred)
			r.Body = b.Bytes()
			judge(sendOne(ctx, r), match.BeError(match.ErrorExpectation{Status: 422}))
		},
		entries...,
	)
}
