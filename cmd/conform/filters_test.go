package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// dryRunLine is one spec of `conform run --dry-run`: its verdict, level and name.
var dryRunLine = regexp.MustCompile(`^(would run|would skip|not selected)\s+(MUST|SHOULD)\s+(\S+(?: \[[^\]]*\])?)`)

// planOf reads the dry run's verdict per spec name.
func planOf(t *testing.T, stdout string) map[string]string {
	t.Helper()
	plan := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if m := dryRunLine.FindStringSubmatch(l); m != nil {
			plan[m[3]] = m[1]
		}
	}
	if len(plan) == 0 {
		t.Fatalf("no plan in the dry run:\n%s", stdout)
	}
	return plan
}

// verdictOf is what a real run did with a check, in the dry run's words.
func verdictOf(c report.Check) string {
	switch {
	case c.Skip == report.SkipFiltered:
		return "not selected"
	case c.Skip == report.SkipMissingToken:
		return "would skip"
	}
	return "would run"
}

// TestFiltersSelectTheSameInTheDryRunAndTheRealRun runs real filters
// against a conforming reference — a container's name, ^ID, a variant's
// text, --skip, label expressions and combinations, with every token and
// with some missing — and proves each run CONFORMANT with checks run, and
// the dry run's run/skip list equal to what the real run did.
func TestFiltersSelectTheSameInTheDryRunAndTheRealRun(t *testing.T) {
	someMissing := []probe.Role{probe.RoleExpired, probe.RoleNoCredits}
	cases := []struct {
		args    []string
		missing []probe.Role
	}{
		{args: []string{"--focus", "authentication"}},
		{args: []string{"--focus", "authentication"}, missing: someMissing},
		{args: []string{"--focus", "^AUTH-MISSING"}},
		{args: []string{"--focus", "^SCOPE-"}, missing: someMissing},
		{args: []string{"--focus", "Basic scheme"}},
		{args: []string{"--focus", "malformed JSON"}, missing: []probe.Role{probe.RoleReadWrite}},
		{args: []string{"--skip", "rate limit", "--skip", "^VALIDATION"}},
		{args: []string{"--skip", "rate limit", "--skip", "invalid bodies"}, missing: someMissing},
		{args: []string{"--label-filter", "scope && !credits"}},
		{args: []string{"--label-filter", "not-found || exports", "--skip", "OTHER-WORKSPACE"}, missing: someMissing},
		{args: []string{"--label-filter", "auth", "--focus", "401", "--skip", "empty header"}},
		{args: []string{"--label-filter", "rate-limit"}},
		{args: []string{"--focus", "^RATE-LIMIT-PER-TOKEN"}},
	}
	for _, tt := range cases {
		name := strings.Join(tt.args, " ")
		if len(tt.missing) > 0 {
			name += fmt.Sprintf(" without %v", tt.missing)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ref, base := serveReference(t)
			env := tokenEnv(ref.Tokens(), base)
			for _, role := range tt.missing {
				delete(env, role.Var())
			}
			dry := runConformInProcess(t, env, append([]string{"run", "--dry-run"}, tt.args...)...)
			if dry.code != exitOK {
				t.Fatalf("dry run: exit %d\n%s", dry.code, dry.stderr)
			}
			plan := planOf(t, dry.stdout)

			path := filepath.Join(t.TempDir(), "report.json")
			res := runConformInProcess(t, env, append([]string{"run", "--json-report", path}, tt.args...)...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0 (CONFORMANT)\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			r := readJSONReport(t, path)
			passed := 0
			for _, c := range r.Checks {
				if c.Status == report.Passed {
					passed++
				}
				if got, want := verdictOf(c), plan[c.Name()]; got != want {
					t.Errorf("%s: the run says %q (%s), the dry run %q", c.Name(), got, c.Status, want)
				}
				delete(plan, c.Name())
			}
			if len(plan) > 0 {
				t.Errorf("the dry run lists specs the run does not: %v", plan)
			}
			if passed == 0 {
				t.Errorf("no check passed: the filters ran nothing\n%s", res.stdout)
			}
		})
	}
}
