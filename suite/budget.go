package suite

import (
	"slices"
	"sort"
	"time"

	"github.com/cornect/conform/internal/probe"
)

// The request budget of a run: what it sends in each class of pacing
// (probe.Classify), worked out from the plan alone as against a conforming
// target, for --dry-run. Each family declares what its setup sends and
// each spec what its body sends beside the batch; a test holds the
// declarations to what a run against the reference really sends.

// ClassBudget is what a run sends in one class.
type ClassBudget struct {
	// Class is probe.FailedAuthClass, or a token and an operation
	// ("CONFORM_TOKEN_READ GET /credits").
	Class string
	// LimitKey names the class's limit (probe.Classify).
	LimitKey string
	// Requests is how many requests the run paces in the class; Provoked
	// how many more it sends past the limit on purpose (the rate-limit
	// burst), unpaced.
	Requests, Provoked int
}

// Floor is the least time the class's paced requests take at limit per
// period (Paces.Period), from a full bucket of limit (the docs'
// token-bucket model): the requests past the first limit come at limit
// per period.
func (b ClassBudget) Floor(limit int, period time.Duration) time.Duration {
	if limit <= 0 || b.Requests <= limit {
		return 0
	}
	return time.Duration(b.Requests-limit) * period / time.Duration(limit)
}

// familySends is what a family declares it sends for its runnable specs
// against a conforming target: their probes, what else its setup sends,
// and what their bodies send.
func familySends(f *family, runnable []*spec) []probe.Request {
	var reqs []probe.Request
	if f.batch {
		reqs, _ = probesOf(runnable)
	}
	if f.budget != nil {
		reqs = append(reqs, f.budget(runnable)...)
	}
	for _, s := range runnable {
		if s.budget != nil {
			reqs = append(reqs, s.budget()...)
		}
	}
	return reqs
}

// Budget returns the requests of a run of the plan by class, the class
// that fails authentication first, then by class name.
func (p *Plan) Budget() ([]ClassBudget, error) {
	r, err := p.build(Options{})
	if err != nil {
		return nil, err
	}
	by := map[string]*ClassBudget{}
	add := func(q probe.Request) {
		class, limit := probe.Classify(q)
		b := by[class]
		if b == nil {
			b = &ClassBudget{Class: class, LimitKey: limit}
			by[class] = b
		}
		if q.Provoke {
			b.Provoked++
		} else {
			b.Requests++
		}
	}
	sweeps, authRuns := false, false
	for _, f := range r.fams {
		var runnable []*spec
		for _, s := range f.specs {
			if s.selected && s.missing == "" {
				runnable = append(runnable, s)
			}
		}
		if len(runnable) == 0 {
			continue
		}
		sweeps = sweeps || f.sweepsOperations
		authRuns = authRuns || slices.ContainsFunc(runnable, func(s *spec) bool { return s.failAuth != nil })
		for _, q := range familySends(f, runnable) {
			add(q)
		}
	}
	// The sweeps of scope look for operations not at the base URL when
	// the auth checks did not.
	if sweeps && !authRuns {
		for _, q := range r.missingProbes() {
			add(q)
		}
	}
	out := make([]ClassBudget, 0, len(by))
	for _, b := range by {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Class == probe.FailedAuthClass) != (out[j].Class == probe.FailedAuthClass) {
			return out[i].Class == probe.FailedAuthClass
		}
		return out[i].Class < out[j].Class
	})
	return out, nil
}
