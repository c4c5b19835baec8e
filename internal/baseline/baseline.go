// Package baseline keeps known failures from hiding new ones. A baseline
// file records a run's failures as fingerprints — check ID, variant,
// operation and the rule broken there, never a message, an id, a time or a
// token — and a later run is compared with it: failures it lists are
// known, those it does not list are new, and entries whose check now
// passes are fixed.
//
// A baseline belongs to one contract version and one profile: it records
// the profile's fingerprint (the SHA-256 of its canonical JSON), and Check
// refuses a file written for another contract or profile, whose
// fingerprints would mean something else.
package baseline

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cornect/conform/internal/report"
)

// Format is the version of the file format this package reads and writes.
const Format = 1

// File is a baseline file.
type File struct {
	Format          int    `json:"format"`
	ContractVersion string `json:"contract_version"`
	// Profile is the fingerprint of the profile the run used: "sha256:" and
	// the hex SHA-256 of its canonical JSON (see ProfileFingerprint).
	Profile  string  `json:"profile"`
	Failures []Entry `json:"failures"`
}

// Fingerprint names one failure stably from run to run.
type Fingerprint struct {
	ID        string `json:"id"`
	Variant   string `json:"variant,omitempty"`
	Operation string `json:"operation,omitempty"`
	Rule      string `json:"rule,omitempty"`
}

// String is the failure as reports name it: "AUTH-EXPIRED: status on GET /credits".
func (f Fingerprint) String() string {
	e := Entry{Fingerprint: f}.report()
	return e.Name() + ": " + e.Where()
}

func (f Fingerprint) compare(g Fingerprint) int {
	return cmp.Or(cmp.Compare(f.ID, g.ID), cmp.Compare(f.Variant, g.Variant), cmp.Compare(f.Operation, g.Operation), cmp.Compare(f.Rule, g.Rule))
}

// Entry is one known failure, with why it is accepted and until when.
type Entry struct {
	Fingerprint
	// Reason says why the failure is accepted; JUnit shows it on the
	// skipped case: "known failure: <reason>".
	Reason string `json:"reason,omitempty"`
	// Expires is the last day (YYYY-MM-DD, UTC) the entry holds; from the
	// day after, its failure counts as new again.
	Expires string `json:"expires,omitempty"`
}

const dateLayout = "2006-01-02"

// expired reports whether the entry no longer holds on the day of now.
func (e Entry) expired(now time.Time) bool {
	return e.Expires != "" && now.UTC().Format(dateLayout) > e.Expires
}

func (e Entry) report() report.BaselineEntry {
	return report.BaselineEntry{ID: e.ID, Variant: e.Variant, Operation: e.Operation, Rule: e.Rule, Reason: e.Reason, Expires: e.Expires}
}

// ProfileFingerprint is "sha256:" and the hex SHA-256 of profile's
// canonical JSON (encoding/json's: struct fields in order, map keys
// sorted, no insignificant space), so two files holding the same profile,
// however laid out, have the same fingerprint.
func ProfileFingerprint(profile any) (string, error) {
	b, err := json.Marshal(profile)
	if err != nil {
		return "", fmt.Errorf("fingerprinting the profile: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Failures are the fingerprints of the failed checks, sorted, each once:
// one per violation's operation and rule, or one for the check as a whole
// when it failed without a violation. stable turns an operation into its
// stable form (suite.StableOperation); nil keeps it as it is.
func Failures(checks []report.Check, stable func(string) string) []Fingerprint {
	var out []Fingerprint
	for _, c := range checks {
		if c.Status == report.Failed {
			out = append(out, fingerprints(c, stable)...)
		}
	}
	slices.SortFunc(out, Fingerprint.compare)
	return slices.Compact(out)
}

// fingerprints are a check's failure fingerprints, unsorted.
func fingerprints(c report.Check, stable func(string) string) []Fingerprint {
	if stable == nil {
		stable = func(s string) string { return s }
	}
	if len(c.Violations) == 0 {
		return []Fingerprint{{ID: c.ID, Variant: c.Variant}}
	}
	out := make([]Fingerprint, 0, len(c.Violations))
	for _, v := range c.Violations {
		out = append(out, Fingerprint{ID: c.ID, Variant: c.Variant, Operation: stable(v.Operation), Rule: v.Rule})
	}
	return out
}

// New is the baseline of failures for a contract and a profile. Entries
// that previous lists too keep its reason and expiry date, so a baseline
// rewritten after a fix keeps what people wrote in it.
func New(contract, profile string, failures []Fingerprint, previous *File) File {
	f := File{Format: Format, ContractVersion: contract, Profile: profile, Failures: []Entry{}}
	old := map[Fingerprint]Entry{}
	if previous != nil {
		for _, e := range previous.Failures {
			old[e.Fingerprint] = e
		}
	}
	for _, fp := range failures {
		e := Entry{Fingerprint: fp}
		if o, ok := old[fp]; ok {
			e.Reason, e.Expires = o.Reason, o.Expires
		}
		f.Failures = append(f.Failures, e)
	}
	slices.SortFunc(f.Failures, func(a, b Entry) int { return a.compare(b.Fingerprint) })
	return f
}

// Encode writes the file as indented JSON, entries sorted: the same
// failures always give the same bytes, so the file diffs well in review.
func (f File) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

// Decode reads a baseline file strictly (an unknown field is an error) and
// validates it. Every error is one line.
func Decode(b []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, fmt.Errorf("not a baseline: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errors.New("not a baseline: unexpected content after the baseline object")
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *File) validate() error {
	switch {
	case f.Format == 0:
		return errors.New(`not a baseline: no "format"`)
	case f.Format != Format:
		return fmt.Errorf("format %d; this conform reads format %d: write a new baseline with --write-baseline", f.Format, Format)
	case f.ContractVersion == "":
		return errors.New(`no "contract_version"`)
	case !strings.HasPrefix(f.Profile, "sha256:"):
		return fmt.Errorf(`"profile" is %q, not a profile fingerprint (sha256:…)`, f.Profile)
	}
	seen := map[Fingerprint]int{}
	for i, e := range f.Failures {
		n := i + 1
		if e.ID == "" {
			return fmt.Errorf(`failure %d has no "id"`, n)
		}
		if e.Expires != "" {
			if _, err := time.Parse(dateLayout, e.Expires); err != nil {
				return fmt.Errorf(`failure %d (%s): "expires" is %q, not a date such as 2026-12-31`, n, e.ID, e.Expires)
			}
		}
		if first, dup := seen[e.Fingerprint]; dup {
			return fmt.Errorf("failure %d repeats failure %d (%s)", n, first, e.Fingerprint)
		}
		seen[e.Fingerprint] = n
	}
	return nil
}

// Check refuses a baseline written for another contract version or
// another profile: its fingerprints would name other rules, or the same
// rules of another API.
func (f *File) Check(contract, profile string) error {
	if f.ContractVersion != contract {
		return fmt.Errorf("written for contract %q, but this conform checks %q: write a new baseline with --write-baseline", f.ContractVersion, contract)
	}
	if f.Profile != profile {
		return fmt.Errorf("written for another profile (%s), this run's is %s: write a new baseline with --write-baseline", f.Profile, profile)
	}
	return nil
}

// Compare sorts a run's failures by the baseline, on the day of now: each
// failure is known (an entry in force lists it) or new (none does, or its
// entry has expired); each entry whose check reached a verdict without its
// failure is fixed, and one whose check reached none, or still shows the
// failure as a warning, is unchecked. file names the baseline in reports.
func Compare(f *File, file string, checks []report.Check, stable func(string) string, now time.Time) *report.Baseline {
	out := &report.Baseline{File: file, New: []report.BaselineEntry{}, Known: []report.BaselineEntry{}, Fixed: []report.BaselineEntry{}}
	entries := map[Fingerprint]Entry{}
	for _, e := range f.Failures {
		entries[e.Fingerprint] = e
	}
	failing := map[Fingerprint]bool{}
	for _, fp := range Failures(checks, stable) {
		failing[fp] = true
		e, listed := entries[fp]
		switch {
		case !listed:
			out.New = append(out.New, Entry{Fingerprint: fp}.report())
		case e.expired(now):
			be := e.report()
			be.Expired = true
			out.New = append(out.New, be)
		default:
			out.Known = append(out.Known, e.report())
		}
	}
	type check struct{ id, variant string }
	verdict := map[check]bool{}
	warned := map[Fingerprint]bool{}
	for _, c := range checks {
		switch c.Status {
		case report.Passed, report.Failed, report.Warning:
			verdict[check{c.ID, c.Variant}] = true
		}
		if c.Status == report.Warning {
			for _, fp := range fingerprints(c, stable) {
				warned[fp] = true
			}
		}
	}
	sorted := slices.Clone(f.Failures)
	slices.SortFunc(sorted, func(a, b Entry) int { return a.compare(b.Fingerprint) })
	for _, e := range sorted {
		switch {
		case failing[e.Fingerprint]:
		case warned[e.Fingerprint] || !verdict[check{e.ID, e.Variant}]:
			out.Unchecked = append(out.Unchecked, e.report())
		default:
			out.Fixed = append(out.Fixed, e.report())
		}
	}
	return out
}
