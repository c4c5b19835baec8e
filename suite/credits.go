package suite

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// describeCredits provokes insufficient_balance with the zero-credit token
// and watches GET /credits around it.
func describeCredits() {
	Describe("insufficient credits", Ordered, func() {
		var before, refused, after probe.Exchange
		BeforeAll(func(ctx SpecContext) {
			cred := token(RoleNoCredits)
			balance := request(endpoint(profile().Credits.BalanceEndpoint), bearer(cred), cred)
			before = do(ctx, balance)
			c, ok := match.ParseCredits(before)
			switch {
			case !ok:
				Skip(fmt.Sprintf("GET %s with %s did not show a balance (%s); without a known zero balance, the export probe could be charged", endpoint(profile().Credits.BalanceEndpoint).Path, TokenVar(RoleNoCredits), before.Outcome()))
			case *c.Balance > 0:
				Skip(fmt.Sprintf("the workspace of %s has a balance of %d credits; these checks need a workspace with none, and would otherwise create a charged export", TokenVar(RoleNoCredits), *c.Balance))
			}
			create := request(endpoint(profile().Credits.ExportEndpoint), bearer(cred), cred)
			create.Body = profile().Credits.ChargeableBody
			refused = do(ctx, create)
			after = do(ctx, balance)
		})

		check("CREDITS-INSUFFICIENT", func(ctx SpecContext) {
			record(refused)
			judge(refused, match.BeError(match.ErrorExpectation{Status: 402, Code: "insufficient_balance"}))
		})

		check("CREDITS-NO-CHARGE", func(ctx SpecContext) {
			record(before, refused, after)
			judge(match.Around{Before: before, Actions: []probe.Exchange{refused}, After: after}, match.LeaveCreditsUnchanged())
		})
	})
}
