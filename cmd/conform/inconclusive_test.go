package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// overloadedWithoutCredentials serves the reference, but answers 503 to
// every request without an Authorization header, as a gateway short of
// workers for them would: the MUST check of a missing header can only be
// inconclusive. The in-process runs against it share its clock, so the
// backoff from its 503s costs no real time.
func overloadedWithoutCredentials(t *testing.T) (*reference.Server, string) {
	t.Helper()
	ref, clock := clockedReference()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	shareClock(t, srv.URL+"/api/v1", clock)
	return ref, srv.URL + "/api/v1"
}

// A MUST check that ends inconclusive fails the run in CI (exit 7, one
// stderr line naming the check and why); --allow-inconclusive lets it pass;
// outside CI the verdict says what was not verified before "CONFORMANT".
func TestAnInconclusiveMustCheckFailsTheRunInCI(t *testing.T) {
	ref, base := overloadedWithoutCredentials(t)
	defer func() {
		// The 503s were retried after a backoff, on the target's clock.
		if sharedClock(t, base).skipped() == 0 {
			t.Error("no backoff from the 503s was waited on the clock the run was given")
		}
	}()
	for _, tt := range []struct {
		name     string
		ci       string
		args     []string
		want     int
		headline string
	}{
		{"in CI", "true", nil, exitRequiredInconclusive, "REQUIRED CHECKS INCONCLUSIVE: 1 MUST check could not be judged"},
		{"under --require-all", "", []string{"--require-all"}, exitRequiredInconclusive, "REQUIRED CHECKS INCONCLUSIVE: "},
		{"in CI with --allow-inconclusive", "true", []string{"--allow-inconclusive"}, exitOK, "NOT VERIFIED: 1 MUST check inconclusive; CONFORMANT as far as checked"},
		{"outside CI", "", nil, exitOK, "NOT VERIFIED: 1 MUST check inconclusive; CONFORMANT as far as checked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := tokenEnv(ref.Tokens(), base)
			if tt.ci != "" {
				env["CI"] = tt.ci
			}
			path := filepath.Join(t.TempDir(), "r.json")
			// In process, on the target's clock: the waits of the backoff
			// from its 503s are skipped, not sat out.
			res := runConformInProcess(t, env, append([]string{"run", "--focus", "^AUTH-MISSING", "--json-report", path}, tt.args...)...)
			if res.code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.want, tail(res.stdout, 8), res.stderr)
			}
			if !strings.Contains(res.stdout, "\n"+tt.headline) {
				t.Errorf("the console's verdict is not %q:\n%s", tt.headline, tail(res.stdout, 4))
			}
			r := readJSONReport(t, path)
			if v := report.Decide(r); v.ExitCode != tt.want {
				t.Errorf("the report's verdict exits %d, want %d", v.ExitCode, tt.want)
			}
			// Progress lines of the waits aside, what conform run says.
			var lines []string
			for l := range strings.SplitSeq(res.stderr, "\n") {
				if strings.HasPrefix(l, "conform run: ") {
					lines = append(lines, l)
				}
			}
			if tt.want == exitOK {
				if strings.Contains(strings.Join(lines, "\n"), "inconclusive") {
					t.Errorf("stderr speaks of inconclusive checks on a run that passes:\n%s", res.stderr)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("want one line of conform run on stderr, got:\n%s", res.stderr)
			}
			for _, want := range []string{"1 MUST check inconclusive", "AUTH-MISSING", "502, 503 or 504", "--allow-inconclusive"} {
				if !strings.Contains(lines[0], want) {
					t.Errorf("stderr %q does not say %q", lines[0], want)
				}
			}
		})
	}
}
