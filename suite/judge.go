package suite

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// judge runs a matcher over exchanges the spec provoked, at the check's level.
func (s *spec) judge(actual any, m types.GomegaMatcher) { s.judgeAt(s.check.Level, actual, m) }

// judgeAt runs a matcher at a level: a MUST's findings fail the check, a
// SHOULD's warn (fail under --strict). Exchanges that were still answered
// with a 429 conform stopped waiting out make the check inconclusive: the
// target's rate limit is all that was seen. A stopped run judges nothing.
func (s *spec) judgeAt(level report.Level, actual any, m types.GomegaMatcher) {
	if reason := s.run.stopReason(); reason != "" {
		s.stop(report.NotRun, "", "not completed: the run stopped ("+reason+")")
	}
	if s.kind == acrossRun {
		// A check that looks across the run judges what was answered:
		// one request still rate limited or overloaded somewhere must not
		// hide a leak everywhere else.
		if all, ok := actual.([]probe.Exchange); ok {
			answered := slices.DeleteFunc(slices.Clone(all), func(ex probe.Exchange) bool { return ex.Throttled || ex.Overloaded })
			if len(answered) == 0 {
				s.inconclusive("every exchange it would judge was still rate limited or overloaded when conform stopped waiting")
			}
			actual = answered
		}
	}
	exs := exchangesOf(actual)
	if s.kind != acrossRun {
		s.record(exs...)
	}
	s.conclude(assess(level, s.run.cfg.Strict, exs, actual, m), len(exs))
}

// conclude records a verdict over judged exchanges: an error of conform or
// an exchange still throttled or overloaded ends the spec; otherwise its
// findings, the verdict per operation and the status join the result.
func (s *spec) conclude(v verdict, judged int) {
	switch {
	case v.err != nil:
		s.stop(report.Error, "", "conform itself failed while judging (a defect of conform): "+v.err.Error())
	case len(v.throttled) > 0:
		s.inconclusive(throttleReason(v))
	case len(v.overloaded) > 0:
		// Inconclusive for now: once every check has run, judgeBroken
		// fails it if the run found the operation broken.
		s.inconclusive(overloadReason(v))
	}
	s.res.Judged += judged
	for _, f := range v.findings {
		s.record(f.Exchange)
		for _, v := range f.Violations {
			v.Exchange, v.Operation, v.Role = s.seqs[f.Exchange.Seq], probe.OperationKey(f.Exchange.Method, f.Exchange.Path), f.Exchange.Role
			s.res.Violations = append(s.res.Violations, v)
		}
	}
	known := map[string]bool{}
	for _, e := range append(s.run.operations(), s.run.cfg.Profile.Endpoints...) {
		known[e.Key()] = true
	}
	for _, o := range v.operations {
		if known[o.Key()] { // a probe of a method or path the API does not have is no operation
			s.res.Operations = append(s.res.Operations, o)
		}
	}
	if !s.decided || report.Worse(v.status, s.res.Status) {
		s.res.Status = v.status
	}
	s.decided = true
}

// throttleReason says what conform saw and did about the 429s it is left
// with: waited out as Retry-After asked, or, for a 429 without one, backed
// off on its own.
func throttleReason(v verdict) string {
	did := "after conform waited out its Retry-After"
	switch {
	case v.throttledBare == len(v.throttled):
		did = "without Retry-After, after conform backed off on its own (no header named a wait)"
	case v.throttledBare > 0:
		did = "after conform waited out its Retry-After, or backed off on its own where none was sent"
	}
	return fmt.Sprintf("the target kept answering 429 to %s %s; its rate limit, not its answer, is all that was seen — rerun later, or with more room for conform's tokens and address",
		strings.Join(slices.Compact(slices.Sorted(slices.Values(v.throttled))), ", "), did)
}

// overloadReason says what conform saw and did about the answers 502, 503
// and 504 it is left with: retried with backoff, or not retried at all
// (the rate-limit burst never is).
func overloadReason(v verdict) string {
	did := fmt.Sprintf("after conform retried %s with backoff", report.Plural(v.overloadRetries, "time"))
	if v.overloadRetries == 0 {
		did = "conform did not retry them (they were part of a burst meant to be refused)"
	}
	return fmt.Sprintf("the target answered 502, 503 or 504 to %s, and %s; only overload was seen, nothing of its contract (the operation answered at other times, or nothing of the target did, so it is not judged broken) — rerun later, or with a lower --concurrency",
		strings.Join(slices.Compact(slices.Sorted(slices.Values(v.overloaded))), ", "), did)
}

// verdict is what assess concludes from one matcher over exchanges.
type verdict struct {
	status    report.Status
	findings  []match.Finding
	throttled []string // operations still rate limited when conform stopped waiting
	// throttledBare counts those of them whose 429 carried no Retry-After:
	// conform backed off on its own, no header asked it to wait.
	throttledBare int
	overloaded    []string // operations still overloaded when conform stopped retrying
	// overloadRetries are the retries those overloaded answers had.
	overloadRetries int
	operations      []report.OperationResult
	err             error
}

// assess is judging without Ginkgo: the matcher's findings, the status
// they give at a level, and the verdict per operation.
func assess(level report.Level, strict bool, exs []probe.Exchange, actual any, m types.GomegaMatcher) verdict {
	var v verdict
	for _, ex := range exs {
		switch {
		case ex.Throttled:
			v.throttled = append(v.throttled, probe.OperationKey(ex.Method, ex.Path))
			if len(ex.Header.Values("Retry-After")) == 0 {
				v.throttledBare++
			}
		case ex.Overloaded:
			v.overloaded = append(v.overloaded, probe.OperationKey(ex.Method, ex.Path))
			v.overloadRetries += ex.OverloadRetries
		}
	}
	if len(v.throttled) > 0 || len(v.overloaded) > 0 {
		v.status = report.Inconclusive
		return v
	}
	// The matcher runs through Gomega, as Expect(actual).To(m) does in
	// any spec, with a fail handler of the judgement's own: Gomega calls
	// Match and, on a mismatch, FailureMessage, the violations as text.
	// The findings the matcher kept are the verdict; a mismatch without
	// any, or an error of the matcher, is an error of conform, never a
	// pass.
	var failure string
	g := gomega.NewGomega(func(message string, _ ...int) { failure = message })
	matched := g.Expect(actual).To(m)
	v.findings = match.Findings(m)
	if !matched && len(v.findings) == 0 {
		v.status, v.err = report.Error, errors.New(failure)
		return v
	}
	bad := report.Failed
	if level == report.Should && !strict {
		bad = report.Warning
	}
	v.status = report.Passed
	if len(v.findings) > 0 {
		v.status = bad
	}
	failed := map[string]bool{}
	for _, f := range v.findings {
		failed[probe.OperationKey(f.Exchange.Method, f.Exchange.Path)] = true
	}
	for _, ex := range subjectsOf(actual) {
		o := report.OperationResult{Method: ex.Method, Path: ex.Path, Status: report.Passed}
		if failed[o.Key()] {
			o.Status = bad
		}
		v.operations = append(v.operations, o)
	}
	return v
}

// subjectsOf are the exchanges of the operations under test: the actions
// between two reads of the credits, the first of each pair.
func subjectsOf(actual any) []probe.Exchange {
	switch a := actual.(type) {
	case match.Around:
		return a.Actions
	case [][2]probe.Exchange:
		var out []probe.Exchange
		for _, p := range a {
			out = append(out, p[0])
		}
		return out
	}
	return exchangesOf(actual)
}

// exchangesOf are every exchange a verdict rests on.
func exchangesOf(actual any) []probe.Exchange {
	switch a := actual.(type) {
	case probe.Exchange:
		return []probe.Exchange{a}
	case []probe.Exchange:
		return a
	case match.Around:
		return append(append([]probe.Exchange{a.Before}, a.Actions...), a.After)
	case [][2]probe.Exchange:
		var out []probe.Exchange
		for _, p := range a {
			out = append(out, p[0], p[1])
		}
		return out
	}
	return nil
}

// about is the verdict with its findings on ex, the form kept of the
// exchange they were found on.
func (v verdict) about(ex probe.Exchange) verdict {
	v.findings = slices.Clone(v.findings)
	for j := range v.findings {
		v.findings[j].Exchange = ex
	}
	return v
}

// and joins two verdicts over different exchanges.
func (v verdict) and(w verdict) verdict {
	if report.Worse(w.status, v.status) {
		v.status = w.status
	}
	if v.err == nil {
		v.err = w.err
	}
	v.findings = append(v.findings, w.findings...)
	v.throttled = append(v.throttled, w.throttled...)
	v.throttledBare += w.throttledBare
	v.overloaded = append(v.overloaded, w.overloaded...)
	v.overloadRetries += w.overloadRetries
	v.operations = append(v.operations, w.operations...)
	return v
}
