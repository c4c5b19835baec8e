package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ConsoleOptions shape the console summary.
type ConsoleOptions struct {
	Color   bool // ANSI colours, for a terminal
	Verbose bool // also list passed checks with their exchanges
}

// Console writes the closing summary of a run for a terminal or a CI log:
// what was checked, every failure and warning with its evidence, one line per
// documented failure, the counts and the verdict.
//
// Text from the target (bodies, headers) is printed with its control
// characters escaped, so a hostile response cannot move the cursor or
// recolour the terminal.
func Console(w io.Writer, r Result, o ConsoleOptions) error {
	p := &printer{w: w, color: o.Color}
	c := r.Count()

	p.line(p.bold(fmt.Sprintf("conform %s, contract %s", r.Version, r.ContractVersion)))
	p.line(p.dim("target:   ") + termSafe(targetLine(r.Target)))
	p.line(p.dim("profile:  ") + termSafe(r.Target.Profile))
	if r.Strict {
		p.line(p.dim("strict:   ") + "yes, a failed SHOULD fails the run")
	} else {
		p.line(p.dim("strict:   ") + "no, a failed SHOULD is a warning")
	}
	p.baseline(r)

	if o.Verbose && c.Passed > 0 {
		p.heading(fmt.Sprintf("Passed (%d)", c.Passed))
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
	if c.Failed > 0 {
		p.heading(fmt.Sprintf("Failures (%d)", c.Failed))
		p.checks(r.Checks, Failed, p.red("✗"), o.Verbose)
	}
	if c.Warnings > 0 {
		p.heading(fmt.Sprintf("Warnings (%d)", c.Warnings))
		p.checks(r.Checks, Warning, p.yellow("!"), o.Verbose)
	}

	p.heading("Per documented failure")
	groups := byReadingOrder(r.Groups(), func(g Group) Status { return g.Status })
	idWidth := 0
	for _, g := range groups {
		idWidth = max(idWidth, len(g.ID))
	}
	for _, g := range groups {
		word := p.status(g.Status, fmt.Sprintf("%-8s", groupWord(g.Status)))
		note := ""
		if n := variantsNote(g); n != "" {
			note = p.dim(" (" + n + ")")
		}
		p.line(fmt.Sprintf("  %s  %-*s  %s%s", word, idWidth, termSafe(g.ID), termSafe(g.Title), note))
		if g.Status == Skipped {
			p.line(fmt.Sprintf("  %8s  %s", "", p.dim("– "+termSafe(shorten(g.Checks[0].Headline(), 100)))))
		}
	}

	if lines := coverageLines(r); len(lines) > 0 {
		p.heading("Coverage per operation")
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

	p.line("")
	p.line(countsLine(c))
	p.line(fmt.Sprintf("requests: %d sent; %d unprovoked 429s waited out (%s on Retry-After); %s pacing within the limits",
		r.Stats.Requests, r.Stats.Retries, roughly(r.Stats.RetryWall), roughly(r.Stats.PaceWaited)))
	p.line("duration: " + roughly(r.Duration).String())
	for _, n := range r.Notes {
		p.line(p.yellow("note: ") + termSafe(n))
	}
	p.line("")
	p.baselineVerdict(r)
	if v := r.verdict(); v.Passes() {
		p.line(p.bold(p.green(termSafe(v.Headline))))
	} else {
		p.line(p.bold(p.red(termSafe(v.Headline))))
	}
	return p.err
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

// checks writes every check with status s, variants that broke the rule
// the same way as one block: what they share, their names, and the
// evidence of the first (of each, when verbose).
func (p *printer) checks(cs []Check, s Status, mark string, verbose bool) {
	var of []Check
	for _, c := range cs {
		if c.Status == s {
			of = append(of, c)
		}
	}
	for _, b := range blocks(of) {
		c := b.First()
		p.line("")
		if len(b.Checks) == 1 {
			p.line(mark + " " + p.bold(termSafe(c.Name())) + " — " + termSafe(c.Title))
		} else {
			p.line(mark + " " + p.bold(termSafe(c.ID)) + " — " + termSafe(c.Title))
			p.line("    " + p.bold(termSafe(b.Summary())))
			p.line("    " + p.dim("variants: ") + termSafe(strings.Join(b.Variants(), " · ")))
		}
		p.line("    " + p.dim("level:    ") + string(c.Level))
		p.line("    " + p.dim("sentence: ") + termSafe(c.Sentence))
		p.line("    " + p.dim("source:   ") + termSafe(c.Source))
		shown := b.Checks[:1]
		if verbose {
			shown = b.Checks
		}
		for _, v := range shown {
			msg := strings.TrimRight(v.Explanation(), "\n")
			if msg == "" {
				continue
			}
			p.line("")
			if len(b.Checks) > 1 {
				head := "[" + v.Variant + "]"
				if !verbose {
					head += " (the other variants' evidence: -v, or the reports)"
				}
				p.line("    " + p.dim(termSafe(head)))
			}
			for l := range strings.SplitSeq(msg, "\n") {
				p.line(strings.TrimRight("    "+termSafe(l), " "))
			}
		}
	}
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
