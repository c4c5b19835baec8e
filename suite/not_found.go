package suite

import (
	"context"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// notFoundFamily registers the 404 for unknown ids, one variant per
// endpoint of the profile's not_found list, sent as one batch.
func (r *run) notFoundFamily() *family {
	var specs []*spec
	for _, id := range r.profile().NotFound {
		e := r.endpoint(id)
		s := newSpec("NOTFOUND-UNKNOWN-ID", e.Key(), func(_ context.Context, s *spec) { s.judgeArrived() }, readRoles())
		s.each = func() types.GomegaMatcher { return match.BeError(match.ErrorExpectation{Status: 404}) }
		s.probes = func() []probe.Request {
			role, _ := r.pickToken(e, readRoles()...)
			return []probe.Request{r.as(e, role)}
		}
		specs = append(specs, s)
	}
	return newFamily("unknown ids", specs...)
}
