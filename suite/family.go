package suite

import (
	"context"
	"slices"

	"github.com/cornect/conform/internal/probe"
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
	// sweepsOperations says the setup sweeps the operations and first
	// leaves out those not at the base URL (findMissing).
	sweepsOperations bool
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
