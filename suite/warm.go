package suite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Warm authentication probes. The auth checks' batch goes out before any
// operation has served an authenticated 200, so a cache or gateway that
// stores a 200 and serves it to anyone (Django's cache_page keyed without
// Authorization, a CDN rule) passes it cold. After the batch, each GET
// operation that needs no path parameter is read once with the read token,
// and when that is served (2xx) the operation is probed again without a
// header, with an unknown token and with an expired one, each judged by
// its check like the cold probes: a stored 200 for them fails the check.

// warmChecks are the checks probed again on a warm operation.
var warmChecks = []string{"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"}

// warmIndex is where the warm probes' indexes start in a spec's arrivals,
// after every probe of its batch.
const warmIndex = 1 << 30

// warmSpecs are the runnable specs probed warm.
func warmSpecs(runnable []*spec) []*spec {
	var out []*spec
	for _, s := range runnable {
		if s.variant == "" && s.failAuth != nil && slices.Contains(warmChecks, s.check.ID) {
			out = append(out, s)
		}
	}
	return out
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

// warmBudget is what the warm probes send against a target that serves
// every warming read.
func (r *run) warmBudget(runnable []*spec) []probe.Request {
	specs := warmSpecs(runnable)
	if len(specs) == 0 || !r.hasToken(probe.RoleRead) {
		return nil
	}
	var reqs []probe.Request
	for _, e := range r.warmOperations() {
		reqs = append(reqs, r.as(e, probe.RoleRead))
		for _, s := range specs {
			reqs = append(reqs, s.failAuth(e))
		}
	}
	return reqs
}

// probeWarm reads each warm operation with the read token, then sends the
// warm probes of the operations that served it, judged as they arrive.
func (r *run) probeWarm(ctx context.Context, runnable []*spec) {
	specs := warmSpecs(runnable)
	if len(specs) == 0 || !r.hasToken(probe.RoleRead) {
		return
	}
	ops := r.warmOperations()
	var warmers []probe.Request
	for _, e := range ops {
		warmers = append(warmers, r.as(e, probe.RoleRead))
	}
	read := r.doAll(ctx, warmers...)
	var reqs []probe.Request
	var owner []*spec
	for i, e := range ops {
		if read[i].Status < 200 || read[i].Status > 299 {
			continue
		}
		for _, s := range specs {
			reqs = append(reqs, s.failAuth(e))
			owner = append(owner, s)
		}
	}
	r.doEach(ctx, reqs, func(i int, ex probe.Exchange) {
		r.mu.Lock()
		if r.warm == nil {
			r.warm = map[int64]bool{}
		}
		r.warm[ex.Seq] = true
		r.mu.Unlock()
		owner[i].arrive(warmIndex+i, ex)
	})
}

// explainWarm adds to a failed auth check's reason that requests which
// broke it were warm probes, sent after the operation served a 200.
func (s *spec) explainWarm() {
	if s.res.Status != report.Failed && s.res.Status != report.Warning {
		return
	}
	r := s.run
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []string
	cold := map[string]bool{} // operations that broke it cold too
	for _, v := range s.res.Violations {
		if v.Exchange < len(s.res.Exchanges) && !r.warm[s.res.Exchanges[v.Exchange].Seq] {
			cold[v.Operation] = true
		}
	}
	for _, v := range s.res.Violations {
		if v.Exchange < len(s.res.Exchanges) && r.warm[s.res.Exchanges[v.Exchange].Seq] && !cold[v.Operation] && !slices.Contains(ops, v.Operation) {
			ops = append(ops, v.Operation)
		}
	}
	if len(ops) == 0 {
		return
	}
	s.res.Reason = strings.TrimSpace(s.res.Reason + "\n" + fmt.Sprintf("broken on %s only once it had served the read token a 200: a cache or gateway serving a stored answer to requests without valid credentials", strings.Join(ops, ", ")))
}
