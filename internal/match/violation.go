package match

import (
	"fmt"
	"strings"

	"github.com/cornect/conform/internal/probe"
)

// Violation is one way a response breaks the contract.
type Violation struct {
	Rule     string // the rule that failed: "status", "content-type", "schema", "retry-after", …
	Where    string // "status", "header Content-Type", "body"
	Pointer  string // JSON pointer into the body, for body violations: "/detail/code"
	Keyword  string // the JSON Schema keyword, for schema violations: "const", "required", …
	Expected string
	Got      string
	Message  string // used instead of Expected/Got when the rule reads better as a sentence
}

// Place is where the violation is, for people: "body /detail/code".
func (v Violation) Place() string {
	if v.Pointer != "" {
		return v.Where + " " + v.Pointer
	}
	return v.Where
}

func (v Violation) String() string {
	var s string
	if v.Message != "" {
		s = fmt.Sprintf("%s: %s", v.Place(), v.Message)
	} else {
		s = fmt.Sprintf("%s: expected %s, got %s", v.Place(), v.Expected, v.Got)
	}
	tag := v.Rule
	if v.Keyword != "" {
		tag = v.Keyword
	}
	if tag != "" {
		s += " [" + tag + "]"
	}
	return s
}

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
