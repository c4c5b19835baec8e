package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
)

// TestThePipelineReadsTheDocumentOnlyForAPlanThatRuns: the plan is decided
// before the OpenAPI document is read, so filters that select nothing stop
// the run (exit 2, one line) without fetching it; a dry run prints the
// plan, the document's sweep included, and says so too. Each case runs the
// pipeline in process: none of them reaches the suite.
func TestThePipelineReadsTheDocumentOnlyForAPlanThatRuns(t *testing.T) {
	ref := reference.New()
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			fetched.Add(1)
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	doc := srv.URL + "/openapi.json"
	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		fetches int64
		stdout  []string
		stderr  string
	}{
		{"nothing selected", []string{"run", "--openapi", doc, "--focus", "^NO-SUCH-CHECK"}, exitUsage, 0, nil,
			"conform run: the filters (--label-filter, --focus, --skip) select no check; nothing was sent\n"},
		{"a dry run", []string{"run", "--dry-run", "--openapi", doc, "--focus", "^AUTH-MISSING"}, exitOK, 1,
			[]string{"dry run: nothing is sent to the target; the OpenAPI document was fetched", "would sweep", "would run", "requests by class"}, ""},
		{"a dry run that selects nothing", []string{"run", "--dry-run", "--openapi", doc, "--focus", "^NO-SUCH-CHECK"}, exitUsage, 1,
			[]string{"0 would run, 0 would skip"}, "conform run: the filters (--label-filter, --focus, --skip) select no check\n"},
		{"an unreadable document", []string{"run", "--openapi", filepath.Join(t.TempDir(), "none.json")}, exitUsage, 0, nil, "conform run: --openapi: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"CONFORM_BASE_URL", "CONFORM_PROFILE", "CONFORM_CA_CERT", "CONFORM_OPENAPI", "CONFORM_TOKEN_COMMAND", "CI", "GITHUB_STEP_SUMMARY"} {
				t.Setenv(k, "")
			}
			for _, role := range probe.Roles() {
				t.Setenv(role.Var(), "")
			}
			before := fetched.Load()
			var stdout, stderr strings.Builder
			code := realMain(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			if n := fetched.Load() - before; n != tt.fetches {
				t.Errorf("the document was fetched %d times, want %d", n, tt.fetches)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout does not say %q:\n%s", want, stdout.String())
				}
			}
			switch got := stderr.String(); {
			case tt.stderr == "" && got != "":
				t.Errorf("stderr %q, want nothing", got)
			case tt.stderr != "" && (!strings.HasPrefix(got, tt.stderr) || strings.Count(got, "\n") != 1):
				t.Errorf("stderr %q, want one line starting %q", got, tt.stderr)
			}
		})
	}
}
