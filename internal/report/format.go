package report

import (
	"fmt"
	"strings"
	"time"
)

// Helpers shared by the writers, so every format words a run the same way.

// countsLine is "12 checks: 9 passed, 1 failed, 1 skipped, 1 warning",
// naming the rarer outcomes only when they occurred.
func countsLine(c Counts) string {
	s := fmt.Sprintf("%s: %d passed, %d failed, %d skipped", Plural(c.Total, "check"), c.Passed, c.Failed, c.Skipped)
	if c.Filtered > 0 {
		s += fmt.Sprintf(" (%d not selected)", c.Filtered)
	}
	s += ", " + Plural(c.Warnings, "warning")
	if c.Inconclusive > 0 {
		s += fmt.Sprintf(", %d inconclusive", c.Inconclusive)
	}
	if c.NotRun > 0 {
		s += fmt.Sprintf(", %d not run", c.NotRun)
	}
	if c.Errors > 0 {
		s += ", " + Plural(c.Errors, "error") + " of conform"
	}
	return s
}

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

// variantsNote says how many of a group's variants went wrong when not all
// did: "1 of 3 variants failed".
func variantsNote(g Group) string {
	if len(g.Checks) < 2 || (g.Status != Failed && g.Status != Warning) {
		return ""
	}
	n := 0
	for _, c := range g.Checks {
		if c.Status == g.Status {
			n++
		}
	}
	if n == len(g.Checks) {
		return ""
	}
	verb := "failed"
	if g.Status == Warning {
		verb = "warned"
	}
	return fmt.Sprintf("%d of %d variants %s", n, len(g.Checks), verb)
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
