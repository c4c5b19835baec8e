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
	var theirs *probe.Exchange // the READ_WRITE token's balance, when the zero-credit workspace had credits

	precondition := func(ctx context.Context, s *spec) {
		if notApplicable != "" {
			s.record(before)
			if theirs != nil {
				// The zero-credit token sees a workspace with credits: its
				// setup, or the target serving one answer to everyone?
				a, okA := match.ParseCredits(*theirs)
				b, okB := match.ParseCredits(before)
				if okA && okB && a.WorkspaceID != "" && a.WorkspaceID == b.WorkspaceID {
					s.sameWorkspace(ctx, a.WorkspaceID, *theirs, before)
				}
			}
			s.skip(notApplicable)
		}
		if notReady != "" {
			s.record(before)
			s.inconclusive(notReady)
		}
	}
	insufficient := drivenCheck("CREDITS-INSUFFICIENT", "", func(ctx context.Context, s *spec) {
		precondition(ctx, s)
		s.judge(refused, match.BeError(match.ErrorExpectation{Status: 402, Code: "insufficient_balance"}))
	}, nil)
	noCharge := drivenCheck("CREDITS-NO-CHARGE", "", func(ctx context.Context, s *spec) {
		precondition(ctx, s)
		// An accepted export is a violation of its own: the contract says
		// no export is created for a workspace that cannot pay.
		judgeAround(s, match.Around{Before: before, Actions: []probe.Exchange{refused}, After: after})
	}, nil)

	f := &family{name: "insufficient credits", specs: []*spec{insufficient, noCharge}}
	// Each on a connection of its own: the reads of the balance must not
	// queue behind the export they watch.
	balance := func() probe.Request {
		q := r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleNoCredits)
		q.FreshConnection = true
		return q
	}
	create := func() probe.Request {
		q := r.as(r.endpoint(r.profile().Credits.ExportEndpoint), probe.RoleNoCredits)
		q.Body = r.profile().Credits.ChargeableBody
		q.FreshConnection = true
		return q
	}
	f.budget = func([]*spec) []probe.Request { return []probe.Request{balance(), create(), balance()} }
	f.setup = func(ctx context.Context, runnable []*spec) {
		if !slices.Contains(runnable, insufficient) && !slices.Contains(runnable, noCharge) {
			return
		}
		before = r.do(ctx, balance())
		c, ok := match.ParseCredits(before)
		switch {
		case !ok:
			notReady = fmt.Sprintf("GET %s with %s did not show a balance (%s); without a known zero balance, the export probe could be charged, so it was not sent",
				r.endpoint(r.profile().Credits.BalanceEndpoint).Path, probe.RoleNoCredits.Var(), before.Outcome())
			return
		case *c.Balance > 0:
			notApplicable = fmt.Sprintf("the workspace of %s has a balance of %d credits; these checks need a workspace with none, and would otherwise create a charged export",
				probe.RoleNoCredits.Var(), *c.Balance)
			if r.hasToken(probe.RoleReadWrite) {
				ex := r.do(ctx, r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleReadWrite))
				theirs = &ex
			}
			return
		}
		refused = r.do(ctx, create())
		after = r.do(ctx, balance())
	}
	return f
}
