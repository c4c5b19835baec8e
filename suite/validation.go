package suite

import (
	"context"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// validationFamily registers one 422 variant per invalid body of the
// profile, each variant's probe a unit of the run's schedule. Each goes
// with a token whose scope allows the endpoint, so only the body is wrong. Bodies for a charged endpoint
// alternate between CONFORM_TOKEN_READ_WRITE, whose workspace can pay, and
// CONFORM_TOKEN_NO_CREDITS, so both stay within the endpoint's limit
// (POST /exports allows 5 a minute per token). A 402 to the zero-balance
// workspace is a legitimate answer that says nothing of validation: that
// body is sent again with CONFORM_TOKEN_READ_WRITE (paced within its
// limit), and only that answer is judged.
func (r *run) validationFamily() *family {
	var specs []*spec
	for _, body := range r.profile().InvalidBodies {
		e := r.endpoint(body.Endpoint)
		statuses := body.Expected()
		probes := func() []probe.Request {
			role, _ := r.pickToken(e, rolesFor(e)...)
			q := r.as(e, role)
			q.Body = body.Bytes()
			return []probe.Request{q}
		}
		s := batchCheck("VALIDATION-422", body.Name+" on "+e.Key(), probes, func(ctx context.Context, s *spec, got []probe.Exchange) {
			if got[0].Role == probe.RoleNoCredits && got[0].Status == 402 {
				s.record(got[0])
				if !r.hasToken(probe.RoleReadWrite) {
					s.inconclusive("the body went with " + probe.RoleNoCredits.Var() + ", whose workspace cannot pay, and got 402, a legitimate answer that says nothing of validation; set " + probe.RoleReadWrite.Var() + " to send it with a workspace that can")
				}
				q := r.as(e, probe.RoleReadWrite)
				q.Body = body.Bytes()
				got = s.send(ctx, q)
			}
			s.judge(got, match.BeError(match.ErrorExpectation{Status: statuses[0], OrStatus: statuses[1:]}))
		}, rolesFor(e))
		specs = append(specs, s.labeled(chargeLabels(e.Charged)...))
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
