package report

import (
	"fmt"
	"slices"
	"strings"
)

// How the console and the HTML report put a run before a reader: what
// needs fixing first, and one block for variants that broke a rule the
// same way, rather than nine copies of one finding.

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

// block is what a reader sees as one entry: a check, or the variants of
// one check that failed (or warned) with the same violations.
type block struct {
	Checks []Check
	// Same lists the violations the variants share, each once, when the
	// block holds more than one check.
	Same []string
}

// First is the check that stands for the block.
func (b block) First() Check { return b.Checks[0] }

// Summary says what the variants share: "9 variants, same violation: body
// /detail: expected object, got array [type]"; "" for a single check.
func (b block) Summary() string {
	if len(b.Checks) < 2 {
		return ""
	}
	word := "violation"
	if len(b.Same) > 1 {
		word = Plural(len(b.Same), "violation")
	}
	return fmt.Sprintf("%d variants, same %s: %s", len(b.Checks), word, strings.Join(b.Same, "; "))
}

// Variants names the block's variants.
func (b block) Variants() []string {
	var out []string
	for _, c := range b.Checks {
		out = append(out, c.Variant)
	}
	return out
}

// blocks puts checks (in reading order) into blocks: neighbouring variants
// of one check ID with the same status, failed or warning, and the same
// violations (what was found where, whatever the operation) share one.
func blocks(checks []Check) []block {
	var out []block
	for _, c := range checks {
		sig := violationSet(c)
		if n := len(out); n > 0 && groupable(c) {
			last := out[n-1]
			prev := last.First()
			if groupable(prev) && prev.ID == c.ID && prev.Status == c.Status && slices.Equal(violationSet(prev), sig) {
				out[n-1].Checks = append(out[n-1].Checks, c)
				out[n-1].Same = sig
				continue
			}
		}
		out = append(out, block{Checks: []Check{c}})
	}
	return out
}

func groupable(c Check) bool {
	return c.Variant != "" && len(c.Violations) > 0 && (c.Status == Failed || c.Status == Warning)
}

// violationSet is a check's violations in words, each once, in the order
// found; the operation is left out, so variants on different endpoints
// compare equal.
func violationSet(c Check) []string {
	var out []string
	for _, v := range c.Violations {
		if s := v.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
