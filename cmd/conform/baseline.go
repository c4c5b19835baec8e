package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/baseline"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/userfile"
	"github.com/cornect/conform/internal/version"
	"github.com/cornect/conform/suite"
)

// baselineFlags are conform run's flags for a baseline of known failures.
type baselineFlags struct {
	File  string // --baseline: compare with the known failures in it
	Write string // --write-baseline: record this run's failures in it
}

func (b *baselineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.File, "baseline", "", "known failures, a `FILE` written by --write-baseline: only a failure it does not list fails the run (exit 1)")
	fs.StringVar(&b.Write, "write-baseline", "", "record the run's failures in this `FILE` as known failures, for --baseline (exit 0 unless the run stopped or conform failed)")
}

// maxBaselineBytes bounds a baseline file: a run fails a few hundred ways at most.
const maxBaselineBytes = 4 << 20

// baselineRun is the baseline side of one run: the file it is compared
// with, the file it writes, and what both are fingerprinted against.
type baselineRun struct {
	flags    baselineFlags
	known    *baseline.File // nil without --baseline
	contract string
	profile  string // the profile's fingerprint
	now      func() time.Time
}

// prepareBaseline checks the baseline flags before the run sends a
// request: --baseline must be a baseline of this contract and profile, and
// --write-baseline a path a report could be written to. Each error is one line.
func prepareBaseline(cfg runConfig, prof *fixtures.Profile) (*baselineRun, error) {
	b := &baselineRun{flags: cfg.Baseline, contract: version.Contract, now: time.Now}
	if b.flags.File == "" && b.flags.Write == "" {
		return b, nil
	}
	var err error
	if b.profile, err = baseline.ProfileFingerprint(prof); err != nil {
		return nil, err
	}
	if b.flags.File != "" {
		raw, err := userfile.Read(b.flags.File, maxBaselineBytes)
		if err != nil {
			return nil, fmt.Errorf("--baseline: %w", err)
		}
		if b.known, err = baseline.Decode(raw); err == nil {
			err = b.known.Check(b.contract, b.profile)
		}
		if err != nil {
			return nil, fmt.Errorf("--baseline %q: %w", b.flags.File, err)
		}
	}
	return b, nil
}

// attach compares the run's failures with the baseline, for every report.
func (b *baselineRun) attach(r *report.Result) {
	if b.known != nil {
		r.Baseline = baseline.Compare(b.known, b.flags.File, r.Checks, suite.StableOperation, b.now())
		r.Config["baseline"] = b.flags.File
	}
	if b.flags.Write != "" {
		r.Config["write_baseline"] = b.flags.Write
		if b.known == nil {
			// Every failure of the run is known from now on.
			r.RecordedBaseline = b.flags.Write
		}
	}
}

// finish writes --write-baseline, when the run reached a verdict, and
// names on errOut the failures the baseline does not list. It returns
// false when the baseline file could not be written. Whether the run
// passes is its Verdict's to say (report.Decide): with --baseline, only a
// failure it does not list fails it; with --write-baseline alone, every
// failure has just been recorded as known.
func (b *baselineRun) finish(r report.Result, red *probe.Redactor, out, errOut io.Writer) bool {
	v := r.Verdict
	judged := v.Judged()
	if b.flags.Write != "" && !judged {
		fmt.Fprintf(errOut, "conform run: --write-baseline: the run has no verdict (exit %d), so %s was not written\n", v.ExitCode, b.flags.Write)
	}
	if b.flags.Write != "" && judged {
		failures := baseline.Failures(r.Checks, suite.StableOperation)
		f := baseline.New(b.contract, b.profile, failures, b.known)
		err := report.WriteFile(b.flags.Write, func(w io.Writer) error {
			rw := probe.NewRedactingWriter(w, red)
			if err := f.Encode(rw); err != nil {
				return err
			}
			return rw.Flush()
		})
		if err != nil {
			fmt.Fprintf(errOut, "conform run: --write-baseline NOT written: %v\n", err)
			return false
		}
		fmt.Fprintf(out, "baseline: %s, %s\n", b.flags.Write, report.Plural(len(f.Failures), "known failure"))
	}
	if v.Outcome == report.OutcomeNotConformant && r.Baseline != nil && len(r.Baseline.New) > 0 {
		n := len(r.Baseline.New)
		fmt.Fprintf(errOut, "conform run: %s not in the baseline %s: %s\n", report.Plural(n, "failure"), b.flags.File, strings.Join(report.BaselineLines(r.Baseline.New), "; "))
	}
	return true
}
