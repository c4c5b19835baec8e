package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
)

// describeNotFound registers the 404 for unknown ids, one entry per endpoint
// of the profile's not_found list.
func describeNotFound() {
	var entries []TableEntry
	for _, id := range profile().NotFound {
		e := endpoint(id)
		entries = append(entries, Entry(e.Method+" "+e.Path, id))
	}
	checkTable("NOTFOUND-UNKNOWN-ID",
		func(ctx SpecContext, id string) {
			e := endpoint(id)
			cred, ok := pickToken(e, readRoles()...)
			if !ok {
				Skip("none of CONFORM_TOKEN_READ, CONFORM_TOKEN_READ_WRITE, CONFORM_TOKEN_NO_CREDITS is set")
			}
			judge(sendOne(ctx, request(e, bearer(cred), cred)), match.BeError(match.ErrorExpectation{Status: 404}))
		},
		entries...,
	)
}
