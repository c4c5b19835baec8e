package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The words of a check's outcome, rendered from its data by every writer
// the same way.

// Explanation is a check's outcome for people. For a failure or warning:
// how many responses broke the rule, then each of them with its violations
// and the evidence to reproduce it. For the other statuses: the reason.
func (c Check) Explanation() string {
	if len(c.Violations) == 0 {
		return c.Reason
	}
	var b strings.Builder
	byExchange, order := c.violationsByExchange()
	n := len(c.Violations)
	count := Plural(n, "violation")
	judged := max(c.Judged, len(order))
	if judged > 1 {
		fmt.Fprintf(&b, "%d of %d responses break the contract (%s)\n", len(order), judged, count)
	} else {
		fmt.Fprintf(&b, "the response breaks the contract (%s)\n", count)
	}
	shown := order
	if len(order) > ExplainedResponses {
		shown = order[:ExplainedResponses]
	}
	for _, i := range shown {
		vs := byExchange[i]
		if i >= 0 && i < len(c.Exchanges) {
			ex := c.Exchanges[i]
			fmt.Fprintf(&b, "\n%s %s\n  sent with %s\n", ex.Method, ex.Path, ex.Auth)
		} else {
			fmt.Fprintf(&b, "\n%s\n", vs[0].Operation)
		}
		for _, v := range vs {
			fmt.Fprintf(&b, "  ✗ %s\n", v)
		}
		if i >= 0 && i < len(c.Exchanges) {
			b.WriteString(c.Exchanges[i].Evidence("    "))
		}
	}
	if rest := order[len(shown):]; len(rest) > 0 {
		explainRest(&b, rest, byExchange)
	}
	if c.Reason != "" {
		b.WriteString("\n" + c.Reason + "\n")
	}
	return b.String()
}

// ExplainedResponses is how many responses that broke the contract an
// explanation spells out with their evidence; the others are counted by
// violation. A check failing alike on 5,000 operations reads in a screen,
// and the JSON report still lists every violation with its operation.
const ExplainedResponses = 20

// explainRest counts the violations of the responses not spelled out, the
// most frequent first, and names a few of their operations.
func explainRest(b *strings.Builder, rest []int, byExchange map[int][]Violation) {
	type kind struct {
		text string
		ops  []string
	}
	var kinds []*kind
	index := map[string]*kind{}
	for _, i := range rest {
		for _, v := range byExchange[i] {
			k := index[v.String()]
			if k == nil {
				k = &kind{text: v.String()}
				index[k.text] = k
				kinds = append(kinds, k)
			}
			k.ops = append(k.ops, v.Operation)
		}
	}
	sort.SliceStable(kinds, func(i, j int) bool { return len(kinds[i].ops) > len(kinds[j].ops) })
	fmt.Fprintf(b, "\nand %s (every violation, with its operation, is in the JSON report):\n", Plural(len(rest), "more response"))
	const kindsShown, opsShown = 10, 3
	for n, k := range kinds {
		if n == kindsShown {
			fmt.Fprintf(b, "  … and %s\n", Plural(len(kinds)-kindsShown, "other kind of violation"))
			break
		}
		ops := strings.Join(k.ops[:min(len(k.ops), opsShown)], ", ")
		if len(k.ops) > opsShown {
			ops += ", …"
		}
		fmt.Fprintf(b, "  ✗ %s — %d× (%s)\n", k.text, len(k.ops), ops)
	}
}

// Headline is the outcome in one line: the first violation and where it
// was found, or the first line of the reason.
func (c Check) Headline() string {
	if len(c.Violations) == 0 {
		return firstLine(c.Reason)
	}
	v := c.Violations[0]
	s := v.String() + " on " + v.Operation
	if n := len(c.Violations) - 1; n > 0 {
		s += fmt.Sprintf(" (and %s)", Plural(n, "more violation"))
	}
	return s
}

// violationsByExchange groups the violations by the exchange they were
// found in, in the order the exchanges first appear.
func (c Check) violationsByExchange() (map[int][]Violation, []int) {
	by := map[int][]Violation{}
	var order []int
	for _, v := range c.Violations {
		if _, seen := by[v.Exchange]; !seen {
			order = append(order, v.Exchange)
		}
		by[v.Exchange] = append(by[v.Exchange], v)
	}
	return by, order
}

// String is a violation in one line: "body /detail/code: expected …, got … [const]".
func (v Violation) String() string {
	place := v.Where
	if v.Pointer != "" {
		place += " " + v.Pointer
	}
	var s string
	if v.Message != "" {
		s = place + ": " + v.Message
	} else {
		s = fmt.Sprintf("%s: expected %s, got %s", place, v.Expected, v.Got)
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

var (
	webAddress = regexp.MustCompile(`https?://[^\s;,()<>]+`)
	rfcSection = regexp.MustCompile(`RFC (\d+)(?: §(\d+(?:\.\d+)*))?`)
)

// DocLink is the address of a check's source: the doc page it names, else
// the first RFC section it names ("RFC 9110 §15.5.4" →
// https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4); a source that is
// neither is returned as it is.
func DocLink(source string) string {
	if u := webAddress.FindString(source); u != "" {
		return u
	}
	if m := rfcSection.FindStringSubmatch(source); m != nil {
		link := "https://www.rfc-editor.org/rfc/rfc" + m[1]
		if m[2] != "" {
			link += "#section-" + m[2]
		}
		return link
	}
	return source
}
