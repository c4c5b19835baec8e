package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// The budgets of a run with a handful of real problems: its console fits
// a screenful or two, the first failure with its evidence on the first
// screen, and its job summary, folded, on one page.
const (
	consoleLineBudget  = 150
	firstFailureBudget = 25
	summaryPageBudget  = 60
)

// fiveFaults are five unrelated deliberate faults of the reference: a
// token echoed in error bodies, validation answered 400, 401s without a
// challenge, an expired token accepted, 404s in plain text.
var fiveFaults = []string{"token-echo", "validation-as-400", "www-authenticate-missing", "expired-accepted", "not-found-plain-text"}

// TestAFiveFaultRunPutsTheFirstFailureFirst runs conform against the
// reference with five faults and reads its outputs as a user would: the
// console stays within its line budget and shows the first failed check,
// with what was expected, what came and the curl line to reproduce it, in
// its first lines; summary.md starts with the failures and, folded, fits
// a page; the HTML report puts the failures before the verified checks
// and the coverage matrix. Which checks failed, and what, is read from the
// run's JSON report, never written down here.
func TestAFiveFaultRunPutsTheFirstFailureFirst(t *testing.T) {
	ref, base := serveReference(t, reference.WithFaults(fiveFaults...))
	dir := t.TempDir()
	res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--report-dir", dir)
	if res.code != exitViolations {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitViolations, res.stdout, res.stderr)
	}
	r := readJSONReport(t, filepath.Join(dir, report.JSONFile))
	var failed []string // check IDs, in run order
	var first report.Check
	for _, c := range r.Checks {
		if c.Status != report.Failed {
			continue
		}
		if len(failed) == 0 {
			first = c
		}
		if !slices.Contains(failed, c.ID) {
			failed = append(failed, c.ID)
		}
	}
	if len(failed) < len(fiveFaults)-1 {
		t.Fatalf("only %d checks failed: %v", len(failed), failed)
	}

	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	t.Logf("console: %d lines", len(lines))
	if len(lines) > consoleLineBudget {
		t.Errorf("the console prints %d lines, over the budget of %d", len(lines), consoleLineBudget)
	}
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "✗ "+first.ID+" — ") {
			at = i
			break
		}
	}
	t.Logf("first failure: line %d", at+1)
	if at < 0 || at+1 > firstFailureBudget {
		t.Fatalf("the first failure, %s, is on line %d, want within the first %d:\n%s", first.ID, at+1, firstFailureBudget, strings.Join(lines[:min(len(lines), 40)], "\n"))
	}
	block := strings.Join(lines[at:min(len(lines), at+firstFailureBudget)], "\n")
	v := first.Violations[0]
	ex := first.Exchanges[v.Exchange]
	for _, want := range []string{"✗ " + v.String(), "request:  curl ", "response: " + ex.Outcome(), ex.Auth} {
		if !strings.Contains(block, want) {
			t.Errorf("the first failure's block lacks %q:\n%s", want, block)
		}
	}
	for _, id := range failed {
		if n := strings.Count(res.stdout, "✗ "+id+" — "); n != 1 {
			t.Errorf("the console shows %s %d times under the failures, want once", id, n)
		}
	}

	md := string(mustReadFile(t, filepath.Join(dir, report.MarkdownFile)))
	sections := regexp.MustCompile(`(?m)^### .*$`).FindAllString(md, -1)
	if len(sections) == 0 || !strings.HasPrefix(sections[0], "### ❌ Failures") {
		t.Errorf("summary.md does not start with its failures; its sections are %q", sections)
	}
	failures, _, _ := strings.Cut(md[strings.Index(md, "### ❌ Failures")+1:], "\n### ")
	for _, id := range failed {
		if !strings.Contains(failures, "<summary>❌ <code>"+id+"</code>") {
			t.Errorf("summary.md's failures lack %s", id)
		}
	}
	shown := regexp.MustCompile(`(?s)<details>\s*<summary>(.*?)</summary>.*?</details>`).ReplaceAllString(md, "$1")
	t.Logf("summary.md: %d lines, %d shown with the evidence folded", strings.Count(md, "\n"), strings.Count(shown, "\n"))
	if n := strings.Count(shown, "\n"); n > summaryPageBudget {
		t.Errorf("summary.md shows %d lines folded, over the page of %d:\n%s", n, summaryPageBudget, shown)
	}

	page := string(mustReadFile(t, filepath.Join(dir, report.HTMLFile)))
	fails, verified, coverage := strings.Index(page, `<h2 id="failures">`), strings.Index(page, `<h2 id="verified">`), strings.Index(page, `<h2 id="coverage">`)
	if fails < 0 || !(fails < verified && verified < coverage) {
		t.Errorf("the HTML's failures (at %d) do not come before the verified checks (%d) and the coverage (%d)", fails, verified, coverage)
	}
	if pre := strings.Index(page, "<pre>"); pre < fails || pre > verified {
		t.Errorf("the HTML's first evidence (at %d) is not among its failures (%d to %d)", pre, fails, verified)
	}

	for name, out := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "summary.md": md, "report.html": page} {
		for role, token := range ref.Tokens() {
			if strings.Contains(out, token) {
				t.Errorf("%s holds the %s token", name, role)
			}
		}
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
