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
	w := &zeroBalance{r: r}
	w.insufficient = drivenCheck("CREDITS-INSUFFICIENT", "", w.judgeInsufficient, nil)
	w.noCharge = drivenCheck("CREDITS-NO-CHARGE", "", w.judgeNoCharge, nil)
	f := &family{name: "insufficient credits", specs: []*spec{w.insufficient, w.noCharge}}
	f.budget = func([]*spec) []probe.Request { return []probe.Request{w.balance(), w.create(), w.balance()} }
	f.setup = w.setup
	return f
}

// zeroBalance is the export the zero-credit token tries, between two reads
// of its balance, and what they showed.
type zeroBalance struct {
	r                      *run
	insufficient, noCharge *spec

	before, refused, after  probe.Exchange
	notReady, notApplicable string
	theirs                  *probe.Exchange // the READ_WRITE token's balance, when the zero-credit workspace had credits
}

// balance reads the zero-credit token's balance, on a connection of its
// own: the reads must not queue behind the export they watch.
func (w *zeroBalance) balance() probe.Request {
	q := w.r.as(w.r.endpoint(w.r.profile().Credits.BalanceEndpoint), probe.RoleNoCredits)
	q.FreshConnection = true
	return q
}

// create is the chargeable export the zero-credit token tries.
func (w *zeroBalance) create() probe.Request {
	q := w.r.as(w.r.endpoint(w.r.profile().Credits.ExportEndpoint), probe.RoleNoCredits)
	q.Body = w.r.profile().Credits.ChargeableBody
	q.FreshConnection = true
	return q
}

// precondition ends the check when the workspace was not known to have
// no credits, so no export was tried.
func (w *zeroBalance) precondition(ctx context.Context, s *spec) {
	if w.notApplicable != "" {
		s.record(w.before)
		if w.theirs != nil {
			// The zero-credit token sees a workspace with credits: its
			// setup, or the target serving one answer to everyone?
			a, okA := match.ParseCredits(*w.theirs)
			b, okB := match.ParseCredits(w.before)
			if okA && okB && a.WorkspaceID != "" && a.WorkspaceID == b.WorkspaceID {
				s.sameWorkspace(ctx, a.WorkspaceID, *w.theirs, w.before)
			}
		}
		s.skip(w.notApplicable)
	}
	if w.notReady != "" {
		s.record(w.before)
		s.inconclusive(w.notReady)
	}
}

func (w *zeroBalance) judgeInsufficient(ctx context.Context, s *spec) {
	w.precondition(ctx, s)
	s.judge(w.refused, match.BeError(match.ErrorExpectation{Status: 402, Code: "insufficient_balance"}))
}

func (w *zeroBalance) judgeNoCharge(ctx context.Context, s *spec) {
	w.precondition(ctx, s)
	// An accepted export is a violation of its own: the contract says
	// no export is created for a workspace that cannot pay.
	judgeAround(s, match.Around{Before: w.before, Actions: []probe.Exchange{w.refused}, After: w.after})
}

func (w *zeroBalance) setup(ctx context.Context, runnable []*spec) {
	r := w.r
	if !slices.Contains(runnable, w.insufficient) && !slices.Contains(runnable, w.noCharge) {
		return
	}
	w.before = r.do(ctx, w.balance())
	c, ok := match.ParseCredits(w.before)
	switch {
	case !ok:
		w.notReady = fmt.Sprintf("GET %s with %s did not show a balance (%s); without a known zero balance, the export probe could be charged, so it was not sent",
			r.endpoint(r.profile().Credits.BalanceEndpoint).Path, probe.RoleNoCredits.Var(), w.before.Outcome())
		return
	case *c.Balance > 0:
		w.notApplicable = fmt.Sprintf("the workspace of %s has a balance of %d credits; these checks need a workspace with none, and would otherwise create a charged export",
			probe.RoleNoCredits.Var(), *c.Balance)
		if r.hasToken(probe.RoleReadWrite) {
			ex := r.do(ctx, r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleReadWrite))
			w.theirs = &ex
		}
		return
	}
	w.refused = r.do(ctx, w.create())
	w.after = r.do(ctx, w.balance())
}
