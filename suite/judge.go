package suite

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// judge is the one place a MUST check passes or fails.
func judge(actual any, m types.GomegaMatcher) {
	if !verdict(actual, m, report.Failed) {
		Fail(m.FailureMessage(actual), 1)
	}
}

// judgeShould is the one place a SHOULD check passes, warns or fails: its
// findings fail the check under --strict and are a warning otherwise.
func judgeShould(actual any, m types.GomegaMatcher) {
	bad := report.Warning
	if target.cfg.Strict {
		bad = report.Failed
	}
	if verdict(actual, m, bad) {
		return
	}
	msg := "SHOULD: " + m.FailureMessage(actual)
	if target.cfg.Strict {
		Fail(msg, 1)
	}
	AddReportEntry(entryWarning, msg, ReportEntryVisibilityNever)
}

// verdict runs the matcher and records the verdict per operation judged, for
// the coverage matrix (operations of the API only: a PATCH probing for 405
// is no operation); bad is the status of an operation with findings.
func verdict(actual any, m types.GomegaMatcher, bad report.Status) bool {
	var throttled []string
	for _, ex := range exchangesOf(actual) {
		if ex.Throttled {
			throttled = append(throttled, ex.Method+" "+ex.Path)
		}
	}
	if len(throttled) > 0 {
		Skip(fmt.Sprintf("inconclusive: the target kept answering 429 to %s after conform waited out its Retry-After (see the notes); its rate limit, not its answer, is all that was seen — rerun later, or with more room for conform's tokens and address",
			strings.Join(throttled, ", ")))
	}
	ok, err := m.Match(actual)
	if err != nil {
		Fail("conform: "+err.Error(), 2)
	}
	failed := map[string]bool{}
	for _, f := range match.Findings(m) {
		failed[f.Exchange.Method+" "+f.Exchange.Path] = true
	}
	known := map[string]bool{}
	for _, e := range append(operations(), profile().Endpoints...) {
		known[e.Method+" "+e.Path] = true
	}
	var ops []report.OperationResult
	for _, ex := range exchangesOf(actual) {
		o := report.OperationResult{Method: ex.Method, Path: ex.Path, Status: report.Passed}
		if !known[o.Key()] {
			continue // a probe of a method or path the API does not have
		}
		if failed[o.Key()] {
			o.Status = bad
		}
		ops = append(ops, o)
	}
	AddReportEntry(entryCoverage, ops, ReportEntryVisibilityNever)
	return ok
}

func exchangesOf(actual any) []probe.Exchange {
	switch a := actual.(type) {
	case probe.Exchange:
		return []probe.Exchange{a}
	case []probe.Exchange:
		return a
	case match.Around:
		return a.Actions
	case [][2]probe.Exchange:
		var out []probe.Exchange
		for _, p := range a {
			out = append(out, p[1])
		}
		return out
	}
	return nil
}
