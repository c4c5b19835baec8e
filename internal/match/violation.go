package match

import (
	"fmt"
	"strings"

	"github.com/cornect/conform/internal/probe"
)

// Violation is one way a response breaks the contract.
type Violation struct {
	Where    string // "status", "header Content-Type", "body /detail/code"
	Keyword  string // the schema keyword or rule that failed: "const", "required", "status", ...
	Expected string
	Got      string
	Message  string // used instead of Expected/Got when the rule reads better as a sentence
}

func (v Violation) String() string {
	var s string
	if v.Message != "" {
		s = fmt.Sprintf("%s: %s", v.Where, v.Message)
	} else {
		s = fmt.Sprintf("%s: expected %s, got %s", v.Where, v.Expected, v.Got)
	}
	if v.Keyword != "" {
		s += " [" + v.Keyword + "]"
	}
	return s
}

// Finding is the violations of one exchange.
type Finding struct {
	Exchange   probe.Exchange
	Violations []Violation
}

// Render writes findings for people: each failing exchange, its violations,
// then the evidence to reproduce it.
func Render(findings []Finding, total int) string {
	var b strings.Builder
	n := 0
	for _, f := range findings {
		n += len(f.Violations)
	}
	count := fmt.Sprintf("%d violations", n)
	if n == 1 {
		count = "1 violation"
	}
	if total > 1 {
		fmt.Fprintf(&b, "%d of %d responses break the contract (%s)\n", len(findings), total, count)
	} else {
		fmt.Fprintf(&b, "the response breaks the contract (%s)\n", count)
	}
	for _, f := range findings {
		fmt.Fprintf(&b, "\n%s %s\n", f.Exchange.Method, f.Exchange.Path)
		fmt.Fprintf(&b, "  sent with %s\n", f.Exchange.Auth)
		for _, v := range f.Violations {
			fmt.Fprintf(&b, "  ✗ %s\n", v)
		}
		b.WriteString(f.Exchange.Evidence("    "))
	}
	return b.String()
}
