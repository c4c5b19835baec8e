package suite

import (
	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// notFoundFamily registers the 404 for unknown ids, one variant per
// endpoint of the profile's not_found list, each variant's probe a unit of
// the run's schedule (schedule.go).
func (r *run) notFoundFamily() *family {
	var specs []*spec
	for _, id := range r.profile().NotFound {
		e := r.endpoint(id)
		probes := func() []probe.Request {
			role, _ := r.pickToken(e, readRoles()...)
			return []probe.Request{r.as(e, role)}
		}
		each := func() types.GomegaMatcher { return match.BeError(match.ErrorExpectation{Status: 404}) }
		specs = append(specs, arrivingCheck("NOTFOUND-UNKNOWN-ID", e.Key(), probes, each, "", readRoles()))
	}
	return newFamily("unknown ids", specs...)
}
