package suite

import (
	"context"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// validationFamily registers one 422 variant per invalid body of the
// profile, sent as one batch. Each goes with a token whose scope allows the
// endpoint, so only the body is wrong; POSTs rotate across tokens to stay
// within each token's limit.
func (r *run) validationFamily() *family {
	var specs []*spec
	for _, body := range r.profile().InvalidBodies {
		e := r.endpoint(body.Endpoint)
		statuses := body.Expected()
		s := newSpec("VALIDATION-422", body.Name+" on "+e.Key(), func(_ context.Context, s *spec) {
			s.judge(s.got, match.BeError(match.ErrorExpectation{Status: statuses[0], OrStatus: statuses[1:]}))
		}, rolesFor(e))
		s.labels = chargeLabels(e.Charged)
		s.probes = func() []probe.Request {
			role, _ := r.pickToken(e, rolesFor(e)...)
			q := r.as(e, role)
			q.Body = body.Bytes()
			return []probe.Request{q}
		}
		specs = append(specs, s)
	}
	return newFamily("invalid bodies", specs...)
}

// chargeLabels label a probe of a charged endpoint: a server that accepted
// the body would create a charged export.
func chargeLabels(charged bool) []string {
	if charged {
		return []string{"charges"}
	}
	return nil
}
