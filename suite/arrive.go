package suite

import (
	"slices"
	"sort"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Judging a sweep as it arrives. A batch of thousands of probes (a sweep
// of a large OpenAPI document, against a target that answers each with
// kilobytes) must not be held whole until its check judges it: each probe
// of a spec with a matcher for one exchange (spec.each) is judged the
// moment its answer arrives, and only what a report keeps of it stays —
// cut for evidence when it broke a rule, a summary when it did not. The
// spec's body then settles the verdict from those judgements, in request
// order, as judge would have from the whole batch.

// arrival is one probe judged as it arrived.
type arrival struct {
	index    int            // the request's place in its batch
	ex       probe.Exchange // as kept
	v        verdict        // of this exchange alone
	evidence bool           // it broke a rule and keeps its evidence
}

// arrive judges one of the spec's probes with spec.each and returns what
// is kept of it: cut for evidence when it broke a rule (as trimEvidence
// would keep it: the failingEvidence first of the batch, a summary past
// them), a summary when it did not. Safe to call from the request's
// goroutine.
func (s *spec) arrive(i int, ex probe.Exchange) probe.Exchange {
	v := assess(s.check.Level, s.run.cfg.Strict, []probe.Exchange{ex}, ex, s.each())
	failing := len(v.findings) > 0 || v.err != nil || ex.Throttled || ex.Overloaded
	s.mu.Lock()
	defer s.mu.Unlock()
	kept, slot := ex.Summary(), false
	switch {
	case failing && s.failAuth != nil && ex.Status == 404 && !s.run.profileKnows()[probe.OperationKey(ex.Method, ex.Path)]:
		// Perhaps an operation not at the base URL, which leaveOutMissing
		// takes out of the auth checks after their batch: it must not take
		// the place of a failure that stays. trimEvidence keeps the first
		// failingEvidence in the end. (The other sweeps leave those
		// operations out before they send.)
		kept = ex.ForEvidence().Detached()
	case failing && s.keepEvidence(i):
		kept, slot = ex.ForEvidence().Detached(), true
	case failing:
		kept = ex.SummaryOf(probe.PastEvidenceCap)
	}
	v = v.about(kept)
	s.arrived = append(s.arrived, arrival{index: i, ex: kept, v: v, evidence: slot})
	return kept
}

// keepEvidence says whether the failing probe i of the batch keeps its
// evidence: those of the failingEvidence lowest indexes do, whatever the
// order they arrive in; one that falls out of them becomes a summary.
// Called with s.mu held.
func (s *spec) keepEvidence(i int) bool {
	kept, last := 0, -1
	for j, a := range s.arrived {
		if a.evidence {
			kept++
			if last < 0 || a.index > s.arrived[last].index {
				last = j
			}
		}
	}
	if kept < failingEvidence {
		return true
	}
	if s.arrived[last].index < i {
		return false
	}
	a := &s.arrived[last]
	a.ex, a.evidence = a.ex.SummaryOf(probe.PastEvidenceCap), false
	a.v = a.v.about(a.ex)
	return true
}

// judgeArrived settles the verdict of the probes judged as they arrived,
// as judge does over exchanges held whole.
func (s *spec) judgeArrived() {
	if reason := s.run.stopReason(); reason != "" {
		s.stop(report.NotRun, "", "not completed: the run stopped ("+reason+")")
	}
	s.mu.Lock()
	arrived := slices.Clone(s.arrived)
	s.mu.Unlock()
	sort.SliceStable(arrived, func(i, j int) bool { return arrived[i].index < arrived[j].index })
	all := verdict{status: report.Passed}
	exs := make([]probe.Exchange, 0, len(arrived))
	for _, a := range arrived {
		exs = append(exs, a.ex)
		all = all.and(a.v)
	}
	s.record(exs...)
	s.conclude(all, len(exs))
}
