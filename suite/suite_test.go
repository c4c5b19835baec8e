package suite_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// TestSuitePassesAgainstTheReference runs every check against the reference
// server at its documented limits: a conforming server must pass, and every
// documented failure must have been verified (none skipped).
func TestSuitePassesAgainstTheReference(t *testing.T) {
	ref := reference.New()
	srv := httptest.NewServer(ref)
	defer srv.Close()
	prof := fixtures.Default()
	byRole, creds := suite.Credentials(ref.Tokens())
	client, err := probe.New(probe.Options{BaseURL: srv.URL + prof.BasePath, Credentials: creds, Limits: prof.Limits()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := suite.Run(suite.Config{Client: client, Profile: prof, Tokens: byRole})
	if err != nil {
		t.Fatal(err)
	}
	if out.InternalError != "" {
		t.Fatalf("internal error: %s", out.InternalError)
	}
	if len(out.Checks) < len(suite.Catalogue()) {
		t.Fatalf("ran %d checks, the catalogue has %d", len(out.Checks), len(suite.Catalogue()))
	}
	seen := map[string]bool{}
	for _, c := range out.Checks {
		seen[c.ID] = true
		if c.Status != report.Passed {
			t.Errorf("%s: %s\n%s", c.Name(), c.Status, c.Message)
		}
		if len(c.Exchanges) == 0 {
			t.Errorf("%s recorded no exchange as evidence", c.Name())
		}
	}
	for _, c := range suite.Catalogue() {
		if !seen[c.ID] {
			t.Errorf("check %s did not run", c.ID)
		}
		if !strings.HasPrefix(c.Text(), c.ID+" ") {
			t.Errorf("spec text of %s does not start with its ID", c.ID)
		}
	}
	t.Logf("%d checks, %d requests", len(out.Checks), client.Stats().Requests)
}
