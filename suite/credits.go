package suite

import (
	"context"
	"fmt"
	"slices"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// creditsFamily provokes insufficient_balance with the zero-credit token
// and watches GET /credits around it. The export is only tried once GET
// /credits has shown a zero balance: otherwise it could be charged.
func (r *run) creditsFamily() *family {
	var before, refused, after probe.Exchange
	var notReady, notApplicable string

	precondition := func(s *spec) {
		if notApplicable != "" {
			s.record(before)
			s.skip(notApplicable)
		}
		if notReady != "" {
			s.record(before)
			s.inconclusive(notReady)
		}
	}
	insufficient := newSpec("CREDITS-INSUFFICIENT", "", func(_ context.Context, s *spec) {
		precondition(s)
		s.judge(refused, match.BeError(match.ErrorExpectation{Status: 402, Code: "insufficient_balance"}))
	})
	noCharge := newSpec("CREDITS-NO-CHARGE", "", func(_ context.Context, s *spec) {
		precondition(s)
		// An accepted export is a violation of its own: the contract says
		// no export is created for a workspace that cannot pay.
		judgeAround(s, match.Around{Before: before, Actions: []probe.Exchange{refused}, After: after})
	})

	f := &family{name: "insufficient credits", specs: []*spec{insufficient, noCharge}}
	f.budget = func([]*spec) []probe.Request {
		balance := r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleNoCredits)
		return []probe.Request{balance, r.as(r.endpoint(r.profile().Credits.ExportEndpoint), probe.RoleNoCredits), balance}
	}
	f.setup = func(ctx context.Context, runnable []*spec) {
		if !slices.Contains(runnable, insufficient) && !slices.Contains(runnable, noCharge) {
			return
		}
		balance := r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleNoCredits)
		balance.FreshConnection = true // never queued behind the export it watches
		before = r.do(ctx, balance)
		c, ok := match.ParseCredits(before)
		switch {
		case !ok:
			notReady = fmt.Sprintf("GET %s with %s did not show a balance (%s); without a known zero balance, the export probe could be charged, so it was not sent",
				r.endpoint(r.profile().Credits.BalanceEndpoint).Path, probe.RoleNoCredits.Var(), before.Outcome())
			return
		case *c.Balance > 0:
			notApplicable = fmt.Sprintf("the workspace of %s has a balance of %d credits; these checks need a workspace with none, and would otherwise create a charged export",
				probe.RoleNoCredits.Var(), *c.Balance)
			return
		}
		create := r.as(r.endpoint(r.profile().Credits.ExportEndpoint), probe.RoleNoCredits)
		create.Body = r.profile().Credits.ChargeableBody
		create.FreshConnection = true
		refused = r.do(ctx, create)
		after = r.do(ctx, balance)
	}
	return f
}
