package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeScope registers INSUFFICIENT_SCOPE and its negative control.
func describeScope() {
	check("SCOPE-INSUFFICIENT", func(ctx SpecContext) {
		cred := token(RoleRead)
		var reqs []probe.Request
		for _, e := range endpointsWithScope("read_write") {
			reqs = append(reqs, request(e, bearer(cred), cred))
		}
		if len(reqs) == 0 {
			Skip("the profile has no read_write endpoint")
		}
		judge(send(ctx, reqs...), match.BeError(match.ErrorExpectation{
			Status:  403,
			Code:    "INSUFFICIENT_SCOPE",
			Details: map[string]string{"token_scope": "read", "required": "read_write"},
		}))
	})

	check("SCOPE-READ-ACCEPTED", func(ctx SpecContext) {
		cred := token(RoleRead)
		var reqs []probe.Request
		for _, e := range endpointsWithScope("read") {
			reqs = append(reqs, request(e, bearer(cred), cred))
		}
		if len(reqs) == 0 {
			Skip("the profile has no read endpoint")
		}
		judge(send(ctx, reqs...), match.BeAccepted())
	})
}
