package report

import (
	"fmt"
	"slices"
	"strings"
)

// How every writer puts a run before a reader: what needs fixing first,
// each check once with its variants folded in, and each distinct way a
// check's responses broke its rule shown once, with the evidence of the
// first response that broke it so; the responses that broke it the same
// way are named, not repeated ("and 13 more like it").

// readingOrder ranks the statuses for a reader: failures, then errors of
// conform, warnings, inconclusive, not run, skipped, and passed last.
var readingOrder = map[Status]int{Failed: 0, Error: 1, Warning: 2, Inconclusive: 3, NotRun: 4, Skipped: 5, Passed: 6}

// byReadingOrder sorts items by the reading order of their status, keeping
// the run order within one status.
func byReadingOrder[T any](items []T, status func(T) Status) []T {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b T) int { return readingOrder[status(a)] - readingOrder[status(b)] })
	return out
}

// checkSet is the variants of one check ID that a section of a report
// shows: the failed ones, the warned ones, the known failures.
type checkSet struct {
	Checks []Check
	// Of is how many variants of the ID the run selected.
	Of int
	// Verb says what the variants in the set did: "failed", "warned".
	Verb string
}

// First is the variant that stands for the set: its ID, title and source.
func (s checkSet) First() Check { return s.Checks[0] }

// Note is "14 of 16 variants failed", "" for a check without variants.
func (s checkSet) Note() string {
	if s.Of < 2 {
		return ""
	}
	if len(s.Checks) == s.Of {
		return fmt.Sprintf("all %d variants %s", s.Of, s.Verb)
	}
	return fmt.Sprintf("%d of %d variants %s", len(s.Checks), s.Of, s.Verb)
}

// Findings are the set's distinct violations, in the order found.
func (s checkSet) Findings() []finding { return findingsOf(s.Checks) }

// sections splits a run's selected checks for a reader: the failures to
// fix (those no baseline lists), the errors of conform, the warnings, the
// known failures, and the rest (every check ID with none of those) as
// groups. Each keeps the run order.
type sections struct {
	Failed, Errors, Warned, Known []checkSet
	Rest                          []Group
}

func sectionsOf(r Result) sections {
	var s sections
	v := r.verdict()
	for _, g := range r.Groups() {
		var failed, errs, warned, known []Check
		for _, c := range g.Checks {
			switch c.Status {
			case Failed:
				if _, ok := v.KnownFailure(c); ok {
					known = append(known, c)
				} else {
					failed = append(failed, c)
				}
			case Error:
				errs = append(errs, c)
			case Warning:
				warned = append(warned, c)
			}
		}
		n := len(g.Checks)
		add := func(to *[]checkSet, cs []Check, verb string) {
			if len(cs) > 0 {
				*to = append(*to, checkSet{Checks: cs, Of: n, Verb: verb})
			}
		}
		add(&s.Failed, failed, "failed")
		add(&s.Errors, errs, "hit an error of conform")
		add(&s.Warned, warned, "warned")
		add(&s.Known, known, "failed as the baseline knows")
		if len(failed)+len(errs)+len(warned)+len(known) == 0 {
			s.Rest = append(s.Rest, g)
		}
	}
	return s
}

// finding is one distinct way responses broke a check's rule.
type finding struct {
	// Check is the variant the first response that broke it so belongs to.
	Check Check
	// Exchange indexes Check.Exchanges; -1 when the violations name no
	// kept exchange, or the check failed with a reason alone.
	Exchange int
	// Violations are that response's violations.
	Violations []Violation
	// Alike are the other responses that broke the rule the same way.
	Alike []sighting
}

// sighting is one response a finding stands for.
type sighting struct {
	Check    Check
	Exchange int // in Check.Exchanges; -1 when none was kept
	Label    string
}

// Label names where the finding was seen: the variant, and the operation
// when the variant does not name it.
func (f finding) Label() string { return sightingLabel(f.Check, f.operation()) }

func (f finding) operation() string {
	if len(f.Violations) > 0 {
		return f.Violations[0].Operation
	}
	return ""
}

// Exchanged is the response the finding shows, when it was kept.
func (f finding) Exchanged() (e exchangeRef, ok bool) {
	if f.Exchange < 0 || f.Exchange >= len(f.Check.Exchanges) {
		return exchangeRef{}, false
	}
	return exchangeRef{f.Check, f.Exchange}, true
}

// exchangeRef is one kept exchange of a check.
type exchangeRef struct {
	Check Check
	Index int
}

// AlikeNames names the other responses, each once with how often it
// came ("GET /credits (2×)"), at most n of them; n < 0 names all. The
// second result is how many names were left out.
func (f finding) AlikeNames(n int) ([]string, int) {
	var names []string
	count := map[string]int{}
	for _, s := range f.Alike {
		if count[s.Label] == 0 {
			names = append(names, s.Label)
		}
		count[s.Label]++
	}
	out := make([]string, 0, len(names))
	for _, name := range names {
		if c := count[name]; c > 1 {
			name += fmt.Sprintf(" (%d×)", c)
		}
		out = append(out, name)
	}
	if n >= 0 && len(out) > n {
		return out[:n], len(out) - n
	}
	return out, 0
}

// MoreLikeIt is "and 13 more like it", "" when the finding stands alone.
func (f finding) MoreLikeIt() string {
	if len(f.Alike) == 0 {
		return ""
	}
	return "and " + Count(len(f.Alike), "more like it", "more like it")
}

// sightingLabel is a variant and its operation in a few words.
func sightingLabel(c Check, op string) string {
	switch {
	case c.Variant == "":
		return op
	case op == "" || strings.Contains(c.Variant, op):
		return c.Variant
	}
	return c.Variant + " on " + op
}

// findingsOf groups the responses of checks (variants of one ID) that
// broke the rule by the violations they share, in the order found. A
// variant that failed with a reason and no violation is a finding of
// its own kind, alike with the variants that gave the same reason.
func findingsOf(checks []Check) []finding {
	var out []finding
	index := map[string]int{}
	add := func(key string, f finding, s sighting) {
		if i, ok := index[key]; ok {
			out[i].Alike = append(out[i].Alike, s)
			return
		}
		index[key] = len(out)
		out = append(out, f)
	}
	for _, c := range checks {
		if len(c.Violations) == 0 {
			s := sighting{Check: c, Exchange: -1, Label: sightingLabel(c, "")}
			add("reason\x00"+c.Reason, finding{Check: c, Exchange: -1}, s)
			continue
		}
		by, order := c.violationsByExchange()
		for _, i := range order {
			vs := by[i]
			ex := i
			if ex < 0 || ex >= len(c.Exchanges) {
				ex = -1
			}
			s := sighting{Check: c, Exchange: ex, Label: sightingLabel(c, vs[0].Operation)}
			add(violationKey(vs), finding{Check: c, Exchange: ex, Violations: vs}, s)
		}
	}
	return out
}

// violationKey is what makes two responses' violations the same: each
// violation in words (without its operation), each once, in any order.
func violationKey(vs []Violation) string {
	var words []string
	for _, v := range vs {
		if s := v.String(); !slices.Contains(words, s) {
			words = append(words, s)
		}
	}
	slices.Sort(words)
	return strings.Join(words, "\n")
}

// findingText is a finding for a plain-text report, indented: where it
// was seen and with what token, each violation, the evidence to
// reproduce it, then the responses alike, named (the first few, up to
// fifty when verbose).
func findingText(f finding, indent string, verbose bool) []string {
	var lines []string
	add := func(s string) { lines = append(lines, strings.TrimRight(indent+s, " ")) }
	if len(f.Violations) == 0 {
		if label := f.Label(); label != "" {
			add(label)
		}
		for l := range strings.SplitSeq(strings.TrimRight(f.Check.Reason, "\n"), "\n") {
			add("  " + l)
		}
	} else {
		ref, kept := f.Exchanged()
		if kept {
			add(f.Label() + " · sent with " + ref.Check.Exchanges[ref.Index].Auth)
		} else {
			add(f.Label())
		}
		for _, v := range f.Violations {
			add("  ✗ " + v.String())
		}
		if kept {
			for l := range strings.SplitSeq(strings.TrimRight(ref.Check.Exchanges[ref.Index].Evidence("    "), "\n"), "\n") {
				add(l)
			}
		}
	}
	if more := f.MoreLikeIt(); more != "" {
		limit := 3
		if verbose {
			limit = 50
		}
		names, left := f.AlikeNames(limit)
		s := "  " + more + ": " + strings.Join(names, " · ")
		if left > 0 {
			s += fmt.Sprintf(" · and %d more (-v, or the reports)", left)
		}
		add(s)
	}
	return lines
}

// line is a set's one line in a folded list: its first check's headline,
// its note, and why, when why says something of it.
func (set checkSet) line(why func(Check) string) string {
	c := set.First()
	line := c.Headline()
	if n := set.Note(); n != "" {
		line += " (" + n + ")"
	}
	if why != nil {
		if reason := why(c); reason != "" {
			line += " — " + reason
		}
	}
	return line
}
