package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// One check's evidence never decides another's verdict: a target that
// echoes the token in every 401 makes SECURITY-NO-LEAK fail (--strict) on more than
// a hundred exchanges, far past the failing exchanges a check keeps whole,
// and every one of those 401s carries its WWW-Authenticate challenge, so
// AUTH-CHALLENGE passes. Checks judge the exchanges as received; trimming
// is only what reports keep. Run it as `go test -race -count=20 -run
// TestALeakOnManyExchangesLeavesTheChallengeCheckPassed ./cmd/conform/`:
// under -race the binary is built with the race detector too.
func TestALeakOnManyExchangesLeavesTheChallengeCheckPassed(t *testing.T) {
	// Eight more operations, swept from the reference's OpenAPI document,
	// so that more than a hundred 401s quote the token.
	ref, base := serveReference(t, reference.WithFaults("token-echo"), reference.WithExtraOperations(8), reference.WithUnauthenticatedLimit(fixtures.MaxLimitPerMinute))
	path := filepath.Join(t.TempDir(), "r.json")
	res, _, err := execProgram(raceBinary(t), tokenEnv(ref.Tokens(), base), "run", "--strict", "--auth-coverage", "full", "--label-filter", "auth || security",
		"--openapi", strings.TrimSuffix(base, "/api/v1")+"/openapi.json", "--failed-auth-limit", fmt.Sprint(fixtures.MaxLimitPerMinute), "--json-report", path)
	if err != nil {
		t.Fatal(err)
	}
	if res.code != exitViolations {
		t.Fatalf("exit %d, want %d\n%s", res.code, exitViolations, res.stderr)
	}
	checks := map[string]report.Check{}
	for _, c := range readJSONReport(t, path).Checks {
		checks[c.Name()] = c
	}
	leak, challenge := checks["SECURITY-NO-LEAK"], checks["AUTH-CHALLENGE"]
	if leak.Status != report.Failed || len(leak.Violations) < 100 {
		t.Fatalf("SECURITY-NO-LEAK %s with %d violations; want it failed on 100 or more exchanges", leak.Status, len(leak.Violations))
	}
	if challenge.Status != report.Passed {
		t.Errorf("AUTH-CHALLENGE %s: %s; want passed (every 401 carried its challenge)\n%s", challenge.Status, challenge.Headline(), challenge.Explanation())
	}
	if challenge.Judged < 100 {
		t.Errorf("AUTH-CHALLENGE judged %d exchanges; want every 401 of the run", challenge.Judged)
	}
}

var raceBuild struct {
	once sync.Once
	path string
	err  error
}

// raceBinary is conform built with the race detector when the tests run
// under it (go test -race), so the judging runs under it too; otherwise
// the binary the other tests use.
func raceBinary(t *testing.T) string {
	t.Helper()
	if !raceEnabled {
		return binary
	}
	raceBuild.once.Do(func() {
		raceBuild.path = filepath.Join(filepath.Dir(binary), "conform-race")
		if out, err := exec.Command("go", "build", "-race", "-o", raceBuild.path, ".").CombinedOutput(); err != nil {
			raceBuild.err = fmt.Errorf("building conform with -race: %v\n%s", err, out)
		}
	})
	if raceBuild.err != nil {
		t.Fatal(raceBuild.err)
	}
	return raceBuild.path
}
