package report

import (
	"fmt"
	"strings"

	"github.com/cornect/conform/internal/exitcode"
)

// Outcome is what a run comes to, one word per exit code.
type Outcome string

// The outcomes of a run, most urgent first in Decide's order.
const (
	// OutcomeInternalError: conform itself failed in a check.
	OutcomeInternalError Outcome = "internal-error"
	// OutcomeTargetLost: the target stopped answering during the run; the
	// checks it left unjudged are not failures.
	OutcomeTargetLost Outcome = "target-unusable"
	// OutcomeIncomplete: Ctrl-C or --suite-timeout stopped the run.
	OutcomeIncomplete Outcome = "incomplete"
	// OutcomeNotConformant: a check failed in a way no baseline lists.
	OutcomeNotConformant Outcome = "not-conformant"
	// OutcomeRequiredSkipped: under the CI rules, MUST checks were skipped
	// for a token not set.
	OutcomeRequiredSkipped Outcome = "required-checks-skipped"
	// OutcomeRequiredInconclusive: under the CI rules, MUST checks ended
	// inconclusive.
	OutcomeRequiredInconclusive Outcome = "required-checks-inconclusive"
	// OutcomeConformant: nothing failed that the baseline does not list.
	OutcomeConformant Outcome = "conformant"
)

// Tally counts checks by ID and their variants: 5 checks, 15 variants.
type Tally struct {
	Checks   int `json:"checks"`
	Variants int `json:"variants"`
}

// String is "5 checks (15 variants)", the variants named only when a
// check has more than one.
func (t Tally) String() string { return t.of("check") }

func (t Tally) of(word string) string { return t.did(word, "") }

// did is "5 checks failed (15 variants)": the checks, what they did, then
// their variants when a check has more than one.
func (t Tally) did(word, verb string) string {
	s := Plural(t.Checks, word)
	if verb != "" {
		s += " " + verb
	}
	if t.Variants > t.Checks {
		s += " (" + Plural(t.Variants, "variant") + ")"
	}
	return s
}

// Verdict is the one decision of a run: its outcome, its exit code and the
// line every report heads with. Decide computes it once from the checks,
// the baseline and the CI rules; every writer prints it and the process
// exits with its ExitCode.
type Verdict struct {
	Outcome  Outcome `json:"outcome"`
	ExitCode int     `json:"exit_code"`
	// Headline is the verdict in one line: "NOT CONFORMANT: 5 checks
	// failed (15 variants)".
	Headline string `json:"headline"`
	// Why are the lines that explain an outcome other than a plain pass or
	// fail (which checks, and what would let the run pass), for stderr.
	Why []string `json:"why,omitempty"`
	// Failed are the checks that failed in a way no baseline lists;
	// Known those whose every failure the baseline lists.
	Failed Tally `json:"failed"`
	Known  Tally `json:"known"`
	// Skipped and Inconclusive are the selected MUST checks the run could
	// not verify: skipped (a token not set, not applicable), inconclusive.
	Skipped      Tally `json:"must_skipped"`
	Inconclusive Tally `json:"must_inconclusive"`
	// known maps Check.Name() of each known failure to the baseline's reason.
	known map[string]string
}

// Passes says the run passes: its exit code is 0.
func (v Verdict) Passes() bool { return v.ExitCode == exitcode.OK }

// Conformant says the run completed, conform did not break, and no check
// failed, known failures included; skipped and inconclusive MUST checks
// do not make it false (the headline names them).
func (v Verdict) Conformant() bool {
	return v.Judged() && v.Outcome != OutcomeNotConformant && v.Known.Checks == 0
}

// Judged says the run reached a verdict on the target: it completed, the
// target answered to the end, and conform did not break.
func (v Verdict) Judged() bool {
	switch v.Outcome {
	case OutcomeConformant, OutcomeNotConformant, OutcomeRequiredSkipped, OutcomeRequiredInconclusive:
		return true
	}
	return false
}

// KnownFailure says whether c failed only in ways the baseline lists (or
// that --write-baseline has just recorded), and the reason given.
func (v Verdict) KnownFailure(c Check) (reason string, ok bool) {
	reason, ok = v.known[c.Name()]
	return reason, ok && c.Status == Failed
}

// Decide is the run's verdict. The order is the order of urgency: a
// defect of conform, a target that stopped answering, a run stopped early,
// new failures, then the CI rules (MUST checks skipped for a token not
// set, MUST checks inconclusive), then a pass.
func Decide(r Result) Verdict {
	v := Verdict{known: map[string]string{}}
	t := v.count(r)
	v.decide(r, t)
	return v
}

// tallies are what Decide's reasons name beyond the counts: the checks
// conform failed in, the MUST checks skipped for a token, the inconclusive
// ones and why.
type tallies struct {
	errs, skippedNames, inconclusiveWhy []string
	tokenSkips                          Tally
}

// count tallies the run's checks into v's counts: failed (and known to the
// baseline), skipped and inconclusive MUST checks, each check once, its
// variants in brackets.
func (v *Verdict) count(r Result) tallies {
	var t tallies
	failed, known := map[string]bool{}, map[string]bool{}
	skipped, inconclusive := map[string]bool{}, map[string]bool{}
	tokenSkipped := map[string]bool{}
	for _, c := range r.Checks {
		switch {
		case c.Status == Error:
			t.errs = append(t.errs, c.Name()+": "+c.Headline())
		case c.Status == Failed:
			if reason, ok := r.knownFailure(c); ok {
				v.known[c.Name()] = reason
				known[c.ID] = true
				v.Known.Variants++
				continue
			}
			failed[c.ID] = true
			v.Failed.Variants++
		case c.Level != Must:
		case c.Status == Skipped && c.Skip != SkipFiltered:
			skipped[c.ID] = true
			v.Skipped.Variants++
			if c.Skip == SkipMissingToken {
				t.tokenSkips.Variants++
				tokenSkipped[c.ID] = true
				if !containsString(t.skippedNames, c.ID) {
					t.skippedNames = append(t.skippedNames, c.ID)
				}
			}
		case c.Status == Inconclusive:
			if !inconclusive[c.ID] {
				t.inconclusiveWhy = append(t.inconclusiveWhy, c.Name()+" ("+shorten(c.Headline(), 160)+")")
			}
			inconclusive[c.ID] = true
			v.Inconclusive.Variants++
		}
	}
	v.Failed.Checks, v.Known.Checks = len(failed), len(known)
	v.Skipped.Checks, v.Inconclusive.Checks = len(skipped), len(inconclusive)
	t.tokenSkips.Checks = len(tokenSkipped)
	return t
}

// decide sets v's outcome, exit code, headline and why from its counts,
// the run's end and the CI rules, in that order of precedence.
func (v *Verdict) decide(r Result, t tallies) {
	required := r.RequiredBy
	if required == "" {
		required = "CI=true or --require-all"
	}
	switch {
	case len(t.errs) > 0:
		v.Outcome, v.ExitCode = OutcomeInternalError, exitcode.Internal
		v.Headline = fmt.Sprintf("NO VERDICT: conform itself failed in %s (a defect of conform, not of the target)", Plural(len(t.errs), "check"))
		v.Why = []string{"internal error of conform (please report it): " + t.errs[0]}
	case r.TargetLost != "":
		v.Outcome, v.ExitCode = OutcomeTargetLost, exitcode.Unreachable
		v.Headline = "NO VERDICT: " + r.TargetLost + "; the checks it left unjudged are not failures"
		v.Why = []string{r.TargetLost + "; the checks after that are not run or inconclusive, not failed; rerun when the target is up"}
		if v.Failed.Checks > 0 {
			v.Headline += "; before that, " + v.Failed.did("check", "failed")
		}
	case r.Incomplete != "":
		v.Outcome, v.ExitCode = OutcomeIncomplete, exitcode.Incomplete
		v.Headline = "INCOMPLETE: " + r.Incomplete + "; no verdict"
		v.Why = []string{"the run stopped early (" + r.Incomplete + "); the checks after that point did not run"}
	case v.Failed.Checks > 0:
		v.Outcome, v.ExitCode = OutcomeNotConformant, exitcode.Violations
		v.Headline = "NOT CONFORMANT: " + v.Failed.did("check", "failed")
		if v.Known.Checks > 0 {
			v.Headline += ", besides " + v.Known.String() + " the baseline knows"
		}
	case r.RequireAll && t.tokenSkips.Checks > 0:
		v.Outcome, v.ExitCode = OutcomeRequiredSkipped, exitcode.RequiredSkipped
		v.Headline = "REQUIRED CHECKS SKIPPED: " + t.tokenSkips.did("MUST check", "skipped") + " for a token not set, so the run fails (--allow-skips lets it pass)"
		line := fmt.Sprintf("%s for a token not set, which fails the run under %s", t.tokenSkips.did("MUST check", "skipped"), required)
		if len(r.UnsetTokens) > 0 {
			line += ": set " + strings.Join(r.UnsetTokens, ", ") + " (or pass --allow-skips)"
		} else {
			line += " (" + strings.Join(t.skippedNames, ", ") + "; or pass --allow-skips)"
		}
		v.Why = []string{line}
		if r.RequireVerified && v.Inconclusive.Variants > 0 {
			v.Why = append(v.Why, inconclusiveLine(*v, t.inconclusiveWhy, required))
		}
	case r.RequireVerified && v.Inconclusive.Variants > 0:
		v.Outcome, v.ExitCode = OutcomeRequiredInconclusive, exitcode.RequiredInconclusive
		v.Headline = "REQUIRED CHECKS INCONCLUSIVE: " + v.Inconclusive.did("MUST check", "could not be judged") + ", so the run fails (--allow-inconclusive lets it pass)"
		v.Why = []string{inconclusiveLine(*v, t.inconclusiveWhy, required)}
	default:
		v.Outcome, v.ExitCode = OutcomeConformant, exitcode.OK
		v.Headline = conformantHeadline(*v, r)
	}
}

// inconclusiveLine names the inconclusive MUST checks and why each is.
func inconclusiveLine(v Verdict, why []string, required string) string {
	return fmt.Sprintf("%s, which fails the run under %s (or pass --allow-inconclusive): %s",
		v.Inconclusive.did("MUST check", "inconclusive"), required, strings.Join(why, "; "))
}

// conformantHeadline says what was not verified before it says
// "CONFORMANT", and what the baseline holds back.
func conformantHeadline(v Verdict, r Result) string {
	var gaps []string
	if v.Inconclusive.Checks > 0 {
		gaps = append(gaps, v.Inconclusive.did("MUST check", "inconclusive"))
	}
	if v.Skipped.Checks > 0 {
		gaps = append(gaps, v.Skipped.did("MUST check", "skipped"))
	}
	s := "CONFORMANT"
	if v.Known.Checks > 0 {
		// The run passes: its known failures must not read as failures.
		where := "the baseline lists"
		if r.Baseline != nil {
			where = r.Baseline.File + " lists"
		} else if r.RecordedBaseline != "" {
			where = r.RecordedBaseline + " now records"
		}
		s = "PASSED WITH KNOWN ISSUES: " + v.Known.String() + " as " + where + ", nothing new"
	}
	if len(gaps) > 0 {
		s = "NOT VERIFIED: " + strings.Join(gaps, ", ") + "; " + s + " as far as checked"
	}
	return s
}

// knownFailure says whether c failed only in ways the baseline lists, or,
// with --write-baseline alone, that it was just recorded as known.
func (r Result) knownFailure(c Check) (string, bool) {
	if r.Baseline != nil {
		return r.Baseline.KnownFailure(c)
	}
	if r.RecordedBaseline != "" {
		return "recorded in " + r.RecordedBaseline + " by this run", true
	}
	return "", false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// verdict is the run's verdict as decided (Result.Verdict), or decided now
// for a Result built without one.
func (r Result) verdict() Verdict {
	if r.Verdict.Outcome != "" {
		return r.Verdict
	}
	return Decide(r)
}
