package suite

import (
	"context"
	"slices"
	"strings"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// scopeFamily registers INSUFFICIENT_SCOPE and what the refusal may not
// change. The read token's requests are sent once, between two reads of
// GET /credits, so a server that charges before it refuses is seen on the
// first attempt (a second would be a free re-export).
func (r *run) scopeFamily() *family {
	var before, after probe.Exchange
	var refused []probe.Exchange
	var charged, other []probe.Exchange // of refused: to charged endpoints, to the others
	var none string                     // why there is nothing to refuse

	insufficient := newSpec("SCOPE-INSUFFICIENT", "", func(_ context.Context, s *spec) {
		if none != "" {
			s.skip(none)
		}
		s.judge(refused, match.BeError(match.ErrorExpectation{
			Status:  403,
			Code:    "INSUFFICIENT_SCOPE",
			Details: map[string]string{"token_scope": "read", "required": "read_write"},
		}))
	})
	// A read token that creates or charges breaks the scope model, whatever
	// status it got: a MUST of the authentication and credits pages.
	noCharge := newSpec("SCOPE-NO-CHARGE", "", func(_ context.Context, s *spec) {
		if len(charged) == 0 {
			s.skip("no charged operation needs the read_write scope")
		}
		judgeAround(s, match.Around{Before: before, Actions: charged, After: after})
	})
	noCharge.check.Level = r.readingLevel(r.profile().Readings.ReadTokenCharges, report.Must)
	// On the other operations, "a 403 changes nothing" is RFC 9110's SHOULD.
	noSideEffect := newSpec("SCOPE-NO-SIDE-EFFECT", "", func(_ context.Context, s *spec) {
		if len(other) == 0 {
			s.skip("no read_write operation besides the charged ones (SCOPE-NO-CHARGE covers those)")
		}
		judgeAround(s, match.Around{Before: before, Actions: other, After: after})
	})

	f := &family{name: "insufficient scope", specs: []*spec{insufficient, noCharge, noSideEffect}}
	// refusable are the requests the read token sends, and which are to
	// charged operations.
	refusable := func() (reqs []probe.Request, isCharged []bool) {
		for _, e := range r.operationsWithScope("read_write") {
			if destructive(e.Method) {
				continue // a server that ignored the scope would carry out the write
			}
			reqs = append(reqs, r.as(e, probe.RoleRead))
			isCharged = append(isCharged, e.Charged)
		}
		return reqs, isCharged
	}
	watches := func(runnable []*spec) bool {
		return slices.Contains(runnable, noCharge) || slices.Contains(runnable, noSideEffect)
	}
	f.budget = func(runnable []*spec) []probe.Request {
		reqs, _ := refusable()
		if len(reqs) > 0 && watches(runnable) {
			credits := r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleRead)
			reqs = append(reqs, credits, credits)
		}
		return reqs
	}
	for _, s := range f.specs {
		s.sweepsOperations = true
	}
	f.setup = func(ctx context.Context, runnable []*spec) {
		if len(runnable) == 0 {
			return
		}
		r.findMissing(ctx)
		reqs, isCharged := refusable()
		if len(reqs) == 0 {
			none = "no GET or POST operation needs the read_write scope"
			return
		}
		watch := watches(runnable)
		// Each on a connection of its own: a read of the credits must not
		// queue behind a request the server is still working on.
		credits := r.as(r.endpoint(r.profile().Credits.BalanceEndpoint), probe.RoleRead)
		credits.FreshConnection = true
		for i := range reqs {
			reqs[i].FreshConnection = watch
		}
		if watch {
			before = r.do(ctx, credits)
		}
		refused = r.doAll(ctx, reqs...)
		if watch {
			after = r.do(ctx, credits)
		}
		for i, ex := range refused {
			if isCharged[i] {
				charged = append(charged, ex)
			} else {
				other = append(other, ex)
			}
		}
	}
	return f
}

// judgeAround judges what requests between two reads of the credits
// changed; without both reads there is nothing to compare.
func judgeAround(s *spec, around match.Around) {
	if ok, why := around.Observable(); !ok {
		s.record(around.Before, around.After)
		s.inconclusive(why + "; without both reads no charge can be seen")
	}
	if ops := unanswered(around.Actions); len(ops) > 0 {
		s.record(around.Actions...)
		s.inconclusive("no answer to " + strings.Join(ops, ", ") + ": whether the request was refused cannot be told, and the server may act on it after the second read of the credits")
	}
	s.judge(around, match.LeaveCreditsUnchanged())
}

// unanswered names the operations of exchanges that got no response.
func unanswered(exs []probe.Exchange) []string {
	var ops []string
	for _, ex := range exs {
		if ex.Status == 0 {
			ops = append(ops, probe.OperationKey(ex.Method, ex.Path))
		}
	}
	return ops
}

// readAcceptedFamily is the negative control of INSUFFICIENT_SCOPE: a read
// token on every read operation.
func (r *run) readAcceptedFamily() *family {
	s := newSpec("SCOPE-READ-ACCEPTED", "", func(_ context.Context, s *spec) {
		if len(s.got) == 0 {
			s.skip("no operation needs only the read scope")
		}
		s.judgeArrived()
	})
	s.each = match.BeAccepted
	s.probes = func() []probe.Request {
		var reqs []probe.Request
		for _, e := range r.operationsWithScope("read") {
			reqs = append(reqs, r.as(e, probe.RoleRead))
		}
		return reqs
	}
	s.sweepsOperations = true
	f := newFamily("read scope", s)
	f.setup = func(ctx context.Context, runnable []*spec) {
		if len(runnable) > 0 {
			r.findMissing(ctx)
		}
		f.sendBatch(ctx, runnable)
	}
	return f
}

// destructive methods are left out of the scope sweep: against a server
// that does not enforce scopes, the read token's request would change or
// delete data.
func destructive(method string) bool {
	return method == "DELETE" || method == "PUT" || method == "PATCH"
}

// readingLevel is the level a profile reading asks for, or def.
func (r *run) readingLevel(reading string, def report.Level) report.Level {
	switch reading {
	case "must":
		return report.Must
	case "should":
		return report.Should
	}
	return def
}
