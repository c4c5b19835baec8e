package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ConsoleOptions shape the console summary.
type ConsoleOptions struct {
	Color bool // ANSI colours, for a terminal
	// Verbose also shows the evidence of warnings and known failures,
	// names every response alike, and lists passed checks with their
	// exchanges and the coverage per operation.
	Verbose bool
	// NoHeader leaves out the version, target and profile, for a run
	// that printed them when it started.
	NoHeader bool
}

// strictWords says what --strict does to this run.
func strictWords(strict bool) string {
	if strict {
		return "yes, a failed SHOULD fails the run"
	}
	return "no, a failed SHOULD is a warning"
}

// Console writes the closing summary of a run for a terminal or a CI log,
// in the order a reader fixes things: a short header, the verdict and the
// counts, then the failures grouped by check (each distinct violation
// once, with the evidence to reproduce it, then "and N more like it"),
// the errors of conform, the warnings and known failures one line each
// (their evidence with Verbose), then every other check one line each,
// variants folded into counts. The verdict is repeated last, for the
// tail of a CI log.
//
// Text from the target (bodies, headers) is printed with its control
// characters escaped, so a hostile response cannot move the cursor or
// recolour the terminal.
func Console(w io.Writer, r Result, o ConsoleOptions) error {
	p := &printer{w: w, color: o.Color}
	v := r.verdict()
	s := sectionsOf(r)

	if !o.NoHeader {
		p.line(p.bold(fmt.Sprintf("conform %s, contract %s", r.Version, r.ContractVersion)) + " · " + termSafe(targetLine(r.Target)))
		p.line(p.dim("profile: ") + termSafe(r.Target.Profile))
		p.line("")
	}
	p.verdict(v)
	p.line(idCountsLine(r, s) + fmt.Sprintf(" · %d requests · %s", r.Stats.Requests, roughly(r.Duration)))

	if len(s.Failed) > 0 {
		p.heading("FAILURES: " + tallyOf(s.Failed))
		for _, set := range s.Failed {
			p.checkSet(set, p.red("✗"), o.Verbose)
		}
	}
	if len(s.Errors) > 0 {
		p.heading("ERRORS OF CONFORM: " + tallyOf(s.Errors) + " (a defect of conform, please report it)")
		for _, set := range s.Errors {
			p.checkSet(set, p.red("‼"), true)
		}
	}
	p.folded("WARNINGS", s.Warned, p.yellow("!"), o.Verbose, nil)
	p.folded("KNOWN FAILURES, listed in the baseline", s.Known, p.dim("–"), o.Verbose, func(c Check) string {
		reason, _ := v.KnownFailure(c)
		return reason
	})
	p.rest(s.Rest)

	if o.Verbose {
		p.passed(r)
		p.coverage(r)
	}

	p.line("")
	p.line(fmt.Sprintf("strict: %s · duration: %s", strictWords(r.Strict), roughly(r.Duration)))
	if r.Stats.Retries > 0 || r.Stats.PaceWaited > 0 || o.Verbose {
		p.line(fmt.Sprintf("requests: %d sent; %d unprovoked 429s waited out (%s on Retry-After); %s pacing within the limits",
			r.Stats.Requests, r.Stats.Retries, roughly(r.Stats.RetryWall), roughly(r.Stats.PaceWaited)))
	}
	for _, n := range r.Notes {
		p.line(p.yellow("note: ") + termSafe(n))
	}
	p.baseline(r)
	p.line("")
	p.baselineVerdict(r)
	p.verdict(v)
	return p.err
}

// verdict writes the verdict's headline, green when the run passes.
func (p *printer) verdict(v Verdict) {
	if v.Passes() {
		p.line(p.bold(p.green(termSafe(v.Headline))))
	} else {
		p.line(p.bold(p.red(termSafe(v.Headline))))
	}
}

// checkSet writes one check of a section: its heading, its requirement
// and source, then each distinct violation with its evidence.
func (p *printer) checkSet(set checkSet, mark string, verbose bool) {
	c := set.First()
	fs := set.Findings()
	p.line("")
	p.line(mark + " " + p.bold(termSafe(c.ID)) + " — " + termSafe(c.Title))
	p.line("  " + string(c.Level) + ": " + termSafe(c.Sentence))
	facts := []string{termSafe(c.Source)}
	if n := set.Note(); n != "" {
		facts = append(facts, n)
	}
	if len(fs) > 1 {
		facts = append(facts, Plural(len(fs), "distinct violation"))
	}
	p.line("  " + p.dim(strings.Join(facts, " · ")))
	for _, f := range fs {
		p.line("")
		for _, l := range findingText(f, "  ", verbose) {
			p.line(termSafe(l))
		}
	}
}

// folded writes a section one line per check (the first violation, how
// many more, and why when why is given), or in full when verbose.
func (p *printer) folded(title string, sets []checkSet, mark string, verbose bool, why func(Check) string) {
	if len(sets) == 0 {
		return
	}
	if verbose {
		p.heading(title + ": " + tallyOf(sets))
		for _, set := range sets {
			p.checkSet(set, mark, true)
		}
		return
	}
	p.heading(title + ": " + tallyOf(sets) + " (-v for their evidence)")
	width := 0
	for _, set := range sets {
		width = max(width, len(set.First().ID))
	}
	for _, set := range sets {
		c, line := set.First(), set.line(why)
		p.line(fmt.Sprintf("  %s %-*s  %s", mark, width, termSafe(c.ID), termSafe(shorten(line, 160))))
	}
}

// rest writes every check ID with nothing to fix one line each, the
// reason under a check that was not judged.
func (p *printer) rest(groups []Group) {
	if len(groups) == 0 {
		return
	}
	p.heading("OTHER CHECKS")
	groups = byReadingOrder(groups, func(g Group) Status { return g.Status })
	width := 0
	for _, g := range groups {
		width = max(width, len(g.ID))
	}
	for _, g := range groups {
		word := p.status(g.Status, fmt.Sprintf("%-12s", groupWord(g.Status)))
		note := ""
		if n := variantCounts(g); n != "" {
			note = p.dim(" (" + n + ")")
		}
		p.line(fmt.Sprintf("  %s  %-*s  %s%s", word, width, termSafe(g.ID), termSafe(g.Title), note))
		if g.Status != Passed {
			for _, c := range g.Checks {
				if c.Status == g.Status {
					p.line(fmt.Sprintf("  %12s  %s", "", p.dim("– "+termSafe(shorten(c.Headline(), 100)))))
					break
				}
			}
		}
	}
}

// passed lists the passed checks with their exchanges (verbose).
func (p *printer) passed(r Result) {
	if r.Count().Passed == 0 {
		return
	}
	p.heading(fmt.Sprintf("PASSED (%s)", Plural(r.Count().Passed, "variant")))
	for _, ch := range r.Checks {
		if ch.Status != Passed {
			continue
		}
		p.line(p.green("✓") + " " + termSafe(ch.Name()+" — "+ch.Title))
		for _, l := range exchangeLines(ch, "->") {
			p.line("    " + p.dim(termSafe(l)))
		}
	}
}

// coverage writes each operation and the checks that failed or warned on it (verbose).
func (p *printer) coverage(r Result) {
	lines := coverageLines(r)
	if len(lines) == 0 {
		return
	}
	p.heading("COVERAGE PER OPERATION")
	width := 0
	for _, l := range lines {
		width = max(width, len(l.Operation))
	}
	for _, l := range lines {
		text := fmt.Sprintf("  %-*s  %s", width, termSafe(l.Operation), l.Summary())
		switch {
		case len(l.Failed) > 0:
			text = p.red(text)
		case len(l.Warned) > 0:
			text = p.yellow(text)
		}
		p.line(text)
	}
}

// printer writes lines and keeps the first write error.
type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

func (p *printer) heading(s string) {
	p.line("")
	p.line(p.bold(s))
}

func (p *printer) status(s Status, text string) string {
	switch s {
	case Passed:
		return p.green(text)
	case Failed:
		return p.red(text)
	case Warning:
		return p.yellow(text)
	default:
		return p.dim(text)
	}
}

func (p *printer) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) bold(s string) string   { return p.paint("1", s) }
func (p *printer) dim(s string) string    { return p.paint("2", s) }
func (p *printer) red(s string) string    { return p.paint("31", s) }
func (p *printer) green(s string) string  { return p.paint("32", s) }
func (p *printer) yellow(s string) string { return p.paint("33", s) }

// termSafe escapes what a terminal would act on, so it shows instead of
// taking effect: C0 controls but tab and newline, and DEL, as \x1b; C1
// controls as \u009b; and each byte that is not part of valid UTF-8 as
// \xNN, since many terminals read a lone 0x9b as CSI (strconv.Quote's
// notation, byte by byte rather than rune by rune, so no invalid byte is
// decoded into U+FFFD and passed on raw).
func termSafe(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isTermControl) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isTermControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isTermControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isTermControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r < 0xa0)
}
