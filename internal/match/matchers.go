package match

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/probe"
)

// exchangeMatcher runs a violation function over one exchange or a slice of
// them and fails with every violation of every exchange.
type exchangeMatcher struct {
	describe   string
	violations func(probe.Exchange) []Violation
	findings   []Finding
	total      int
}

func (m *exchangeMatcher) Match(actual any) (bool, error) {
	m.total, m.findings = 0, nil // a Match that cannot judge finds nothing
	var exs []probe.Exchange
	switch a := actual.(type) {
	case probe.Exchange:
		exs = []probe.Exchange{a}
	case []probe.Exchange:
		exs = a
	default:
		return false, fmt.Errorf("match: expected a probe.Exchange or []probe.Exchange, got %T", actual)
	}
	if len(exs) == 0 {
		return false, fmt.Errorf("match: no exchanges to judge")
	}
	m.total = len(exs)
	for _, ex := range exs {
		if vs := m.violations(ex); len(vs) > 0 {
			m.findings = append(m.findings, Finding{Exchange: ex, Violations: vs})
		}
	}
	return len(m.findings) == 0, nil
}

func (m *exchangeMatcher) FailureMessage(any) string {
	return summary(m.describe, m.findings, m.total)
}

func (m *exchangeMatcher) NegatedFailureMessage(any) string {
	return "expected the responses not to be " + m.describe + ", but they were"
}

// Findings exposes what a matcher's last Match found: the exchanges that
// broke the contract, for per-operation verdicts.
func Findings(matcher types.GomegaMatcher) []Finding {
	if m, ok := matcher.(interface{ found() []Finding }); ok {
		return m.found()
	}
	return nil
}

func (m *exchangeMatcher) found() []Finding { return m.findings }

// BeError succeeds when every exchange is the expected error response: status,
// JSON Content-Type, envelope and code schemas, status↔code agreement with the
// Errors table, details members and Retry-After as asked.
func BeError(e ErrorExpectation) types.GomegaMatcher {
	return &exchangeMatcher{
		describe:   "the error " + e.String(),
		violations: func(ex probe.Exchange) []Violation { return ErrorViolations(ex, e) },
	}
}

// BeAccepted succeeds when every exchange got past authentication and scope:
// a response that is neither 401 nor 403 (nor a 429 the probe could not wait out).
func BeAccepted() types.GomegaMatcher {
	return &exchangeMatcher{
		describe:   "the request to be accepted (any status but 401, 403 or 429)",
		violations: acceptedViolations,
	}
}

func acceptedViolations(ex probe.Exchange) []Violation {
	if ex.Status == 0 {
		return []Violation{{Where: "response", Rule: "transport", Message: "no response: " + ex.Err}}
	}
	switch ex.Status {
	case 401, 403, 429:
		got := statusText(ex.Status)
		if code, ok := bodyCode(ex.Body); ok {
			got += " with code " + code
		}
		return []Violation{{Where: "status", Rule: "accepted", Expected: "any status but 401, 403 or 429", Got: got}}
	}
	return nil
}
