package selftest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// sections head the table's parts, by kind.
var sections = map[Kind]string{
	Deviation:       "deviations from documented MUSTs: the run fails, in the check meant to catch each",
	ShouldDeviation: "deviations from HTTP and security SHOULDs: a warning by default, a failure under --strict, in that check",
	Variation:       "conforming variations: each passes under --strict",
	Control:         "the plain reference: passes under --strict",
}

// TextWriter writes the self-test as a table, an entry at a time (in table
// order, as Options.OnEntry delivers them), then a summary.
type TextWriter struct {
	w     io.Writer
	width int
	last  Kind
	err   error
}

// NewTextWriter writes to w, its columns fitted to table.
func NewTextWriter(w io.Writer, table []Entry) *TextWriter {
	tw := &TextWriter{w: w}
	for _, e := range table {
		tw.width = max(tw.width, len(e.Name))
	}
	return tw
}

func (t *TextWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// Header says what the self-test is about to do.
func (t *TextWriter) Header(table []Entry, parallel int) error {
	runs := 0
	for _, e := range table {
		runs += len(e.Runs())
	}
	t.printf("conform selftest: the suite against the embedded reference, one deviation or variation at a time\n")
	t.printf("%d suite runs, %d at a time, each against a reference of its own on loopback\n", runs, parallel)
	return t.err
}

// Entry writes one entry's row: the deviation and the check that caught
// it, or the variation and that it passed; with what went wrong when not OK.
func (t *TextWriter) Entry(er EntryResult) error {
	if er.Kind != t.last {
		t.printf("\n%s\n", sections[er.Kind])
		t.last = er.Kind
	}
	mark := "✓"
	if !er.OK {
		mark = "✗"
	}
	t.printf("  %s %-*s  %s\n", mark, t.width, er.Name, describe(er))
	for _, p := range er.Problems {
		t.printf("      %s\n", p)
	}
	return t.err
}

// describe is the row's verdict in words.
func describe(er EntryResult) string {
	var d time.Duration
	for _, r := range er.Runs {
		d = max(d, r.Duration)
	}
	took := d.Round(100 * time.Millisecond).String()
	switch er.Kind {
	case Deviation, ShouldDeviation:
		if !er.OK {
			return "MISSED: want " + strings.Join(er.Catch, ", ")
		}
		s := "caught by " + strings.Join(er.CaughtBy, ", ")
		if er.Kind == ShouldDeviation {
			s = "warned, and failed under --strict, by " + strings.Join(er.CaughtBy, ", ")
		}
		if n := len(er.AlsoFailed); n > 0 {
			s += fmt.Sprintf(" (and %d more failed)", n)
		}
		return s + "  " + took
	}
	if !er.OK {
		return "FAILED"
	}
	r := er.Runs[0]
	s := fmt.Sprintf("passed: %d checks", r.Checks)
	if len(r.NoVerdict) > 0 {
		s += ", nothing to judge for " + strings.Join(r.NoVerdict, ", ")
	}
	return s + "  " + took
}

// Summary writes the closing line: the counts and the verdict.
func (t *TextWriter) Summary(r Result) error {
	t.printf("\n%s\n", SummaryLine(r))
	if r.Stopped != "" {
		t.printf("%s\n", r.Stopped)
	}
	if r.OK {
		t.printf("SELFTEST PASSED: every deviation caught by the check meant to catch it, every variation passed\n")
	} else {
		t.printf("SELFTEST FAILED\n")
	}
	return t.err
}

// SummaryLine is the counts of a self-test in one line.
func SummaryLine(r Result) string {
	must, mustN := r.Tally(Deviation)
	should, shouldN := r.Tally(ShouldDeviation)
	vary, varyN := r.Tally(Variation)
	ctl, ctlN := r.Tally(Control)
	s := fmt.Sprintf("%d of %d MUST deviations caught, %d of %d SHOULD deviations caught, %d of %d variations passed",
		must, mustN, should, shouldN, vary, varyN)
	if ctlN > 0 {
		if ctl == ctlN {
			s += ", the plain reference passed"
		} else {
			s += ", the plain reference FAILED"
		}
	}
	return s + fmt.Sprintf("; %d suite runs, %d at a time, in %s", r.Runs, r.Parallel, r.Duration.Round(100*time.Millisecond))
}

// Text writes a finished self-test as TextWriter does while it runs.
func Text(w io.Writer, r Result) error {
	table := make([]Entry, len(r.Entries))
	for i, e := range r.Entries {
		table[i] = e.Entry
	}
	tw := NewTextWriter(w, table)
	for _, e := range r.Entries {
		tw.Entry(e)
	}
	return tw.Summary(r)
}

// JSON writes the self-test for machines.
func JSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
