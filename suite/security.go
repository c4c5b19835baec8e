package suite

import (
	"context"
	"sync"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// securityFamily registers the SHOULD-level check of what a refused
// request may reveal.
func (r *run) securityFamily() *family {
	w := &leakWatch{r: r, verdicts: map[int64]verdict{}}
	// The unknown token is known from the start: every exchange of the run
	// is judged for it as it arrives.
	w.secret = "cornect_" + r.randomHex(16)
	w.notLeak = match.NotLeaking(w.secret)
	w.spec = acrossRunCheck("SECURITY-NO-LEAK", w.judge, w.refusals, w.watch)
	return newFamily("", w.spec)
}

// leakWatch is SECURITY-NO-LEAK: every exchange of the run is judged as it
// arrives, over the whole of its body and headers, which nothing else
// keeps; one it finds fault with is kept cut for evidence (the first
// failingEvidence of the run; a summary past them). Its own refusals go
// out in the run's schedule; once the checks before it have run, it
// settles the verdict from the judgements of the exchanges up to it.
type leakWatch struct {
	r       *run
	spec    *spec
	secret  string                     // the unknown token it presents
	notLeak func() types.GomegaMatcher // its matcher of one exchange

	mu       sync.Mutex
	verdicts map[int64]verdict // by exchange sequence number
	kept     int               // exchanges kept whole as evidence
}

// refusals are requests that present tokens and are refused: an echoed
// token shows up as its $CONFORM_TOKEN_… name, since the probe redacts
// known values, and the unknown one as itself.
func (w *leakWatch) refusals() []probe.Request {
	r := w.r
	e := r.endpoint(r.profile().Credits.BalanceEndpoint)
	reqs := []probe.Request{r.request(e, probe.Header("Bearer "+w.secret), probe.Credential{})}
	for _, role := range []probe.Role{probe.RoleExpired, probe.RoleRevoked, probe.RoleNonMember} {
		if r.hasToken(role) {
			reqs = append(reqs, r.as(e, role))
		}
	}
	return reqs
}

// watch judges one exchange of the run, from its request's goroutine.
func (w *leakWatch) watch(ex probe.Exchange) {
	v := assess(w.spec.check.Level, w.r.cfg.Strict, []probe.Exchange{ex}, ex, w.notLeak())
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(v.findings) > 0 {
		kept := ex.SummaryOf(probe.PastEvidenceCap)
		if w.kept < failingEvidence {
			w.kept++
			kept = ex.ForEvidence().Detached()
		}
		v = v.about(kept)
	}
	w.verdicts[ex.Seq] = v
}

// judge keeps its refusals (its probes, sent in the run's schedule) as
// evidence, then settles the verdict over every exchange of the run up to
// it in plan order (seenUpTo) that was answered: one request still rate
// limited or overloaded must not hide a leak elsewhere.
func (w *leakWatch) judge(_ context.Context, s *spec) {
	s.record(s.got...)
	if reason := w.r.stopReason(); reason != "" {
		s.stop(report.NotRun, "", "not completed: the run stopped ("+reason+")")
	}
	seen := w.r.seenUpTo(s)
	all, judged := verdict{status: report.Passed}, 0
	w.mu.Lock()
	for _, e := range seen {
		v, ok := w.verdicts[e.ex.Seq]
		if !ok || e.ex.Throttled || e.ex.Overloaded {
			continue
		}
		judged++
		all = all.and(v)
	}
	w.mu.Unlock()
	if judged == 0 {
		s.inconclusive("every exchange it would judge was still rate limited or overloaded when conform stopped waiting")
	}
	s.conclude(all, judged)
}
