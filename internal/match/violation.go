package match

import (
	"fmt"
	"strings"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Violation is one way a response breaks the contract: the report's own
// type, so a matcher's finding is the data reports render. The judge fills
// in the exchange it was found in (Exchange, Operation, Role).
type Violation = report.Violation

// Finding is the violations of one exchange.
type Finding struct {
	Exchange   probe.Exchange
	Violations []Violation
}

// summary is a matcher's failure message for Gomega: each failing exchange
// with its violations, in a few lines. Reports render findings themselves,
// with the evidence.
func summary(expect string, findings []Finding, total int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected %s; %d of %d responses break the contract", expect, len(findings), total)
	for _, f := range findings {
		fmt.Fprintf(&b, "\n%s %s (%s)", f.Exchange.Method, f.Exchange.Path, f.Exchange.Auth)
		for _, v := range f.Violations {
			fmt.Fprintf(&b, "\n  ✗ %s", v)
		}
	}
	return b.String()
}
