package suite

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// The schedule of a run. Ginkgo runs the specs one after another, in plan
// order, and reports them in that order; what the families send does not
// wait for it. Each family's sending is a unit (its setup, or, for a
// family that only sends its specs' probes, one unit per spec) started in
// the background as soon as the units it depends on are done, and each
// spec's node waits for the units it judges. So independent waits overlap
// (a Retry-After on POST /exports, another on a 405 probe, the rate-limit
// burst's), and a run waits about as long as its longest chain of
// dependent waits, not their sum.
//
// A unit depends on an earlier unit (in plan order) when one of them can
// change what the other sees:
//
//   - The authentication checks lead: every later unit starts after
//     theirs. Their cold probes must meet a target no authenticated
//     request has warmed (warm.go), and their answers decide which
//     operations the sweeps leave out (leaveOutMissing).
//   - A family that reads the credits around requests (SCOPE-NO-CHARGE,
//     SCOPE-NO-SIDE-EFFECT, CREDITS-NO-CHARGE) runs with no request of
//     another family to a charged operation in flight: a target that
//     charges what it refuses would otherwise show one family's charge in
//     another's balance. Units that may charge (any request to a charged
//     operation, whatever its token) and such a family are ordered.
//   - A unit that sends past the documented limit of a class (the
//     rate-limit burst empties its token's bucket of one operation) and
//     every other unit that sends in that class are ordered: before the
//     burst they would empty the bucket under it, after it they would meet
//     the emptied bucket.
//   - The checks that compare what the target answers over time run with
//     nothing else in flight: HTTP-STABLE-CODE (the same failure twice must
//     get the same code; another family's answers in between would shift a
//     target whose codes change from answer to answer) and the rate-limit
//     burst (RATE-LIMIT-PER-TOKEN's other token must meet the bucket the
//     burst emptied at once, before it refills, so nothing of another family
//     may hold its request up). Such a unit waits for every earlier unit,
//     and every later unit waits for it.
//
// Everything else overlaps, and no verdict can tell: each probe breaks one
// rule and is refused for that reason alone, never for another family's
// state; the docs give each token its own bucket per endpoint and limit
// failed authentication per client, and the client paces each such class
// across all families at once (internal/probe/pace.go), so overlapping
// families stay within the documented limits as a sequential run does;
// the checks that judge across the run (AUTH-CHALLENGE, SECURITY-NO-LEAK,
// HTTP-RETRY-AFTER-SYNTAX) judge what was sent for the specs before them
// in plan order, in that order (seenUpTo), never what an overlapping
// family happened to get first.
//
// The probes of the units are built one family after another, in plan
// order, on one goroutine, so the tokens picked in turn (pickToken) and
// the random tokens and routes are those of a sequential run.

// unit is the sending of a family (its setup) or of one spec's probes.
type unit struct {
	family   *family
	index    int     // the family's place in the plan
	spec     *spec   // the spec whose probes it sends; nil for the family's setup
	runnable []*spec // the family's runnable specs, for its setup
	origin   *origin

	reqs  []probe.Request // a spec's probes, built by the schedule
	owner []*spec
	foot  footprint

	done     chan struct{}
	panicked any // what the unit panicked with, panicked again in each node that waits for it
}

// footprint is what a unit sends, as the schedule's rules read it.
type footprint struct {
	classes map[string]bool // probe.Classify
	emptied map[string]bool // classes it sends past their limit on purpose
	charges bool            // a request to a charged operation
}

// origin is where in the plan requests are sent from: a spec (its probes
// and its body), or a family's setup (spec -1, before its specs).
type origin struct {
	family, spec int
	calls        atomic.Int64
}

// place orders what the run saw (seenExchange) as a sequential run would
// have sent it: by family, spec, call of doEach, request.
type place struct {
	family, spec int
	call         int64
	index        int
}

func (p place) compare(q place) int {
	switch {
	case p.family != q.family:
		return p.family - q.family
	case p.spec != q.spec:
		return p.spec - q.spec
	case p.call != q.call:
		if p.call < q.call {
			return -1
		}
		return 1
	}
	return p.index - q.index
}

// before says whether e was sent for a spec after the spec at p.
func (p place) before(e place) bool {
	return e.family > p.family || e.family == p.family && e.spec > p.spec
}

type originKey struct{}

// unplaced is the origin of requests sent outside any unit or spec; none
// are, and they would count as sent first.
var unplaced = &origin{family: -1, spec: -1}

func withOrigin(ctx context.Context, o *origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

func originOf(ctx context.Context) *origin {
	if o, ok := ctx.Value(originKey{}).(*origin); ok && o != nil {
		return o
	}
	return unplaced
}

// placeOf is a spec's place in the plan.
func (r *run) placeOf(s *spec) place {
	return place{family: slices.Index(r.fams, s.family), spec: slices.Index(s.family.specs, s)}
}

// planUnits lays out the units of the selected, runnable specs and which
// units each spec waits for; Run does it before Ginkgo starts, and the
// schedule only fills them in.
func (r *run) planUnits() {
	r.unitsOf, r.origins = map[*spec][]*unit{}, map[*spec]*origin{}
	for i, f := range r.fams {
		var selected []*spec
		for j, s := range f.specs {
			if s.selected {
				selected = append(selected, s)
				r.origins[s] = &origin{family: i, spec: j}
			}
		}
		run := runnable(selected)
		if len(run) == 0 {
			continue
		}
		if f.setup != nil {
			u := &unit{family: f, index: i, runnable: run, origin: &origin{family: i, spec: -1}, done: make(chan struct{})}
			r.units = append(r.units, u)
			for _, s := range run {
				r.unitsOf[s] = []*unit{u}
			}
			continue
		}
		for _, s := range run {
			if s.probes == nil || !f.batch {
				continue
			}
			u := &unit{family: f, index: i, spec: s, origin: r.origins[s], done: make(chan struct{})}
			r.units = append(r.units, u)
			r.unitsOf[s] = []*unit{u}
		}
	}
}

// schedule builds and starts the units in plan order, each once the units
// it depends on are done. It runs on a goroutine of its own.
func (r *run) schedule() {
	// The units not started (the run stopped, or a defect of conform
	// building one panicked) are done, so no node waits for them forever;
	// a panic is reported by the nodes that wait for them, as a panic in
	// a node would be, rather than ending the process.
	next := 0
	defer func() {
		v := recover()
		for _, u := range r.units[next:] {
			u.panicked = v
			close(u.done)
		}
	}()
	plan := r.planRun()
	for i, u := range r.units {
		if r.ctx.Err() != nil {
			return
		}
		after := r.prepare(u, r.units[:i], plan)
		r.goroutine(func() { r.runUnit(u, after) })
		next = i + 1
		if i == len(r.units)-1 {
			for _, u := range r.units {
				u.foot = footprint{} // every unit is placed: a sweep's classes are let go
			}
		}
		if leads(u.family) {
			// The later units' probes are built from its answers (the
			// operations not at the base URL).
			select {
			case <-u.done:
			case <-r.ctx.Done():
				return
			}
		}
	}
}

// prepare builds a unit's probes (a spec's, now, in plan order) and its
// footprint, and says which of the earlier units it waits for.
func (r *run) prepare(u *unit, earlier []*unit, plan *run) []*unit {
	if u.spec != nil {
		u.reqs, u.owner = probesOf([]*spec{u.spec})
	}
	u.foot = r.footprintOf(u, plan)
	var after []*unit
	for _, e := range earlier {
		// A family's own units are one batch, but for a unit that runs alone.
		if (e.family != u.family || runsAlone(e) || runsAlone(u)) && (r.cfg.Sequential || r.ordered(e, u)) {
			after = append(after, e)
		}
	}
	return after
}

// runUnit sends a unit's requests once the units before it are done.
func (r *run) runUnit(u *unit, after []*unit) {
	defer close(u.done)
	defer func() {
		if v := recover(); v != nil {
			u.panicked = v
		}
	}()
	for _, e := range after {
		select {
		case <-e.done:
		case <-r.ctx.Done():
			return
		}
	}
	ctx := withOrigin(r.ctx, u.origin)
	if u.spec != nil {
		reqs, owner := u.reqs, u.owner
		u.reqs, u.owner = nil, nil // a sweep's probes are not kept past their sending
		sendProbes(ctx, r, reqs, owner)
		return
	}
	u.family.setup(ctx, u.runnable)
}

// await waits, in a spec's node, for the units whose answers it judges;
// a unit that panicked panics here, where Ginkgo reports it.
func (r *run) await(ctx context.Context, s *spec) {
	for _, u := range r.unitsOf[s] {
		select {
		case <-u.done:
		case <-ctx.Done():
			// The unit writes the spec's exchanges until it is done, and
			// it ends with the run's context, as this node's does (guard):
			// stopping the spec before then would race with it.
			<-u.done
		}
		if u.panicked != nil {
			panic(u.panicked)
		}
	}
	if reason := r.stopReason(); reason != "" {
		s.stop(report.NotRun, "", "not run: the run stopped ("+reason+")")
	}
	if ctx.Err() != nil {
		s.stop(report.NotRun, "", "not run: stopped while its probes were being sent")
	}
}

// ordered says whether unit u, later in the plan, must wait for e.
func (r *run) ordered(e, u *unit) bool {
	switch {
	case leads(e.family), runsAlone(e), runsAlone(u):
		return true
	case watchesCredits(u.family) && e.foot.charges, watchesCredits(e.family) && u.foot.charges:
		return true
	}
	return shares(e.foot.emptied, u.foot.classes) || shares(u.foot.emptied, e.foot.classes)
}

func shares(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

// leads says whether a family's unit comes before every later one: the
// authentication checks'.
func leads(f *family) bool {
	return slices.ContainsFunc(f.specs, func(s *spec) bool { return s.failAuth != nil })
}

// aloneChecks are the checks whose units run with nothing else in flight.
var aloneChecks = []string{"HTTP-STABLE-CODE", "RATE-LIMIT-PER-TOKEN"}

// runsAlone says whether a unit sends for one of aloneChecks: the spec
// whose probes it sends, or any spec of the family whose setup it is.
func runsAlone(u *unit) bool {
	if u.spec != nil {
		return slices.Contains(aloneChecks, u.spec.check.ID)
	}
	return slices.ContainsFunc(u.family.specs, func(s *spec) bool { return slices.Contains(aloneChecks, s.check.ID) })
}

// creditWatchers are the checks that judge the credits read around
// requests (match.Around).
var creditWatchers = []string{"SCOPE-NO-CHARGE", "SCOPE-NO-SIDE-EFFECT", "CREDITS-NO-CHARGE"}

// watchesCredits says whether a family reads the credits around requests.
func watchesCredits(f *family) bool {
	return slices.ContainsFunc(f.specs, func(s *spec) bool { return slices.Contains(creditWatchers, s.check.ID) })
}

// planRun is the plan of the run without its state: the family setups'
// declared requests (their budgets) say what they will send. Its ids and
// tokens are zeros; only classes and operations are read.
func (r *run) planRun() *run {
	opts := r.cfg.Options
	opts.Random = zeros{}
	plan, err := r.plan.build(opts)
	if err != nil {
		panic("suite: the plan of a run that was planned once: " + err.Error())
	}
	return plan
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// footprintOf is what a unit will send: a spec's probes as built, and
// what its body declares; a setup's declared requests, from the plan.
func (r *run) footprintOf(u *unit, plan *run) footprint {
	pf := plan.fams[u.index]
	var reqs []probe.Request
	if u.spec != nil {
		reqs = append(reqs, u.reqs...)
		if ps := pf.specs[slices.Index(u.family.specs, u.spec)]; ps.budget != nil {
			reqs = append(reqs, ps.budget()...)
		}
	} else {
		var run []*spec
		for _, s := range u.runnable {
			run = append(run, pf.specs[slices.Index(u.family.specs, s)])
		}
		reqs = familySends(pf, run)
	}
	charged, limits := map[string]bool{}, map[string]int{}
	for _, e := range append(slices.Clone(r.profile().Endpoints), r.operations()...) {
		charged[e.Key()] = charged[e.Key()] || e.Charged
		if e.LimitPerMinute > 0 {
			limits[e.Key()] = e.LimitPerMinute
		}
	}
	f := footprint{classes: map[string]bool{}, emptied: map[string]bool{}}
	provoked := map[string]int{}
	for _, q := range reqs {
		class, _ := probe.Classify(q)
		f.classes[class] = true
		template := q.Template
		if template == "" {
			template = q.Path
		}
		key := probe.OperationKey(q.Method, template)
		f.charges = f.charges || charged[key]
		if q.Provoke {
			provoked[class]++
			limit := limits[key]
			if limit == 0 {
				limit = r.profile().RateLimit.UndocumentedLimit()
			}
			if provoked[class] > limit {
				f.emptied[class] = true
			}
		}
	}
	return f
}
