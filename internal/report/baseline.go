package report

import (
	"fmt"
	"slices"
	"strings"
)

// Baseline is how a run's failures compare with a baseline of known
// failures (conform run --baseline FILE), in three groups: failures the
// baseline does not list (they fail the run), failures it lists, and
// listed failures the run shows fixed. Each entry is one fingerprint: a
// check, its variant, an operation and the rule broken there.
type Baseline struct {
	File string `json:"file"`
	// New are this run's failures the baseline does not list, or lists in
	// an entry that has expired. Any one fails the run.
	New []BaselineEntry `json:"new"`
	// Known are this run's failures the baseline lists: they do not fail it.
	Known []BaselineEntry `json:"known"`
	// Fixed are entries whose check reached a verdict without that failure:
	// remove them from the baseline.
	Fixed []BaselineEntry `json:"fixed"`
	// Unchecked are entries this run cannot call fixed: their check did
	// not reach a verdict (skipped, not selected, inconclusive), or still
	// shows the failure as a warning.
	Unchecked []BaselineEntry `json:"unchecked,omitempty"`
}

// BaselineEntry is one failure fingerprint, with what the baseline says of it.
type BaselineEntry struct {
	ID        string `json:"id"`
	Variant   string `json:"variant,omitempty"`
	Operation string `json:"operation,omitempty"`
	Rule      string `json:"rule,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Expires   string `json:"expires,omitempty"` // YYYY-MM-DD
	// Expired marks a new failure whose baseline entry has expired.
	Expired bool `json:"expired,omitempty"`
}

// Name is the entry's check as Check.Name shows it: ID and variant.
func (e BaselineEntry) Name() string {
	return Check{ID: e.ID, Variant: e.Variant}.Name()
}

// Where is what the entry names within its check: the rule and the
// operation, "status on GET /credits".
func (e BaselineEntry) Where() string {
	switch {
	case e.Rule != "" && e.Operation != "":
		return e.Rule + " on " + e.Operation
	case e.Rule != "":
		return e.Rule
	case e.Operation != "":
		return e.Operation
	}
	return "the check as a whole"
}

// Detail is where, and what the baseline says of the entry: "status on
// GET /credits (a fix is under way; until 2026-12-31)".
func (e BaselineEntry) Detail() string {
	s := e.Where()
	if n := e.notes(); len(n) > 0 {
		s += " (" + strings.Join(n, "; ") + ")"
	}
	return s
}

// notes are what the baseline says of the entry: its reason, its expiry.
func (e BaselineEntry) notes() []string {
	var notes []string
	if e.Reason != "" {
		notes = append(notes, e.Reason)
	}
	switch {
	case e.Expired:
		notes = append(notes, "its entry expired on "+e.Expires)
	case e.Expires != "":
		notes = append(notes, "until "+e.Expires)
	}
	return notes
}

// BaselineLines sums entries up one line per check, checks in the order of
// the entries, operations with the same rules together: "AUTH-EXPIRED:
// schema, status on GET /credits, POST /exports (fix in 2.3; until
// 2026-12-31)". A check's operations past the fourth are counted, not named.
func BaselineLines(es []BaselineEntry) []string {
	type check struct {
		name  string
		ops   []string            // in order
		rules map[string][]string // operation → rules, in order
		notes []string
	}
	var checks []*check
	byName := map[string]*check{}
	for _, e := range es {
		c := byName[e.Name()]
		if c == nil {
			c = &check{name: e.Name(), rules: map[string][]string{}}
			byName[e.Name()] = c
			checks = append(checks, c)
		}
		if _, seen := c.rules[e.Operation]; !seen {
			c.ops = append(c.ops, e.Operation)
		}
		if !slices.Contains(c.rules[e.Operation], e.Rule) {
			c.rules[e.Operation] = append(c.rules[e.Operation], e.Rule)
		}
		for _, n := range e.notes() {
			if !slices.Contains(c.notes, n) {
				c.notes = append(c.notes, n)
			}
		}
	}
	var lines []string
	for _, c := range checks {
		var sets []string              // rule sets, in order
		opsOf := map[string][]string{} // rule set → operations
		for _, op := range c.ops {
			set := strings.Join(slices.DeleteFunc(slices.Clone(c.rules[op]), func(r string) bool { return r == "" }), ", ")
			if _, seen := opsOf[set]; !seen {
				sets = append(sets, set)
			}
			opsOf[set] = append(opsOf[set], op)
		}
		var parts []string
		for _, set := range sets {
			ops := slices.DeleteFunc(opsOf[set], func(op string) bool { return op == "" })
			named := strings.Join(ops, ", ")
			if len(ops) > 4 {
				named = strings.Join(ops[:3], ", ") + fmt.Sprintf(" and %d more operations", len(ops)-3)
			}
			parts = append(parts, BaselineEntry{Rule: set, Operation: named}.Where())
		}
		line := c.name + ": " + strings.Join(parts, "; ")
		if len(c.notes) > 0 {
			line += " (" + strings.Join(c.notes, "; ") + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// KnownFailure reports whether c failed only in ways the baseline lists,
// and the reasons it gives: such a check does not fail the run.
func (b *Baseline) KnownFailure(c Check) (reason string, ok bool) {
	if b == nil || c.Status != Failed {
		return "", false
	}
	same := func(e BaselineEntry) bool { return e.ID == c.ID && e.Variant == c.Variant }
	for _, e := range b.New {
		if same(e) {
			return "", false
		}
	}
	var reasons []string
	for _, e := range b.Known {
		if !same(e) {
			continue
		}
		ok = true
		if e.Reason != "" && !slices.Contains(reasons, e.Reason) {
			reasons = append(reasons, e.Reason)
		}
	}
	if len(reasons) == 0 {
		reasons = []string{"listed in " + b.File + ", no reason given"}
	}
	return strings.Join(reasons, "; "), ok
}

// Verdict is the comparison with the baseline in one line; whether the
// run passes is the run's Verdict (Decide).
func (b *Baseline) Verdict() string {
	counts := fmt.Sprintf("%d new, %d known, %d fixed", len(b.New), len(b.Known), len(b.Fixed))
	switch {
	case len(b.New) > 0:
		return fmt.Sprintf("baseline %s: %s: %s not in the baseline", b.File, counts, Count(len(b.New), "failure is", "failures are"))
	case len(b.Known) > 0:
		return fmt.Sprintf("baseline %s: %s: every failure is known", b.File, counts)
	}
	return fmt.Sprintf("baseline %s: %s: no failure", b.File, counts)
}

// Count is n of a thing whose plural is not word+s, or a phrase: "1
// entry", "2 entries"; "1 request got", "35 requests got".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// BaselineGroup is one of the three groups, as every writer words it.
type BaselineGroup struct {
	Title   string
	Entries []BaselineEntry
}

// Groups are the baseline's groups in the order every writer shows them:
// new first.
func (b *Baseline) Groups() []BaselineGroup {
	return []BaselineGroup{
		{"New: not in the baseline, these fail the run", b.New},
		{"Known: in the baseline, these do not fail the run", b.Known},
		{"Fixed: remove from the baseline, these pass now", b.Fixed},
	}
}

// baseline writes the console's baseline section; nothing without one.
func (p *printer) baseline(r Result) {
	b := r.Baseline
	if b == nil {
		return
	}
	p.heading("Baseline " + termSafe(b.File))
	marks := []string{p.red("✗"), p.dim("–"), p.green("✓")}
	for i, g := range b.Groups() {
		p.line(fmt.Sprintf("  %s (%d)", g.Title, len(g.Entries)))
		for _, l := range BaselineLines(g.Entries) {
			p.line("    " + marks[i] + " " + termSafe(l))
		}
	}
	if n := len(b.Unchecked); n > 0 {
		p.line(p.dim(fmt.Sprintf("  %s this run cannot call fixed (its check did not reach a verdict, or warned)", Count(n, "entry", "entries"))))
	}
}

// baselineVerdict writes the console's last line with a baseline.
func (p *printer) baselineVerdict(r Result) {
	if b := r.Baseline; b != nil {
		text := termSafe(b.Verdict())
		if len(b.New) > 0 {
			text = p.red(text)
		}
		p.line(p.bold(text))
	}
}

// mdBaseline writes the Markdown baseline section; nothing without one.
func mdBaseline(b *strings.Builder, r Result) {
	bl := r.Baseline
	if bl == nil {
		return
	}
	fmt.Fprintf(b, "**%s**\n\n", mdText(bl.Verdict()))
	for _, g := range bl.Groups() {
		fmt.Fprintf(b, "- %s (%d)\n", mdText(g.Title), len(g.Entries))
		for _, l := range BaselineLines(g.Entries) {
			fmt.Fprintf(b, "  - %s\n", mdText(l))
		}
	}
	b.WriteString("\n")
}

// markKnownFailures turns the JUnit case of each known failure (as the
// run's verdict counts them) into a skipped one ("known failure:
// <reason>"), never a pass, and counts it so. cases are in the order of
// r.Checks.
func markKnownFailures(s *junitSuite, r Result) {
	v := r.verdict()
	for i, c := range r.Checks {
		reason, ok := v.KnownFailure(c)
		if !ok || i >= len(s.Cases) {
			continue
		}
		s.Cases[i].Failure = nil
		s.Cases[i].Skipped = &junitSkipped{Message: "known failure: " + reason}
		s.Cases[i].SystemOut = &junitOutput{xmlText(c.Explanation())}
		s.Failures--
		s.Skipped++
	}
}
