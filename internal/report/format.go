package report

import (
	"fmt"
	"strings"
	"time"
)

// Helpers shared by the writers, so every format words a run the same way.

// groupWord is how a summary "per documented failure" names a group's status.
func groupWord(s Status) string {
	switch s {
	case Passed:
		return "verified"
	case Failed:
		return "FAILED"
	case Error:
		return "ERROR"
	default:
		return string(s)
	}
}

// targetLine is the base URL, marked when it is the embedded reference server.
func targetLine(t Target) string {
	if t.Reference {
		return t.BaseURL + " (embedded reference server)"
	}
	return t.BaseURL
}

func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// roughly rounds a duration for people: milliseconds below a second,
// tenths of a second above.
func roughly(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// seconds is a duration in the decimal seconds JUnit expects.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// exchangeLines is each exchange of a check as "request → outcome".
func exchangeLines(c Check, arrow string) []string {
	out := make([]string, 0, len(c.Exchanges))
	for _, e := range c.Exchanges {
		out = append(out, e.Line()+" "+arrow+" "+e.Outcome())
	}
	return out
}

// tallyOf counts the checks of sets and their variants: "5 checks (27
// variants)".
func tallyOf(sets []checkSet) string {
	t := Tally{Checks: len(sets)}
	for _, s := range sets {
		t.Variants += len(s.Checks)
	}
	return t.String()
}

// idCountsLine counts a run's checks by ID, each under what a reader
// does about it, the variants in brackets: "28 checks (61 variants): 5
// failed, 3 warned, 19 verified, 1 skipped".
func idCountsLine(r Result, s sections) string {
	var selected Tally
	for _, g := range r.Groups() {
		selected.Checks++
		selected.Variants += len(g.Checks)
	}
	seen := map[string]bool{}
	count := func(sets []checkSet) int {
		n := 0
		for _, set := range sets {
			if id := set.First().ID; !seen[id] {
				seen[id] = true
				n++
			}
		}
		return n
	}
	parts := []string{}
	if n := count(s.Failed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", n))
	}
	if n := count(s.Errors); n > 0 {
		parts = append(parts, Count(n, "error of conform", "errors of conform"))
	}
	if n := count(s.Known); n > 0 {
		parts = append(parts, Count(n, "known failure", "known failures"))
	}
	if n := count(s.Warned); n > 0 {
		parts = append(parts, fmt.Sprintf("%d warned", n))
	}
	rest := map[Status]int{}
	for _, g := range s.Rest {
		rest[g.Status]++
	}
	for _, st := range []Status{Passed, Inconclusive, NotRun, Skipped} {
		if rest[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", rest[st], groupWord(st)))
		}
	}
	line := selected.String() + ": " + strings.Join(parts, ", ")
	if n := r.Count().Filtered; n > 0 {
		line += fmt.Sprintf("; %d not selected", n)
	}
	return line
}

// variantCounts says how a group's variants ended when it has more than
// one: "16 variants", or "10 passed, 2 skipped".
func variantCounts(g Group) string {
	if len(g.Checks) < 2 {
		return ""
	}
	n := map[Status]int{}
	var order []Status
	for _, c := range g.Checks {
		if n[c.Status] == 0 {
			order = append(order, c.Status)
		}
		n[c.Status]++
	}
	if len(order) == 1 {
		return Plural(len(g.Checks), "variant")
	}
	var parts []string
	for _, st := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
	}
	return strings.Join(parts, ", ")
}
