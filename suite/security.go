package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeSecurity registers the SHOULD-level checks of what a refused
// request may reveal or change.
func describeSecurity() {
	check("SECURITY-NO-LEAK", func(ctx SpecContext) {
		// Provoke refusals that present tokens, then look at every error
		// response of the run so far: an echoed token shows up as its
		// $CONFORM_TOKEN_… name, since the probe redacts known values.
		unknown := "cornect_" + randomHex(16)
		reqs := []probe.Request{request(endpoint(profile().Credits.BalanceEndpoint), probe.Header("Bearer "+unknown), probe.Credential{})}
		for _, role := range []string{RoleExpired, RoleRevoked, RoleNonMember} {
			if hasToken(role) {
				cred := token(role)
				reqs = append(reqs, request(endpoint(profile().Credits.BalanceEndpoint), bearer(cred), cred))
			}
		}
		send(ctx, reqs...)
		judgeShould(seen(), match.NotLeak(unknown))
	})
}
