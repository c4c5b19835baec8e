package suite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Broken is not overloaded. An operation that answered nothing but 502,
// 503 or 504 (or no answer within the request timeout) to every request of
// the run, with and without credentials, across conform's retries, while
// other operations of the same target answered, is broken: a dead route
// behind a gateway, a backend that never answers. No rerun gets the
// contract's answers from it, so the checks that needed them fail, and
// they fail alike whether the gateway timed out (504) or conform did.
// Overload stays inconclusive when it is transient (the operation answered
// some time) or affects the whole target (nothing answered).

// brokenReason says why some of the operations are broken
// (probe.Client.Broken, on everything sent so far), and which; a broken
// one is a failure whatever the others did.
func (r *run) brokenReason(ops []string) (string, map[string]bool) {
	if r.cfg.Client == nil || len(ops) == 0 {
		return "", nil
	}
	ops = slices.Compact(slices.Sorted(slices.Values(ops)))
	var parts []string
	broken := map[string]bool{}
	for _, op := range ops {
		if b, ok := r.cfg.Client.Broken(op); ok {
			parts = append(parts, describeBroken(b))
			broken[op] = true
		}
	}
	if len(broken) == 0 {
		return "", nil
	}
	return fmt.Sprintf("broken operation: %s, to every request of the run, with and without credentials, while other operations answered; the contract's answers cannot be had from it (a dead route, or a backend the gateway cannot reach)",
		strings.Join(parts, "; ")), broken
}

// describeBroken says what the attempts at one broken operation got.
func describeBroken(b probe.BrokenOperation) string {
	var got []string
	for _, st := range b.Statuses() {
		n := b.Attempts[st]
		what := fmt.Sprintf("%d", st)
		if st == 0 {
			what = "no answer within --request-timeout"
		}
		got = append(got, fmt.Sprintf("%s (%s)", what, report.Plural(n, "attempt")))
	}
	return b.Operation + " got only " + strings.Join(got, " and ")
}

// unansweredOps are the operations of exchanges that got no answer of the
// target's: overloaded past the retries, or timed out.
func unansweredOps(exs []probe.Exchange) []string {
	var ops []string
	for _, ex := range exs {
		if ex.Overloaded || (ex.Status == 0 && ex.TimedOut) {
			ops = append(ops, probe.OperationKey(ex.Method, ex.Path))
		}
	}
	return ops
}

// judgeBroken, once every check has run, fails the checks left
// inconclusive by overload on operations the whole run found broken, each
// unanswered exchange of such an operation a violation, and gives a check
// that failed on a timeout there the same reason: a gateway's 504 and
// conform's own timeout get one verdict. Operations only later requests
// showed to be broken (the auth checks send no token, the later checks
// do) are judged here, on the run's every answer.
func (r *run) judgeBroken() {
	for _, s := range r.specs {
		if !s.decided || (s.res.Status != report.Inconclusive && s.res.Status != report.Failed && s.res.Status != report.Warning) {
			continue
		}
		reason, broken := r.brokenReason(unansweredOps(s.res.Exchanges))
		if len(broken) == 0 {
			continue
		}
		if s.res.Status == report.Inconclusive {
			for i, ex := range s.res.Exchanges {
				if ops := unansweredOps([]probe.Exchange{ex}); len(ops) == 0 || !broken[ops[0]] {
					continue
				}
				s.res.Violations = append(s.res.Violations, report.Violation{
					Exchange: i, Operation: probe.OperationKey(ex.Method, ex.Path), Role: ex.Role,
					Rule: "broken-operation", Where: "status", Message: "got " + ex.Outcome() + " from an operation that answered nothing else all run",
				})
			}
			s.res.Status, s.res.Skip, s.res.Reason = s.badStatus(), "", reason
			continue
		}
		if !strings.Contains(s.res.Reason, "broken operation") {
			s.res.Reason = strings.TrimSpace(reason + "\n" + s.res.Reason)
		}
	}
}
