package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeNotFound registers the 404 for unknown ids, one entry per endpoint
// of the profile's not_found list, sent as one batch.
func describeNotFound() {
	Describe("unknown ids", Ordered, func() {
		var got map[string][]probe.Exchange
		BeforeAll(func(ctx SpecContext) {
			var b batch
			for _, id := range profile().NotFound {
				e := endpoint(id)
				if !wants("NOTFOUND-UNKNOWN-ID", e.Method+" "+e.Path) {
					continue
				}
				if cred, ok := pickToken(e, readRoles()...); ok {
					b.add(id, request(e, bearer(cred), cred))
				}
			}
			got = b.send(ctx)
		})
		var entries []TableEntry
		for _, id := range profile().NotFound {
			e := endpoint(id)
			entries = append(entries, Entry(e.Method+" "+e.Path, id))
		}
		checkTable("NOTFOUND-UNKNOWN-ID",
			func(ctx SpecContext, id string) {
				if len(got[id]) == 0 {
					Skip("none of CONFORM_TOKEN_READ, CONFORM_TOKEN_READ_WRITE, CONFORM_TOKEN_NO_CREDITS is set")
				}
				record(got[id]...)
				judge(got[id], match.BeError(match.ErrorExpectation{Status: 404}))
			},
			entries...,
		)
	})
}
