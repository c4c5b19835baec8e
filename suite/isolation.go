package suite

import (
	"context"
	"fmt"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Two tokens meant for different workspaces that see the same workspace
// are a setup problem only when the target does not leak. Before a check
// calls it one, it asks the balance endpoint, which has just served both
// tokens, once more without any credentials: a 2xx there is a stored
// answer served to anyone (a cache keyed without Authorization), which is
// why the tokens look alike, and the isolation the check needs is what
// the target breaks. Otherwise the skip names both variables.

// leakProbe is the request without credentials to the balance endpoint.
func (r *run) leakProbe() probe.Request {
	return r.request(r.endpoint(r.profile().Credits.BalanceEndpoint), nil, probe.Credential{})
}

// sameWorkspace decides a check whose two workspaces turned out one: it
// fails the check when a request without credentials is served what the
// tokens were, and skips it, naming both variables, when not. seen are
// the answers that showed the one workspace.
func (s *spec) sameWorkspace(ctx context.Context, workspace string, seen ...probe.Exchange) {
	s.record(seen...)
	anyone := s.send(ctx, s.run.leakProbe())[0]
	a, b := probe.RoleReadWrite.Var(), probe.RoleNoCredits.Var()
	if anyone.Status >= 200 && anyone.Status <= 299 {
		s.judge(anyone, match.BeError(match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"}))
		s.settle(report.Failed, "", fmt.Sprintf("%s and %s both see workspace %q, and a request without any credentials got %d to the same operation right after: the target serves a stored answer to anyone, so one workspace's data reaches another's token; the tokens' setup cannot be judged until it stops",
			a, b, workspace, anyone.Status))
		return
	}
	s.skip(fmt.Sprintf("%s and %s must belong to different workspaces, but both see workspace %q (workspace_id of GET /credits); a request without credentials got %s, so the target is not serving one answer to anyone: set %s to a token of another workspace",
		a, b, workspace, anyone.Outcome(), b))
}
