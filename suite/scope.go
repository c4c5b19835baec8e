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
	sw := &scopeSweep{r: r}
	sw.insufficient = drivenCheck("SCOPE-INSUFFICIENT", "", sw.judgeInsufficient, nil)
	// A read token that creates or charges breaks the scope model, whatever
	// status it got: a MUST of the authentication and credits pages.
	sw.noCharge = drivenCheck("SCOPE-NO-CHARGE", "", sw.judgeNoCharge, nil).
		at(r.readingLevel(r.profile().Readings.ReadTokenCharges, report.Must))
	// On the other operations, "a 403 changes nothing" is RFC 9110's SHOULD.
	sw.noSideEffect = drivenCheck("SCOPE-NO-SIDE-EFFECT", "", sw.judgeNoSideEffect, nil)
	f := &family{name: "insufficient scope", specs: []*spec{sw.insufficient, sw.noCharge, sw.noSideEffect}, sweepsOperations: true}
	f.budget, f.setup = sw.budget, sw.setup
	return f
}

// scopeSweep is the read token's sweep of the read_write operations, and
// what it saw.
type scopeSweep struct {
	r                                    *run
	insufficient, noCharge, noSideEffect *spec

	before, after  probe.Exchange   // the reads of the credits around the sweep
	refused        []probe.Exchange // the sweep's answers
	charged, other []probe.Exchange // of refused: to charged operations, to the others
	none           string           // why there is nothing to refuse
}

func (sw *scopeSweep) judgeInsufficient(_ context.Context, s *spec) {
	if sw.none != "" {
		s.skip(sw.none)
	}
	s.judge(sw.refused, match.BeError(match.ErrorExpectation{
		Status:  403,
		Code:    "INSUFFICIENT_SCOPE",
		Details: map[string]string{"token_scope": "read", "required": "read_write"},
	}))
}

func (sw *scopeSweep) judgeNoCharge(_ context.Context, s *spec) {
	if len(sw.charged) == 0 {
		s.skip("no charged operation needs the read_write scope")
	}
	judgeAround(s, match.Around{Before: sw.before, Actions: sw.charged, After: sw.after})
}

func (sw *scopeSweep) judgeNoSideEffect(_ context.Context, s *spec) {
	if len(sw.other) == 0 {
		s.skip("no read_write operation besides the charged ones (SCOPE-NO-CHARGE covers those)")
	}
	judgeAround(s, match.Around{Before: sw.before, Actions: sw.other, After: sw.after})
}

// refusable are the requests the read token sends, and which are to
// charged operations.
func (sw *scopeSweep) refusable() (reqs []probe.Request, isCharged []bool) {
	for _, e := range sw.r.operationsWithScope("read_write") {
		if destructive(e.Method) {
			continue // a server that ignored the scope would carry out the write
		}
		reqs = append(reqs, sw.r.as(e, probe.RoleRead))
		isCharged = append(isCharged, e.Charged)
	}
	return reqs, isCharged
}

// watches says whether the credits are read around the sweep: a check
// that judges what it changed runs.
func (sw *scopeSweep) watches(runnable []*spec) bool {
	return slices.Contains(runnable, sw.noCharge) || slices.Contains(runnable, sw.noSideEffect)
}

// credits is the read of the balance around the sweep.
func (sw *scopeSweep) credits() probe.Request {
	return sw.r.as(sw.r.endpoint(sw.r.profile().Credits.BalanceEndpoint), probe.RoleRead)
}

func (sw *scopeSweep) budget(runnable []*spec) []probe.Request {
	reqs, _ := sw.refusable()
	if len(reqs) > 0 && sw.watches(runnable) {
		credits := sw.credits()
		reqs = append(reqs, credits, credits)
	}
	return reqs
}

func (sw *scopeSweep) setup(ctx context.Context, runnable []*spec) {
	if len(runnable) == 0 {
		return
	}
	r := sw.r
	r.findMissing(ctx)
	reqs, isCharged := sw.refusable()
	if len(reqs) == 0 {
		sw.none = "no GET or POST operation needs the read_write scope"
		return
	}
	watch := sw.watches(runnable)
	// Each on a connection of its own: a read of the credits must not
	// queue behind a request the server is still working on.
	credits := sw.credits()
	credits.FreshConnection = true
	for i := range reqs {
		reqs[i].FreshConnection = watch
	}
	if watch {
		sw.before = r.do(ctx, credits)
	}
	sw.refused = r.doAll(ctx, reqs...)
	if watch {
		sw.after = r.do(ctx, credits)
	}
	for i, ex := range sw.refused {
		if isCharged[i] {
			sw.charged = append(sw.charged, ex)
		} else {
			sw.other = append(sw.other, ex)
		}
	}
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
	probes := func() []probe.Request {
		var reqs []probe.Request
		for _, e := range r.operationsWithScope("read") {
			reqs = append(reqs, r.as(e, probe.RoleRead))
		}
		return reqs
	}
	f := newFamily("read scope", arrivingCheck("SCOPE-READ-ACCEPTED", "", probes, match.BeAccepted, "no operation needs only the read scope"))
	f.sweepsOperations = true
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
