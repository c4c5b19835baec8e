package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/exitcode"
)

// vcheck is a check of the verdict tests: an ID, a variant, a level and a status.
func vcheck(id, variant string, level Level, s Status) Check {
	c := Check{ID: id, Variant: variant, Title: id + " title", Level: level, Status: s, Source: "https://cornect.io/docs/api/errors"}
	switch s {
	case Failed:
		c.Violations = []Violation{{Rule: "status", Where: "status", Expected: "401", Got: "200"}}
	case Skipped:
		c.Skip, c.Reason = SkipMissingToken, "needs CONFORM_TOKEN_EXPIRED"
	case Inconclusive:
		c.Reason = "the target stayed overloaded (503) after conform retried"
	case Error:
		c.Reason = "conform itself failed"
	case NotRun:
		c.Reason = "not run: the run stopped"
	}
	return c
}

func verdictResult(checks ...Check) Result {
	return Result{Tool: "conform", Version: "0.4.0", ContractVersion: "CAPI v1", Target: Target{BaseURL: base}, Config: map[string]string{}, Checks: checks}
}

func TestTheVerdictIsDecidedOnceAndEveryWriterPrintsIt(t *testing.T) {
	fiveFailures := verdictResult(vcheck("AUTH-MISSING", "", Must, Passed))
	for _, v := range []string{"a", "b", "c"} {
		fiveFailures.Checks = append(fiveFailures.Checks, vcheck("VALIDATION-422", v, Must, Failed))
	}
	fiveFailures.Checks = append(fiveFailures.Checks, vcheck("AUTH-EXPIRED", "", Must, Failed))

	knownOnly := verdictResult(vcheck("AUTH-MISSING", "", Must, Passed), vcheck("AUTH-EXPIRED", "", Must, Failed), vcheck("AUTH-EXPIRED", "b", Must, Failed))
	knownOnly.Baseline = &Baseline{File: "known.json", Known: []BaselineEntry{{ID: "AUTH-EXPIRED", Rule: "status"}, {ID: "AUTH-EXPIRED", Variant: "b", Rule: "status"}}}

	oneNewOneKnown := verdictResult(vcheck("AUTH-EXPIRED", "", Must, Failed), vcheck("AUTH-REVOKED", "", Must, Failed))
	oneNewOneKnown.Baseline = &Baseline{File: "known.json", Known: []BaselineEntry{{ID: "AUTH-EXPIRED", Rule: "status"}}, New: []BaselineEntry{{ID: "AUTH-REVOKED", Rule: "status"}}}

	recorded := verdictResult(vcheck("AUTH-EXPIRED", "", Must, Failed))
	recorded.RecordedBaseline = "baseline.json"

	inconclusive := verdictResult(vcheck("AUTH-MISSING", "", Must, Passed), vcheck("RATE-LIMIT-429", "", Must, Inconclusive), vcheck("CREDITS-402", "", Must, Skipped))
	inconclusiveCI := inconclusive
	inconclusiveCI.RequireVerified, inconclusiveCI.RequiredBy = true, "CI=true"
	skippedCI := inconclusive
	skippedCI.RequireAll, skippedCI.RequiredBy, skippedCI.UnsetTokens = true, "--require-all", []string{"CONFORM_TOKEN_NO_CREDITS"}
	shouldInconclusive := verdictResult(vcheck("AUTH-MISSING", "", Must, Passed), vcheck("AUTH-CHALLENGE", "", Should, Inconclusive))
	shouldInconclusive.RequireVerified = true

	lost := verdictResult(vcheck("AUTH-MISSING", "", Must, Failed), vcheck("AUTH-EXPIRED", "", Must, NotRun))
	lost.TargetLost = "the target stopped answering at 09:30:02 UTC (1.2s into the run), after 40 requests: connection refused"
	lost.Incomplete = "the target stopped answering"

	errAndStop := verdictResult(vcheck("AUTH-MISSING", "", Must, Error), vcheck("AUTH-EXPIRED", "", Must, NotRun))
	errAndStop.Incomplete = "interrupted (Ctrl-C or a termination signal)"

	stopped := verdictResult(vcheck("AUTH-MISSING", "", Must, Failed), vcheck("AUTH-EXPIRED", "", Must, NotRun))
	stopped.Incomplete = "interrupted (Ctrl-C or a termination signal)"

	tests := []struct {
		name     string
		r        Result
		outcome  Outcome
		code     int
		headline string // the headline must match this expression
		why      string // and its first Why line contain this
	}{
		{"5 failures of 2 checks: checks counted, variants in brackets", fiveFailures, OutcomeNotConformant, exitcode.Violations, `^NOT CONFORMANT: 2 checks failed \(4 variants\)$`, ""},
		{"every failure known: the run passes and says so", knownOnly, OutcomeConformant, exitcode.OK, `^PASSED WITH KNOWN ISSUES: 1 check \(2 variants\) as known.json lists, nothing new$`, ""},
		{"a new failure and a known one: only the new one counts as failed", oneNewOneKnown, OutcomeNotConformant, exitcode.Violations, `^NOT CONFORMANT: 1 check failed, besides 1 check the baseline knows$`, ""},
		{"--write-baseline alone records every failure as known", recorded, OutcomeConformant, exitcode.OK, `^PASSED WITH KNOWN ISSUES: 1 check as baseline.json now records`, ""},
		{"an inconclusive MUST outside CI: what was not verified comes first", inconclusive, OutcomeConformant, exitcode.OK, `^NOT VERIFIED: 1 MUST check inconclusive, 1 MUST check skipped; CONFORMANT as far as checked$`, ""},
		{"an inconclusive MUST in CI fails the run", inconclusiveCI, OutcomeRequiredInconclusive, exitcode.RequiredInconclusive, `^REQUIRED CHECKS INCONCLUSIVE: 1 MUST check could not be judged`, "1 MUST check inconclusive, which fails the run under CI=true (or pass --allow-inconclusive): RATE-LIMIT-429 (the target stayed overloaded (503) after conform retried)"},
		{"a skip for a token in CI comes before an inconclusive", skippedCI, OutcomeRequiredSkipped, exitcode.RequiredSkipped, `^REQUIRED CHECKS SKIPPED`, "under --require-all: set CONFORM_TOKEN_NO_CREDITS"},
		{"an inconclusive SHOULD never fails the run", shouldInconclusive, OutcomeConformant, exitcode.OK, `^CONFORMANT$`, ""},
		{"a target lost mid-run is no verdict, never exit 1", lost, OutcomeTargetLost, exitcode.Unreachable, `^NO VERDICT: the target stopped answering at .* after 40 requests: connection refused; the checks it left unjudged are not failures; before that, 1 check failed$`, "the target stopped answering"},
		{"a defect of conform comes before a stop", errAndStop, OutcomeInternalError, exitcode.Internal, `^NO VERDICT: conform itself failed in 1 check`, "AUTH-MISSING"},
		{"a stop comes before failures", stopped, OutcomeIncomplete, exitcode.Incomplete, `^INCOMPLETE: interrupted`, "the run stopped early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(tt.r)
			if v.Outcome != tt.outcome || v.ExitCode != tt.code {
				t.Errorf("outcome %s, exit %d; want %s, exit %d", v.Outcome, v.ExitCode, tt.outcome, tt.code)
			}
			if !regexp.MustCompile(tt.headline).MatchString(v.Headline) {
				t.Errorf("headline %q, want it to match %q", v.Headline, tt.headline)
			}
			if tt.why != "" && (len(v.Why) == 0 || !strings.Contains(v.Why[0], tt.why)) {
				t.Errorf("why %q, want it to say %q", v.Why, tt.why)
			}
			if v.Passes() && regexp.MustCompile(`(?i)NOT CONFORMANT|failed`).MatchString(v.Headline) {
				t.Errorf("a passing run's headline reads as a failure: %q", v.Headline)
			}
			r := tt.r
			r.Verdict = v
			assertWritersAgree(t, r, v)
		})
	}
}

// assertWritersAgree holds every writer to the verdict: the console's last
// line, the Markdown heading, the HTML title and heading, the JSON summary,
// and JUnit's failure count (the failed variants no baseline lists).
func assertWritersAgree(t *testing.T, r Result, v Verdict) {
	t.Helper()
	var con, md, page, js, ju bytes.Buffer
	if err := Console(&con, r, ConsoleOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(con.String(), "\n"+v.Headline+"\n") {
		t.Errorf("the console does not end with the verdict %q:\n%s", v.Headline, con.String())
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	mark := map[bool]string{true: "✅", false: "❌"}[v.Passes()]
	if want := "## " + mark + " " + mdText(v.Headline) + "\n"; !strings.HasPrefix(md.String(), want) {
		t.Errorf("the Markdown summary starts %.200q, want %q", md.String(), want)
	}
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<title>"+htmlEscape(v.Headline)+" — ") {
		t.Errorf("the HTML title is not the verdict %q", v.Headline)
	}
	if want := map[bool]string{true: `class="verdict passed"`, false: `class="verdict failed"`}[v.Passes()]; !strings.Contains(page.String(), want) {
		t.Errorf("the HTML verdict is not marked %s", want)
	}
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Summary jsonSummary }
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Summary; s.Verdict != v.Headline || s.Outcome != v.Outcome || s.ExitCode != v.ExitCode || s.FailedIDs != v.Failed || s.KnownIDs != v.Known || s.Conformant != v.Conformant() {
		t.Errorf("JSON summary %+v, want the verdict %+v", s, v)
	}
	if err := JUnit(&ju, r); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suite    struct {
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(ju.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures != v.Failed.Variants || suites.Suite.Failures != v.Failed.Variants {
		t.Errorf("JUnit counts %d (suite %d) failures, want the verdict's %d failed variants", suites.Failures, suites.Suite.Failures, v.Failed.Variants)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
