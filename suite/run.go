package suite

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/extensions/globals"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Options are how a plan is run.
type Options struct {
	Client *probe.Client // the plan's (Plan.NewClient)
	Strict bool
	// SuiteTimeout bounds the whole run; zero means no bound but the caller's context.
	SuiteTimeout time.Duration
	// GinkgoOutput receives Ginkgo's own reporter (nil discards it).
	GinkgoOutput io.Writer
	Verbose      bool
	// Progress, when set, hears of each check as it finishes.
	Progress func(report.Check)
	// Clock is where the run reads the time and waits (Retry-After before
	// RATE-LIMIT-RECOVERY); nil is the real clock.
	Clock Clock
	// Random is the source of the ids and made-up tokens the probes send;
	// nil is crypto/rand.
	Random io.Reader
	// Sequential sends each family's requests only once the family before
	// it in the plan is done, instead of overlapping those that do not
	// depend on each other (schedule.go): the target then goes through the
	// same states in the same order on every run, and so does the
	// evidence (the writers' goldens). Slower against a target that makes
	// conform wait.
	Sequential bool
}

// config is what the specs of a run read: the plan's inputs and the run's options.
type config struct {
	PlanConfig
	Options
}

// Clock is the run's time, the probe client's kind: tests give a fake one
// that moves when waited on.
type Clock = probe.Clock

// RealClock is the real time, the default; a command that shows its waits
// wraps it.
type RealClock = probe.RealClock

// Outcome is what Run returns.
type Outcome struct {
	// Checks are every spec of the plan in run order, those the filters
	// left out included (skipped as filtered).
	Checks []report.Check
	// Incomplete says why the run stopped early (Ctrl-C, --suite-timeout,
	// the target gone).
	Incomplete string
	// TargetLost says when the target stopped answering, and after how
	// many requests; empty when it answered to the end. The run stops
	// then: the checks it left unjudged are not run or inconclusive.
	TargetLost string
	// NotFound are operations an OpenAPI document lists, unknown to the
	// profile, that answered 404 to every authentication probe: not at
	// the base URL, so left out of the auth checks.
	NotFound []string
}

// errSuiteTimeout is the cause of a run stopped by Options.SuiteTimeout.
var errSuiteTimeout = errors.New("--suite-timeout reached")

// errTargetLost is the cause of a run stopped because the target stopped
// answering (probe.Client.Gone).
var errTargetLost = errors.New("the target stopped answering")

// run is one run of the suite: the specs close over it, and nothing of it
// outlives Run.
type run struct {
	cfg    config
	clock  Clock
	random io.Reader
	specs  []*spec
	byText map[string]*spec
	fams   []*family

	ctx    context.Context // done when the run must stop
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup // every goroutine the run starts

	mu     sync.Mutex
	rotate map[string]int // round-robin of tokens per endpoint, for pacing
	seen   []seenExchange // every exchange of the run, for checks that look across it
	// missing are operations of the sweep not found at the base URL,
	// worked out once (missingOnce) from the auth checks' answers or, when
	// those did not run, by findMissing.
	missing      []string
	missingOnce  sync.Once
	missingFound bool

	knownOnce sync.Once
	known     map[string]bool // profileKnows

	authOnce sync.Once
	authOps  map[*spec][]fixtures.Endpoint // authPlan

	warm warmState // the warm auth probes (warm.go)

	// ids is the source of the unknown ids the probes carry, apart from
	// random (randomUUID); randomMu reads one of them at a time.
	ids      io.Reader
	randomMu sync.Mutex

	// The schedule (schedule.go): the plan the run was built from, the
	// units of the run in plan order, the units each spec judges the
	// answers of, and where each spec sends from.
	plan    *Plan
	units   []*unit
	unitsOf map[*spec][]*unit
	origins map[*spec]*origin
}

// newRun builds the families and specs of a run, not yet selected: the
// plan decides that, once (NewPlan), and each build takes its decisions
// (take).
func newRun(cfg config) (*run, error) {
	if cfg.Profile == nil {
		return nil, errors.New("suite: PlanConfig needs a Profile")
	}
	r := &run{cfg: cfg, clock: cfg.Clock, random: cfg.Random, byText: map[string]*spec{}, rotate: map[string]int{}}
	if r.clock == nil {
		r.clock = RealClock{}
	}
	if r.random == nil {
		r.random = rand.Reader
	}
	var seed [32]byte
	copy(seed[:], r.randomBytes(r.random, len(seed)))
	r.ids = mathrand.NewChaCha8(seed)
	r.fams = []*family{
		r.authFamily(), r.scopeFamily(), r.readAcceptedFamily(), r.creditsFamily(), r.notFoundFamily(), r.exportsFamily(),
		r.validationFamily(), r.acceptFamily(), r.httpFamily(), r.securityFamily(), r.rateLimitFamily(), r.retryAfterFamily(),
	}
	for _, f := range r.fams {
		for _, s := range f.specs {
			s.run, s.family = r, f
			text := s.fullText()
			if r.byText[text] != nil {
				return nil, fmt.Errorf("suite: two specs share the text %q", text)
			}
			r.byText[text] = s
			r.specs = append(r.specs, s)
		}
	}
	return r, nil
}

// ginkgoSuite serializes the runs of one process: Ginkgo's tree and its
// "has run" mark are global, so each run has Ginkgo to itself and starts
// from a fresh tree (globals.Reset).
var ginkgoSuite sync.Mutex

// Run runs the specs the plan selected with opts and returns every spec's
// result. Runs in one process take turns (Ginkgo's suite is global). Every
// goroutine Run starts has finished when it returns.
func Run(ctx context.Context, plan *Plan, opts Options) (Outcome, error) {
	if opts.Client == nil {
		return Outcome{}, errors.New("suite: Options need a Client")
	}
	if plan.Selected() == 0 {
		return Outcome{}, ErrNothingSelected
	}
	r, err := plan.build(opts)
	if err != nil {
		return Outcome{}, err
	}
	cfg := r.cfg
	ginkgoSuite.Lock()
	defer ginkgoSuite.Unlock()
	globals.Reset()
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	defer r.cancel(nil)
	if cfg.SuiteTimeout > 0 {
		stop := time.AfterFunc(cfg.SuiteTimeout, func() { r.cancel(errSuiteTimeout) })
		defer stop.Stop()
	}

	suiteCfg, reporterCfg := GinkgoConfiguration()
	// The plan has already applied the filters: Ginkgo runs what is registered.
	suiteCfg.LabelFilter, suiteCfg.FocusStrings, suiteCfg.SkipStrings = "", nil, nil
	suiteCfg.RandomizeAllSpecs = false
	if cfg.SuiteTimeout > 0 {
		// A backstop only: the run's own context stops it first.
		suiteCfg.Timeout = cfg.SuiteTimeout + time.Minute
	}
	reporterCfg.NoColor = true
	reporterCfg.Verbose = cfg.Verbose
	out := cfg.GinkgoOutput
	if out == nil {
		out = io.Discard
	}
	saved := formatter.ColorableStdOut
	formatter.ColorableStdOut = out
	defer func() { formatter.ColorableStdOut = saved }()

	// A target that stops answering stops the run: what it did not
	// answer is no verdict on it.
	gone := cfg.Client.Gone()
	r.goroutine(func() {
		select {
		case <-gone:
			r.cancel(errTargetLost)
		case <-r.ctx.Done():
		}
	})

	r.register()
	r.planUnits()
	r.goroutine(r.schedule)
	gomega.RegisterFailHandler(Fail)
	RunSpecs(&failer{}, suiteDescription, suiteCfg, reporterCfg)

	// Stop whatever Ginkgo abandoned (a node past its grace period) and
	// wait for it, so nothing of this run goes on after it returns.
	r.cancel(errRunOver)
	r.wg.Wait()
	return r.outcome(), nil
}

// ErrNothingSelected is returned when the filters leave no spec to run.
var ErrNothingSelected = errors.New("the filters (--label-filter, --focus, --skip) select no check")

var errRunOver = errors.New("the run is over")

// failer satisfies GinkgoTestingT: the verdict is the specs' results, not
// Ginkgo's pass or fail.
type failer struct{}

func (failer) Fail() {}

// register builds the Ginkgo tree of the selected specs: one Ordered
// container, so they run and are reported in the order of the plan, a
// container per family that has a name, and a table per check with
// variants. What the families send runs beside it, in the run's schedule
// (schedule.go); each spec's node waits for the answers it judges.
func (r *run) register() {
	Describe(topContainer, Ordered, ContinueOnFailure, func() {
		ReportAfterEach(r.collect)
		r.registerTree()
	})
}

// registerTree registers the families' selected specs.
func (r *run) registerTree() {
	for _, f := range r.fams {
		var selected []*spec
		for _, s := range f.specs {
			if s.selected {
				selected = append(selected, s)
			}
		}
		if len(selected) == 0 {
			continue
		}
		if f.name == "" {
			registerSpecs(selected)
		} else {
			Describe(f.name, Ordered, func() { registerSpecs(selected) })
		}
	}
}

// registerSpecs registers specs, the variants of one check as entries of
// one table.
func registerSpecs(specs []*spec) {
	for i := 0; i < len(specs); {
		s := specs[i]
		if s.variant == "" {
			It(s.check.Text(), Label(s.allLabels()...), func(ctx SpecContext) { s.execute(ctx) })
			i++
			continue
		}
		var entries []any
		for ; i < len(specs) && specs[i].check.ID == s.check.ID && specs[i].variant != ""; i++ {
			v := specs[i]
			entries = append(entries, Entry(v.variant, Label(v.labels...), v))
		}
		args := append([]any{Label(s.check.Labels...), func(ctx SpecContext, v *spec) { v.execute(ctx) }}, entries...)
		DescribeTable(s.check.Text(), args...)
	}
}

func runnable(specs []*spec) []*spec {
	var out []*spec
	for _, s := range specs {
		if s.missing == "" {
			out = append(out, s)
		}
	}
	return out
}

// guard runs a node body as part of the run: counted, so Run can wait for
// it, with a context that ends with the node or with the run.
func (r *run) guard(nodeCtx context.Context, body func(ctx context.Context)) {
	r.wg.Add(1)
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(nodeCtx)
	defer cancel()
	stop := context.AfterFunc(r.ctx, cancel)
	defer stop()
	body(ctx)
}

// goroutine starts a goroutine of the run, counted so Run waits for it.
func (r *run) goroutine(f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}

// stopReason says why the run is stopping, or "" while it goes on.
func (r *run) stopReason() string {
	if r.ctx == nil || r.ctx.Err() == nil {
		return ""
	}
	switch cause := context.Cause(r.ctx); {
	case errors.Is(cause, errSuiteTimeout):
		return fmt.Sprintf("--suite-timeout (%s) reached", r.cfg.SuiteTimeout)
	case errors.Is(cause, errRunOver):
		return "the run ended"
	case errors.Is(cause, errTargetLost):
		if o, ok := r.cfg.Client.Outage(); ok {
			return o.String()
		}
		return errTargetLost.Error()
	default:
		return "interrupted (Ctrl-C or a termination signal)"
	}
}

// collect turns Ginkgo's report of a spec into that spec's result. The
// spec's own record (its status, reason and violations) is the verdict;
// Ginkgo's state adds only what the spec could not say itself: that it
// was interrupted, panicked, or never ran.
func (r *run) collect(rep SpecReport) {
	s := r.byText[suiteDescription+" "+rep.FullText()]
	if s == nil {
		panic("suite: Ginkgo reported a spec the plan does not have: " + rep.FullText())
	}
	switch {
	case rep.State.Is(types.SpecStateInterrupted | types.SpecStateAborted | types.SpecStateTimedout):
		s.settle(report.NotRun, "", "stopped while it ran: "+firstLine(rep.Failure.Message))
	case rep.State == types.SpecStatePanicked:
		// Whatever the check had judged before, conform broke in it.
		s.decided = false
		s.settle(report.Error, "", fmt.Sprintf("conform itself failed while running this check (a defect of conform, not of the target): %s %v",
			firstLine(rep.Failure.Message), rep.Failure.ForwardedPanic))
	case !s.decided && r.stopReason() != "":
		s.settle(report.NotRun, "", "not run: the run stopped ("+r.stopReason()+")")
	case !s.decided && rep.State == types.SpecStateSkipped:
		s.settle(report.Error, "", "conform did not run this check: an earlier step of its family failed ("+firstLine(rep.Failure.Message)+")")
	case !s.decided:
		s.settle(report.Error, "", strings.TrimSpace("the check ended without a verdict (a defect of conform) "+firstLine(rep.Failure.Message)))
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(s.result())
	}
}

// outcome lists every spec's result in plan order.
func (r *run) outcome() Outcome {
	var o Outcome
	r.judgeLateWarm()
	r.judgeBroken()
	for _, s := range r.specs {
		switch {
		case !s.selected:
			s.settle(report.Skipped, report.SkipFiltered, "not selected by "+r.filterNames())
		case !s.decided:
			s.settle(report.NotRun, "", "not run: the run stopped before this check")
		}
		o.Checks = append(o.Checks, s.result())
		if s.res.Status == report.NotRun && o.Incomplete == "" {
			o.Incomplete = r.stopReasonOr("the run stopped early")
		}
	}
	// A run is incomplete when a check did not run; one stopped after its
	// last check has every verdict.
	o.NotFound = r.missing
	if out, ok := r.cfg.Client.Outage(); ok {
		o.TargetLost = out.String()
		for i := range o.Checks {
			lostToOutage(&o.Checks[i], out)
		}
	}
	return o
}

// lostToOutage turns a check that failed only for requests the target no
// longer answered (once it had stopped answering) into an inconclusive
// one: an outage is no verdict on the contract.
func lostToOutage(c *report.Check, o probe.Outage) {
	if c.Status != report.Failed && c.Status != report.Warning || len(c.Violations) == 0 {
		return // a failure with nothing to show it was the outage's stands
	}
	for _, v := range c.Violations {
		if v.Rule != "transport" || v.Exchange < 0 || v.Exchange >= len(c.Exchanges) || c.Exchanges[v.Exchange].Seq < o.FirstSeq {
			return
		}
	}
	c.Status = report.Inconclusive
	c.Reason = "no answer: " + o.String() + "; the check could not be judged"
	c.Violations = nil
	for i := range c.Operations {
		if c.Operations[i].Status == report.Failed || c.Operations[i].Status == report.Warning {
			c.Operations[i].Status = report.Inconclusive
		}
	}
}

func (r *run) stopReasonOr(fallback string) string {
	if c := context.Cause(r.ctx); c != nil && !errors.Is(c, errRunOver) {
		return r.stopReason()
	}
	return fallback
}

// filterNames names the filters in use, for the reason of a filtered spec.
func (r *run) filterNames() string {
	var names []string
	f := r.cfg.Filters
	if f.LabelFilter != "" {
		names = append(names, fmt.Sprintf("--label-filter %q", f.LabelFilter))
	}
	for _, x := range f.Focus {
		names = append(names, fmt.Sprintf("--focus %q", x))
	}
	for _, x := range f.Skip {
		names = append(names, fmt.Sprintf("--skip %q", x))
	}
	return strings.Join(names, " ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
