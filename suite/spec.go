package suite

import (
	"context"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// A spec is one check, or one variant of it, of one of four kinds, each
// made by its constructor with only the fields it uses:
//
//   - batchCheck: its probes go out as one batch, in the run's schedule
//     (schedule.go), and it judges what came back.
//   - arrivingCheck (and authCheck, its form for the authentication
//     checks): its probes go out in a batch too, each judged by its
//     matcher the moment it arrives, so a sweep of thousands is never held
//     whole; the body settles the verdict (judgeArrived).
//   - drivenCheck: its family's setup drives the target through states (an
//     export not ready yet, a workspace without credits, a token past its
//     limit), or its body sends requests of its own one step after another,
//     and the body judges what it saw.
//   - acrossRunCheck: it judges the exchanges of the run up to it in plan
//     order (seenUpTo), or watches each as it arrives (watch), beside
//     what its own probes provoke.
//
// A spec's body decides it with judge, violate, skip or inconclusive; its
// family (family.go) registers it in the Ginkgo tree. Its node waits for
// the units of the schedule whose answers it judges (await).
type spec struct {
	check   Check
	variant string   // the table entry's text; "" for a check without variants
	labels  []string // the variant's labels, besides the check's
	needs   []Need
	kind    kind
	// body judges the check.
	body func(ctx context.Context, s *spec)

	// probes (batched, arriving and across-run kinds) are the requests the
	// run's schedule sends for it, in a batch of its own or in its family's
	// setup (sendBatch); got holds what came back (of an arriving spec,
	// what a report keeps of it).
	probes func() []probe.Request
	got    []probe.Exchange
	// each (arriving kind) is the matcher of one exchange; arrived are its
	// judgements (arrive).
	each    func() types.GomegaMatcher
	mu      sync.Mutex
	arrived []arrival
	// failAuth (authCheck) builds its probe of one operation: a request
	// that must fail authentication (authPlan).
	failAuth func(e fixtures.Endpoint) probe.Request
	// budget (driven kind), for the plan (Budget) and the schedule's
	// footprints, is what its body sends against a conforming target.
	budget func() []probe.Request
	// watch (across-run kind), when set, hears of every exchange of the
	// run as it arrives, from the request's goroutine (seenOf).
	watch func(ex probe.Exchange)

	run    *run
	family *family
	// Decided by the plan.
	selected bool
	missing  string // the tokens it lacks, as a skip reason
	// The result.
	res     report.Check
	decided bool
	seqs    map[int64]int // exchange sequence → index in res.Exchanges
}

// kind is how a spec gets what it judges (see spec).
type kind int

const (
	batched kind = iota
	arriving
	driven
	acrossRun
)

// newSpec is what every kind of spec has: a catalogue check, the variant
// and its needs (besides the check's), and the body that judges it.
func newSpec(id, variant string, k kind, body func(ctx context.Context, s *spec), needs ...Need) *spec {
	c := lookup(id)
	return &spec{check: c, variant: variant, kind: k, needs: append(slices.Clone(c.Needs), needs...), body: body}
}

// batchCheck is a check whose probes its family's batch sends; judge
// decides it from what came back, in request order.
func batchCheck(id, variant string, probes func() []probe.Request, judge func(ctx context.Context, s *spec, got []probe.Exchange), needs ...Need) *spec {
	s := newSpec(id, variant, batched, func(ctx context.Context, s *spec) { judge(ctx, s, s.got) }, needs...)
	s.probes = probes
	return s
}

// arrivingCheck is a check whose probes its family's batch sends, each
// judged by each as it arrives. none, when set, is why it is skipped when
// it had nothing to send.
func arrivingCheck(id, variant string, probes func() []probe.Request, each func() types.GomegaMatcher, none string, needs ...Need) *spec {
	s := newSpec(id, variant, arriving, func(_ context.Context, s *spec) {
		if none != "" && len(s.got) == 0 {
			s.skip(none)
		}
		s.judgeArrived()
	}, needs...)
	s.probes, s.each = probes, each
	return s
}

// drivenCheck is a check its family's setup brings the target into a
// state for, or that sends requests of its own in its body; budget is
// what is sent for it, by the body or beyond the family's budget by the
// setup, against a conforming target (nil: nothing). The plan counts it,
// and the schedule reads it for the setup's footprint.
func drivenCheck(id, variant string, body func(ctx context.Context, s *spec), budget func() []probe.Request, needs ...Need) *spec {
	s := newSpec(id, variant, driven, body, needs...)
	s.budget = budget
	return s
}

// acrossRunCheck is a check that judges the exchanges of the run up to it
// in plan order (seenUpTo): only those it finds fault with become its
// evidence, beside what its own probes provoke (probes, sent in the run's
// schedule like a batch check's; nil: none). watch, when set, hears of
// every exchange of the run as it arrives, whole, from the request's
// goroutine.
func acrossRunCheck(id string, body func(ctx context.Context, s *spec), probes func() []probe.Request, watch func(ex probe.Exchange)) *spec {
	s := newSpec(id, "", acrossRun, body)
	s.probes, s.watch = probes, watch
	return s
}

// at puts the check at the level a profile reading asks for (readingLevel).
func (s *spec) at(level report.Level) *spec {
	s.check.Level = level
	return s
}

// labeled adds labels to the variant.
func (s *spec) labeled(labels ...string) *spec {
	s.labels = append(s.labels, labels...)
	return s
}

// fullText is the spec's text as Ginkgo's --focus and --skip see it.
func (s *spec) fullText() string {
	parts := []string{suiteDescription, topContainer}
	if s.family.name != "" {
		parts = append(parts, s.family.name)
	}
	parts = append(parts, s.check.Text())
	if s.variant != "" {
		parts = append(parts, s.variant)
	}
	return strings.Join(parts, " ")
}

// ownText is the spec's text from its check ID on.
func (s *spec) ownText() string {
	if s.variant == "" {
		return s.check.Text()
	}
	return s.check.Text() + " " + s.variant
}

// allLabels are the check's labels and the variant's.
func (s *spec) allLabels() []string {
	return append(slices.Clone(s.check.Labels), s.labels...)
}

// execute is the body Ginkgo runs for the spec.
func (s *spec) execute(nodeCtx SpecContext) {
	start := s.run.clock.Now()
	defer func() { s.res.Duration = s.run.clock.Now().Sub(start) }()
	// Deferred: a spec that ends with Skip (skipped, inconclusive, not run)
	// unwinds through here, and its evidence is trimmed all the same.
	defer s.trimEvidence()
	s.run.guard(nodeCtx, func(ctx context.Context) {
		// A run that stopped leaves the spec not run, token or not; await
		// says so once the units that write its exchanges are done.
		if s.run.stopReason() != "" {
			s.run.await(ctx, s)
		}
		if s.missing != "" {
			s.stop(report.Skipped, report.SkipMissingToken, s.missing)
		}
		s.run.await(ctx, s)
		s.body(withOrigin(ctx, s.run.origins[s]), s)
	})
	if s.res.Status == report.Failed {
		Fail(s.result().Explanation(), 1) // for Ginkgo's own output; the result is already recorded
	}
}

// settle records an outcome that is final. A verdict already more urgent
// (a failure found by an earlier judgement of the same check) stands: what
// came after it is added to the reason, never put in its place.
func (s *spec) settle(status report.Status, kind report.SkipKind, reason string) {
	if s.decided && report.Worse(s.res.Status, status) {
		if reason != "" {
			s.res.Reason = strings.TrimSpace(s.res.Reason + "\n" + "and then: " + reason)
		}
		return
	}
	s.res.Status, s.res.Skip, s.res.Reason = status, kind, reason
	s.decided = true
}

// violate records a violation of a rule the spec judged itself, on one of
// its exchanges, and fails the check (warns, for a SHOULD not under
// --strict) with reason.
func (s *spec) violate(ex probe.Exchange, rule, where, message, reason string) {
	s.record(ex)
	s.res.Violations = append(s.res.Violations, report.Violation{
		Exchange: s.seqs[ex.Seq], Operation: probe.OperationKey(ex.Method, ex.Path), Role: ex.Role,
		Rule: rule, Where: where, Message: message,
	})
	s.settle(s.badStatus(), "", reason)
}

// badStatus is the status of a broken rule at the check's level.
func (s *spec) badStatus() report.Status {
	if s.check.Level == report.Should && !s.run.cfg.Strict {
		return report.Warning
	}
	return report.Failed
}

// stop records an outcome without a verdict and ends the spec.
func (s *spec) stop(status report.Status, kind report.SkipKind, reason string) {
	s.settle(status, kind, reason)
	Skip(reason)
}

// skip ends the spec as not applicable to this target.
func (s *spec) skip(reason string) { s.stop(report.Skipped, report.SkipNotApplicable, reason) }

// inconclusive ends the spec: the target could not be brought into the
// state the check needs.
func (s *spec) inconclusive(why string) { s.stop(report.Inconclusive, "", why) }

// record keeps exchanges as the spec's evidence, each once.
func (s *spec) record(exs ...probe.Exchange) {
	if s.seqs == nil {
		s.seqs = map[int64]int{}
	}
	for _, ex := range exs {
		if _, ok := s.seqs[ex.Seq]; ok {
			continue
		}
		s.seqs[ex.Seq] = len(s.res.Exchanges)
		s.res.Exchanges = append(s.res.Exchanges, ex)
	}
}

// result is the spec's report.Check.
func (s *spec) result() report.Check {
	c := s.res
	c.ID, c.Variant, c.Title, c.Level = s.check.ID, s.variant, s.check.Title, s.check.Level
	c.Sentence, c.Source, c.Labels, c.Since = s.check.Sentence, s.check.Source, s.allLabels(), s.check.Since
	return c
}
