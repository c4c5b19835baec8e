package suite

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// family is a group of specs with a setup they share: the probes of its
// specs sent at once, or a state to bring the target into.
type family struct {
	name  string // the container's text; "" registers the specs in the top container
	specs []*spec
	// setup runs once before the family's specs, given those that will run
	// (selected, tokens set). Nil: each spec's probes are sent as a batch
	// of their own (sendBatch), in the run's schedule (schedule.go).
	setup func(ctx context.Context, runnable []*spec)
	// batch says the setup sends the probes of its runnable specs.
	batch bool
	// budget, for the plan (Budget), is what else the setup sends.
	budget func(runnable []*spec) []probe.Request
}

// newFamily makes a family that sends the probes of its runnable specs,
// all at once, so a target 40 ms away costs one round trip per family
// instead of one per check. A family with more to do sets a setup that
// calls sendBatch.
func newFamily(name string, specs ...*spec) *family {
	return &family{name: name, specs: specs, batch: true}
}

// sendBatch sends the probes of specs as one concurrent batch.
func (f *family) sendBatch(ctx context.Context, specs []*spec) {
	reqs, owner := probesOf(specs)
	sendProbes(ctx, f.specs[0].run, reqs, owner)
}

// probesOf builds the probes of specs, in order, and says whose each is.
func probesOf(specs []*spec) (reqs []probe.Request, owner []*spec) {
	for _, s := range specs {
		if s.probes == nil {
			continue
		}
		for _, q := range s.probes() {
			reqs = append(reqs, q)
			owner = append(owner, s)
		}
	}
	return reqs, owner
}

// sendProbes sends built probes concurrently; each answer goes to its
// owner, judged on arrival when the owner has a matcher for one exchange.
func sendProbes(ctx context.Context, r *run, reqs []probe.Request, owner []*spec) {
	if len(reqs) == 0 {
		return
	}
	got := make([]probe.Exchange, len(reqs))
	r.doEach(ctx, reqs, func(i int, ex probe.Exchange) {
		if owner[i].each != nil {
			owner[i].arrive(i, ex)
			ex = ex.Summary() // the spec keeps its evidence
		}
		got[i] = ex
	})
	for i, ex := range got {
		owner[i].got = append(owner[i].got, ex)
	}
}

// sends says whether the family's batch sends anything: a spec with probes.
func (f *family) sends() bool {
	return slices.ContainsFunc(f.specs, func(s *spec) bool { return s.probes != nil })
}

// spec is one check, or one variant of it, and its result.
type spec struct {
	check   Check
	variant string   // the table entry's text; "" for a check without variants
	labels  []string // the variant's labels, besides the check's
	needs   []Need
	// probes, when set, are the requests its family's batch sends for it;
	// got holds what came back.
	probes func() []probe.Request
	got    []probe.Exchange
	// each, when set, is the matcher of one of its probes: they are judged
	// as they arrive (arrive), got holds what a report keeps of them, and
	// the body settles the verdict with judgeArrived.
	each    func() types.GomegaMatcher
	mu      sync.Mutex
	arrived []arrival
	// failAuth, for an authentication check, builds its probe of one
	// operation: a request that must fail authentication (authPlan).
	failAuth func(e fixtures.Endpoint) probe.Request
	// body judges the check (with judge, skip or inconclusive).
	body func(ctx context.Context, s *spec)
	// acrossRun marks a check that judges every exchange of the run so
	// far: only those it finds fault with become its evidence.
	acrossRun bool
	// budget, for the plan (Budget), is what its body sends against a
	// conforming target, beside its probes.
	budget func() []probe.Request
	// sweepsOperations marks a check whose family sweeps the operations
	// and first leaves out those not at the base URL (findMissing).
	sweepsOperations bool

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

// newSpec declares a spec of a catalogue check; more needs may be added.
func newSpec(id, variant string, body func(ctx context.Context, s *spec), needs ...Need) *spec {
	c := lookup(id)
	return &spec{check: c, variant: variant, needs: append(slices.Clone(c.Needs), needs...), body: body}
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
		if reason := s.run.stopReason(); reason != "" {
			s.stop(report.NotRun, "", "not run: the run stopped ("+reason+")")
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

// failingEvidence is how many exchanges that broke a rule a check keeps
// whole (cut for evidence); the others are kept as summaries, their
// violations all listed: a check that fails alike on 5,000 operations
// shows the bodies of the first few.
const failingEvidence = 32

// passingEvidence is how many exchanges that broke no rule a check keeps,
// as summaries: enough to show what was sent, few enough that a report
// grows with failures, not with the operations swept.
const passingEvidence = 8

// trimEvidence keeps every exchange a violation names whole, and of the
// others the first few as summaries; the batch's answers are let go.
func (s *spec) trimEvidence() {
	s.got = nil
	named := map[int]bool{}
	for _, v := range s.res.Violations {
		named[v.Exchange] = true
	}
	var kept []probe.Exchange
	index := map[int]int{} // old index → new
	passing, failing := 0, 0
	for i, ex := range s.res.Exchanges {
		switch {
		case named[i] && failing < failingEvidence:
			failing++
			ex = ex.ForEvidence()
		case named[i]:
			ex = ex.SummaryOf(probe.PastEvidenceCap)
		case passing == passingEvidence:
			continue
		default:
			passing++
			ex = ex.Summary()
		}
		index[i] = len(kept)
		kept = append(kept, ex)
	}
	for i := range s.res.Violations {
		s.res.Violations[i].Exchange = index[s.res.Violations[i].Exchange]
	}
	s.res.Exchanges, s.seqs = kept, nil
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

// judge runs a matcher over exchanges the spec provoked, at the check's level.
func (s *spec) judge(actual any, m types.GomegaMatcher) { s.judgeAt(s.check.Level, actual, m) }

// judgeAt runs a matcher at a level: a MUST's findings fail the check, a
// SHOULD's warn (fail under --strict). Exchanges that were still answered
// with a 429 conform stopped waiting out make the check inconclusive: the
// target's rate limit is all that was seen. A stopped run judges nothing.
func (s *spec) judgeAt(level report.Level, actual any, m types.GomegaMatcher) {
	if reason := s.run.stopReason(); reason != "" {
		s.stop(report.NotRun, "", "not completed: the run stopped ("+reason+")")
	}
	if s.acrossRun {
		// A check that looks across the run judges what was answered:
		// one request still rate limited or overloaded somewhere must not
		// hide a leak everywhere else.
		if all, ok := actual.([]probe.Exchange); ok {
			answered := slices.DeleteFunc(slices.Clone(all), func(ex probe.Exchange) bool { return ex.Throttled || ex.Overloaded })
			if len(answered) == 0 {
				s.inconclusive("every exchange it would judge was still rate limited or overloaded when conform stopped waiting")
			}
			actual = answered
		}
	}
	exs := exchangesOf(actual)
	if !s.acrossRun {
		s.record(exs...)
	}
	s.conclude(assess(level, s.run.cfg.Strict, exs, actual, m), len(exs))
}

// conclude records a verdict over judged exchanges: an error of conform or
// an exchange still throttled or overloaded ends the spec; otherwise its
// findings, the verdict per operation and the status join the result.
func (s *spec) conclude(v verdict, judged int) {
	switch {
	case v.err != nil:
		s.stop(report.Error, "", "conform itself failed while judging (a defect of conform): "+v.err.Error())
	case len(v.throttled) > 0:
		s.inconclusive(throttleReason(v))
	case len(v.overloaded) > 0:
		// Inconclusive for now: once every check has run, judgeBroken
		// fails it if the run found the operation broken.
		s.inconclusive(overloadReason(v))
	}
	s.res.Judged += judged
	for _, f := range v.findings {
		s.record(f.Exchange)
		for _, v := range f.Violations {
			v.Exchange, v.Operation, v.Role = s.seqs[f.Exchange.Seq], probe.OperationKey(f.Exchange.Method, f.Exchange.Path), f.Exchange.Role
			s.res.Violations = append(s.res.Violations, v)
		}
	}
	known := map[string]bool{}
	for _, e := range append(s.run.operations(), s.run.cfg.Profile.Endpoints...) {
		known[e.Key()] = true
	}
	for _, o := range v.operations {
		if known[o.Key()] { // a probe of a method or path the API does not have is no operation
			s.res.Operations = append(s.res.Operations, o)
		}
	}
	if !s.decided || report.Worse(v.status, s.res.Status) {
		s.res.Status = v.status
	}
	s.decided = true
}

// throttleReason says what conform saw and did about the 429s it is left
// with: waited out as Retry-After asked, or, for a 429 without one, backed
// off on its own.
func throttleReason(v verdict) string {
	did := "after conform waited out its Retry-After"
	switch {
	case v.throttledBare == len(v.throttled):
		did = "without Retry-After, after conform backed off on its own (no header named a wait)"
	case v.throttledBare > 0:
		did = "after conform waited out its Retry-After, or backed off on its own where none was sent"
	}
	return fmt.Sprintf("the target kept answering 429 to %s %s; its rate limit, not its answer, is all that was seen — rerun later, or with more room for conform's tokens and address",
		strings.Join(slices.Compact(slices.Sorted(slices.Values(v.throttled))), ", "), did)
}

// overloadReason says what conform saw and did about the answers 502, 503
// and 504 it is left with: retried with backoff, or not retried at all
// (the rate-limit burst never is).
func overloadReason(v verdict) string {
	did := fmt.Sprintf("after conform retried %s with backoff", report.Plural(v.overloadRetries, "time"))
	if v.overloadRetries == 0 {
		did = "conform did not retry them (they were part of a burst meant to be refused)"
	}
	return fmt.Sprintf("the target answered 502, 503 or 504 to %s, and %s; only overload was seen, nothing of its contract (the operation answered at other times, or nothing of the target did, so it is not judged broken) — rerun later, or with a lower --concurrency",
		strings.Join(slices.Compact(slices.Sorted(slices.Values(v.overloaded))), ", "), did)
}

// verdict is what assess concludes from one matcher over exchanges.
type verdict struct {
	status    report.Status
	findings  []match.Finding
	throttled []string // operations still rate limited when conform stopped waiting
	// throttledBare counts those of them whose 429 carried no Retry-After:
	// conform backed off on its own, no header asked it to wait.
	throttledBare int
	overloaded    []string // operations still overloaded when conform stopped retrying
	// overloadRetries are the retries those overloaded answers had.
	overloadRetries int
	operations      []report.OperationResult
	err             error
}

// assess is judging without Ginkgo: the matcher's findings, the status
// they give at a level, and the verdict per operation.
func assess(level report.Level, strict bool, exs []probe.Exchange, actual any, m types.GomegaMatcher) verdict {
	var v verdict
	for _, ex := range exs {
		switch {
		case ex.Throttled:
			v.throttled = append(v.throttled, probe.OperationKey(ex.Method, ex.Path))
			if len(ex.Header.Values("Retry-After")) == 0 {
				v.throttledBare++
			}
		case ex.Overloaded:
			v.overloaded = append(v.overloaded, probe.OperationKey(ex.Method, ex.Path))
			v.overloadRetries += ex.OverloadRetries
		}
	}
	if len(v.throttled) > 0 || len(v.overloaded) > 0 {
		v.status = report.Inconclusive
		return v
	}
	if _, err := m.Match(actual); err != nil {
		v.status, v.err = report.Error, err
		return v
	}
	v.findings = match.Findings(m)
	bad := report.Failed
	if level == report.Should && !strict {
		bad = report.Warning
	}
	v.status = report.Passed
	if len(v.findings) > 0 {
		v.status = bad
	}
	failed := map[string]bool{}
	for _, f := range v.findings {
		failed[probe.OperationKey(f.Exchange.Method, f.Exchange.Path)] = true
	}
	for _, ex := range subjectsOf(actual) {
		o := report.OperationResult{Method: ex.Method, Path: ex.Path, Status: report.Passed}
		if failed[o.Key()] {
			o.Status = bad
		}
		v.operations = append(v.operations, o)
	}
	return v
}

// result is the spec's report.Check.
func (s *spec) result() report.Check {
	c := s.res
	c.ID, c.Variant, c.Title, c.Level = s.check.ID, s.variant, s.check.Title, s.check.Level
	c.Sentence, c.Source, c.Labels, c.Since = s.check.Sentence, s.check.Source, s.allLabels(), s.check.Since
	return c
}

// subjectsOf are the exchanges of the operations under test: the actions
// between two reads of the credits, the first of each pair.
func subjectsOf(actual any) []probe.Exchange {
	switch a := actual.(type) {
	case match.Around:
		return a.Actions
	case [][2]probe.Exchange:
		var out []probe.Exchange
		for _, p := range a {
			out = append(out, p[0])
		}
		return out
	}
	return exchangesOf(actual)
}

// exchangesOf are every exchange a verdict rests on.
func exchangesOf(actual any) []probe.Exchange {
	switch a := actual.(type) {
	case probe.Exchange:
		return []probe.Exchange{a}
	case []probe.Exchange:
		return a
	case match.Around:
		return append(append([]probe.Exchange{a.Before}, a.Actions...), a.After)
	case [][2]probe.Exchange:
		var out []probe.Exchange
		for _, p := range a {
			out = append(out, p[0], p[1])
		}
		return out
	}
	return nil
}

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

// about is the verdict with its findings on ex, the form kept of the
// exchange they were found on.
func (v verdict) about(ex probe.Exchange) verdict {
	v.findings = slices.Clone(v.findings)
	for j := range v.findings {
		v.findings[j].Exchange = ex
	}
	return v
}

// and joins two verdicts over different exchanges.
func (v verdict) and(w verdict) verdict {
	if report.Worse(w.status, v.status) {
		v.status = w.status
	}
	if v.err == nil {
		v.err = w.err
	}
	v.findings = append(v.findings, w.findings...)
	v.throttled = append(v.throttled, w.throttled...)
	v.throttledBare += w.throttledBare
	v.overloaded = append(v.overloaded, w.overloaded...)
	v.overloadRetries += w.overloadRetries
	v.operations = append(v.operations, w.operations...)
	return v
}
