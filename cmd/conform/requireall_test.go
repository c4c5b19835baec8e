package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// TestNoGreenRunByAccident: in CI (CI=true) or under --require-all, a run
// that would pass but skipped MUST checks for a token not set fails with
// exit 6 and one line on stderr naming the variables to set; --allow-skips
// lets it pass; the checks the filters leave out never count.
func TestNoGreenRunByAccident(t *testing.T) {
	tests := []struct {
		name    string
		faults  []string
		ci      string
		unset   []probe.Role
		args    []string
		want    int
		wantErr []string // on the one line of stderr, when exit 6
	}{
		{name: "CI=true with a token missing", ci: "true", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth"},
			want: exitRequiredSkipped, wantErr: []string{"1 MUST check skipped", "CI=true", "set CONFORM_TOKEN_EXPIRED", "--allow-skips"}},
		{name: "CI=true with two tokens missing names both", ci: "true", unset: []probe.Role{probe.RoleUnbound, probe.RoleExpired}, args: []string{"--label-filter", "auth"},
			want: exitRequiredSkipped, wantErr: []string{"2 MUST checks skipped", "set CONFORM_TOKEN_EXPIRED, CONFORM_TOKEN_UNBOUND (or"}},
		{name: "--require-all outside CI", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth", "--require-all"},
			want: exitRequiredSkipped, wantErr: []string{"under --require-all", "CONFORM_TOKEN_EXPIRED"}},
		{name: "CI=true with --allow-skips", ci: "true", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth", "--allow-skips"}, want: exitOK},
		{name: "outside CI a skip passes, as before", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth"}, want: exitOK},
		{name: "CI=false is not CI", ci: "false", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth"}, want: exitOK},
		{name: "CI=true with every token, filters leaving checks out", ci: "true", args: []string{"--label-filter", "auth"}, want: exitOK},
		{name: "CI=true, the token missing only for checks filtered out", ci: "true", unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "not-found && !charges"}, want: exitOK},
		{name: "a violation is exit 1 even with skips", ci: "true", faults: []string{"unbound-accepted"}, unset: []probe.Role{probe.RoleExpired}, args: []string{"--label-filter", "auth"}, want: exitViolations},
		{name: "--require-all and --allow-skips together", args: []string{"--require-all", "--allow-skips"}, want: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []reference.Option
			if len(tt.faults) > 0 {
				opts = append(opts, reference.WithFaults(tt.faults...))
			}
			ref, base := serveReference(t, opts...)
			env := tokenEnv(ref.Tokens(), base)
			for _, r := range tt.unset {
				delete(env, r.Var())
			}
			if tt.ci != "" {
				env["CI"] = tt.ci
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "r.json")
			res := runConform(t, env, append([]string{"run", "--json-report", path}, tt.args...)...)
			if res.code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.want, res.stdout, res.stderr)
			}
			if tt.want == exitUsage {
				return
			}
			r := readJSONReport(t, path) // the reports are written whatever the exit code
			if tt.want != exitRequiredSkipped {
				if strings.Contains(res.stderr, "MUST check") {
					t.Errorf("stderr speaks of skipped MUST checks:\n%s", res.stderr)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 {
				t.Fatalf("want one line on stderr, got:\n%s", res.stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(lines[0], w) {
					t.Errorf("stderr %q does not say %q", lines[0], w)
				}
			}
			must := 0
			for _, c := range r.Checks {
				if c.Level == report.Must && c.Status == report.Skipped && c.Skip == report.SkipMissingToken {
					must++
				}
			}
			if must == 0 || r.Count().Failed > 0 {
				t.Errorf("the report has %d MUST checks skipped for a token and %d failures; want some, and none", must, r.Count().Failed)
			}
		})
	}
}
