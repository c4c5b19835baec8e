package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeAuth registers the 401 checks of the Errors page: each provokes
// its code on every endpoint of the profile.
func describeAuth() {
	check("AUTH-MISSING", func(ctx SpecContext) {
		exs := send(ctx, everyOperation(nil, probe.Credential{})...)
		judge(exs, match.BeError(match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"}))
	})

	checkTable("AUTH-FORMAT",
		func(ctx SpecContext, header func() string) {
			exs := send(ctx, everyOperation(probe.Header(header()), probe.Credential{})...)
			judge(exs, match.BeError(match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN_FORMAT"}))
		},
		Entry("Basic scheme", func() string { return "Basic Y29uZm9ybTpjb25mb3Jt" }),
		Entry("Bearer without credentials", func() string { return "Bearer" }),
		Entry("bearer token without the cornect_ prefix", func() string { return "Bearer " + randomHex(16) }),
		Entry("cornect_ token without a scheme", func() string { return "cornect_" + randomHex(16) }),
		Entry("empty header value", func() string { return "" }),
	)

	check("AUTH-UNKNOWN", func(ctx SpecContext) {
		exs := send(ctx, everyOperation(probe.Header("Bearer cornect_"+randomHex(16)), probe.Credential{})...)
		judge(exs, match.BeError(match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN"}))
	})

	tokenState := func(role, code string) func(ctx SpecContext) {
		return func(ctx SpecContext) {
			cred := token(role)
			exs := send(ctx, everyOperation(bearer(cred), cred)...)
			judge(exs, match.BeError(match.ErrorExpectation{Status: 401, Code: code}))
		}
	}
	check("AUTH-REVOKED", tokenState(RoleRevoked, "INVALID_TOKEN"))
	check("AUTH-EXPIRED", tokenState(RoleExpired, "TOKEN_EXPIRED"))
	check("AUTH-UNBOUND", tokenState(RoleUnbound, "TOKEN_NOT_WORKSPACE_BOUND"))
	check("AUTH-NON-MEMBER", tokenState(RoleNonMember, "NOT_WORKSPACE_MEMBER"))
}
