package suite

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Warm authentication probes. The auth checks' batch goes out before any
// operation has served an authenticated 200, so a cache or gateway that
// stores a 200 and serves it to anyone (Django's cache_page keyed without
// Authorization, a CDN rule) passes it cold. So every GET operation that
// serves a request with a valid token a 2xx, at whatever point of the run,
// is probed again on the very path that was served (its ids filled in as
// they were): without a header, with an unknown token and with an expired
// one, each judged by its check like the cold probes. A stored 200 for
// them fails the check.
//
// Each operation is probed warm once, after the first 2xx it served. The
// probes go out from the send that saw the 2xx, before that send returns,
// so whatever family of checks the 2xx came in, its warm probes are
// answered before the run goes on. Right after the auth checks' batch,
// each GET operation without path parameters is read once with a valid
// token, so that those (whose URL is the same for every caller) are warm
// before the auth checks judge. A warm probe that follows a 2xx of a
// later family in the plan (an export read once it completed), or that
// arrives after its check has judged, is judged when the run ends, before
// the verdicts are reported: the families overlap (schedule.go), and
// which of them a check's first verdict takes in must not depend on which
// answered first.

// warmChecks are the checks probed again on a warm operation.
var warmChecks = []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"}

// warmIndex is where the warm probes' indexes start in a spec's arrivals,
// after every probe of its batch.
const warmIndex = 1 << 30

// warmState is the run's bookkeeping of the warm probes.
type warmState struct {
	mu    sync.Mutex
	specs []*spec // the runnable warm checks, worked out once
	once  sync.Once
	// ops are the operations of the sweep by key, worked out once.
	ops     map[string]fixtures.Endpoint
	opsOnce sync.Once
	done    map[string]bool // the operations whose warm probes were sent or are due
	seqs    map[int64]bool  // the sequence numbers of the warm probes
	late    map[int64]bool  // those judged after their check's first verdict
	// parked are the warm probes of a later family in the plan that
	// arrived before their check judged: judged after it (judgeWarmed).
	parked map[*spec][]probe.Exchange
	// next numbers each check's warm arrivals; judged is how many of its
	// arrivals its body judged (every later one is judged at the end).
	next   map[*spec]int
	judged map[*spec]int
	// explained is the line explainWarm added to a check's reason.
	explained map[*spec]string
}

// warmTarget is a request that was served: its operation and its path.
type warmTarget struct {
	e    fixtures.Endpoint
	path string
}

// warmDue are the operations one send found served for the first time,
// to be probed warm before it returns.
type warmDue struct {
	mu      sync.Mutex
	targets []warmTarget
}

// warmSpecs are the checks probed warm: those of warmChecks that run.
func (r *run) warmSpecs() []*spec {
	w := &r.warm
	w.once.Do(func() {
		for _, s := range r.specs {
			if s.variant == "" && s.failAuth != nil && s.selected && s.missing == "" && slices.Contains(warmChecks, s.check.ID) {
				w.specs = append(w.specs, s)
			}
		}
	})
	return w.specs
}

// warmRole is the valid token that reads the warm operations: READ, or
// another token of read scope when it is not set.
func (r *run) warmRole() (probe.Role, bool) {
	for _, role := range readRoles() {
		if r.hasToken(role) {
			return role, true
		}
	}
	return "", false
}

// warmOperations are the GET operations read before the warm probes: those
// without path parameters, whose URL is the same for every request, and
// that are at the base URL.
func (r *run) warmOperations() []fixtures.Endpoint {
	var out []fixtures.Endpoint
	for _, e := range r.operations() {
		if e.Method == "GET" && !strings.Contains(e.Path, "{") && !r.isMissing(e) {
			out = append(out, e)
		}
	}
	return out
}

// warmBudget is what the warm probes send against a conforming target:
// the reads of the GET operations without path parameters and their warm
// probes. (A conforming target serves no GET operation with a path
// parameter a 2xx in a run: its ids are made up, or another workspace's.)
func (r *run) warmBudget(runnable []*spec) []probe.Request {
	specs := r.warmSpecs()
	role, ok := r.warmRole()
	if len(specs) == 0 || !ok {
		return nil
	}
	var reqs []probe.Request
	for _, e := range r.warmOperations() {
		reqs = append(reqs, r.as(e, role))
		for _, s := range specs {
			reqs = append(reqs, s.failAuth(e))
		}
	}
	return reqs
}

// probeWarm reads each GET operation without path parameters with a valid
// token; those served are probed warm as the reads return (sendWarm).
func (r *run) probeWarm(ctx context.Context) {
	role, ok := r.warmRole()
	if len(r.warmSpecs()) == 0 || !ok {
		return
	}
	var reads []probe.Request
	for _, e := range r.warmOperations() {
		reads = append(reads, r.as(e, role))
	}
	r.doAll(ctx, reads...)
}

// noteServed adds to due the operation of a GET that a valid token was
// served (2xx), to be probed warm on its path, unless it already was.
// Safe to call from the request's goroutine.
func (r *run) noteServed(due *warmDue, q probe.Request, ex probe.Exchange) {
	if q.Method != "GET" || !q.Token.Role.Authenticates() || ex.Status < 200 || ex.Status > 299 || len(r.warmSpecs()) == 0 {
		return
	}
	key := probe.OperationKey(q.Method, q.Template)
	w := &r.warm
	w.opsOnce.Do(func() {
		w.ops = map[string]fixtures.Endpoint{}
		for _, e := range r.operations() {
			w.ops[e.Key()] = e
		}
	})
	e, ok := w.ops[key]
	if !ok {
		return // not an operation of the sweep
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done[key] {
		return
	}
	if w.done == nil {
		w.done = map[string]bool{}
	}
	w.done[key] = true
	due.mu.Lock()
	due.targets = append(due.targets, warmTarget{e: e, path: q.Path})
	due.mu.Unlock()
}

// sendWarm sends the warm probes of the operations due, each on the path
// that was served, judged by their checks as they arrive.
func (r *run) sendWarm(ctx context.Context, due *warmDue) {
	due.mu.Lock()
	targets := due.targets
	due.mu.Unlock()
	if len(targets) == 0 || ctx.Err() != nil {
		return
	}
	var reqs []probe.Request
	var owner []*spec
	for _, t := range targets {
		for _, s := range r.warmSpecs() {
			q := s.failAuth(t.e)
			q.Path = t.path
			reqs = append(reqs, q)
			owner = append(owner, s)
		}
	}
	from := originOf(ctx).family
	r.doEach(ctx, reqs, func(i int, ex probe.Exchange) {
		r.warmArrive(owner[i], ex, from > r.placeOf(owner[i]).family)
	})
}

// warmArrive judges a warm probe of s as it arrives; one that follows a
// 2xx of a later family in the plan (later) waits, when it arrives before
// s judged, to be judged after it.
func (r *run) warmArrive(s *spec, ex probe.Exchange, later bool) {
	w := &r.warm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seqs == nil {
		w.seqs, w.late, w.next = map[int64]bool{}, map[int64]bool{}, map[*spec]int{}
	}
	w.seqs[ex.Seq] = true
	_, judged := w.judged[s]
	if later && !judged {
		if w.parked == nil {
			w.parked = map[*spec][]probe.Exchange{}
		}
		w.parked[s] = append(w.parked[s], ex)
		return
	}
	if judged {
		w.late[ex.Seq] = true
	}
	r.warmJudge(s, ex)
}

// warmJudge judges a warm probe of s, numbered after its earlier ones.
// Called with the warm state's lock held.
func (r *run) warmJudge(s *spec, ex probe.Exchange) {
	w := &r.warm
	i := warmIndex + w.next[s]
	w.next[s]++
	s.arrive(i, ex)
}

// judgeWarmed is the body of an auth check: it settles the verdict of
// every probe arrived so far, cold and warm (judgeArrived), and notes how
// many that was, so the warm probes that arrive later are judged at the
// end (judgeLateWarm), once each.
func (s *spec) judgeWarmed() {
	w := &s.run.warm
	func() {
		w.mu.Lock() // no warm probe arrives while the body judges
		defer w.mu.Unlock()
		if w.judged == nil {
			w.judged = map[*spec]int{}
		}
		s.mu.Lock()
		w.judged[s] = len(s.arrived)
		s.mu.Unlock()
		// Those of a later family that came early are judged after this
		// verdict, as if they had arrived once it was given.
		defer func() {
			for _, ex := range w.parked[s] {
				w.late[ex.Seq] = true
				s.run.warmJudge(s, ex)
			}
			delete(w.parked, s)
		}()
		s.judgeArrived()
	}()
	s.explainWarm()
}

// judgeLateWarm judges, once every check has run, the warm probes that
// arrived after their check had judged: each joins the check's verdict as
// if it had arrived in time. A warm probe left unanswered (still rate
// limited or overloaded) leaves a check that passed inconclusive.
func (r *run) judgeLateWarm() {
	w := &r.warm
	// A run stopped early (Ctrl-C, --suite-timeout, the target gone) cut
	// off the warm probes in flight: no answer to them is no verdict.
	stopped := r.ctx != nil && r.stopReasonOr("") != ""
	for _, s := range r.warmSpecs() {
		w.mu.Lock()
		before, judged := w.judged[s]
		w.mu.Unlock()
		s.mu.Lock()
		var late []arrival
		if judged && before < len(s.arrived) {
			late = slices.Clone(s.arrived[before:])
		}
		after := len(s.arrived)
		s.mu.Unlock()
		if judged {
			w.mu.Lock()
			w.judged[s] = after // each arrival judged once, however often this runs
			w.mu.Unlock()
		}
		if stopped {
			late = slices.DeleteFunc(late, func(a arrival) bool { return a.ex.Status == 0 })
		}
		if len(late) == 0 || !s.decided {
			continue
		}
		switch s.res.Status {
		case report.Passed, report.Failed, report.Warning, report.Inconclusive:
		default:
			continue // skipped, not run, or an error of conform: nothing to add to
		}
		sort.SliceStable(late, func(i, j int) bool { return late[i].index < late[j].index })
		answered, unanswered, n := verdict{status: report.Passed}, verdict{}, 0
		for _, a := range late {
			s.record(a.ex)
			if a.v.err != nil || len(a.v.throttled) > 0 || len(a.v.overloaded) > 0 {
				unanswered = unanswered.and(a.v)
				continue
			}
			answered = answered.and(a.v)
			n++
		}
		s.conclude(answered, n)
		switch {
		case unanswered.err != nil:
			s.settle(report.Error, "", "conform itself failed while judging a warm probe (a defect of conform): "+unanswered.err.Error())
		case len(unanswered.throttled) > 0:
			s.settle(report.Inconclusive, "", "warm probes: "+throttleReason(unanswered))
		case len(unanswered.overloaded) > 0:
			s.settle(report.Inconclusive, "", "warm probes: "+overloadReason(unanswered))
		}
		s.trimEvidence()
		s.explainWarm()
	}
}

// explainWarm says in a failed auth check's reason that requests which
// broke it were warm probes, sent after the operation served a 2xx, on
// the operations that did not break it cold. It replaces the line it
// added before, so the end of the run can say it again with more.
func (s *spec) explainWarm() {
	w := &s.run.warm
	w.mu.Lock()
	defer w.mu.Unlock()
	if prev := w.explained[s]; prev != "" {
		s.res.Reason = strings.TrimSpace(strings.Replace(s.res.Reason, prev, "", 1))
		delete(w.explained, s)
	}
	if s.res.Status != report.Failed && s.res.Status != report.Warning {
		return
	}
	var ops []string
	late := false             // a warm probe that broke it came after its first verdict
	cold := map[string]bool{} // operations that broke it cold too
	for _, v := range s.res.Violations {
		if v.Exchange < len(s.res.Exchanges) && !w.seqs[s.res.Exchanges[v.Exchange].Seq] {
			cold[v.Operation] = true
		}
	}
	for _, v := range s.res.Violations {
		if v.Exchange >= len(s.res.Exchanges) || cold[v.Operation] || !w.seqs[s.res.Exchanges[v.Exchange].Seq] {
			continue
		}
		late = late || w.late[s.res.Exchanges[v.Exchange].Seq]
		if !slices.Contains(ops, v.Operation) {
			ops = append(ops, v.Operation)
		}
	}
	if len(ops) == 0 {
		return
	}
	line := fmt.Sprintf("broken on %s only once it had served a valid token a 2xx there (warm probes, sent on the path that was served): a cache or gateway serving a stored answer to requests without valid credentials", strings.Join(ops, ", "))
	if late {
		line += "; that 2xx came later in the run than this check's first verdict, so its warm probes were judged when the run ended"
	}
	if w.explained == nil {
		w.explained = map[*spec]string{}
	}
	w.explained[s] = line
	s.res.Reason = strings.TrimSpace(s.res.Reason + "\n" + line)
}
