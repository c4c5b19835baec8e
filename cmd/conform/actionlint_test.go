package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// offline is how `go tool` says it could not download a module.
var offline = regexp.MustCompile(`(?i)dial tcp|no such host|connection refused|network is unreachable|i/o timeout|module lookup disabled|GOPROXY=off|GOFLAGS=-mod=vendor|cannot find module providing`)

// TestWorkflowsAreActionlintClean runs actionlint, a tool dependency in
// go.mod, on every workflow of the repository: the reusable one API teams
// call and conform's own CI. It lints the expressions, the contexts they
// name, the inputs of the actions, and the run scripts (with shellcheck,
// when it is installed). Off CI it skips only when the tool cannot be
// built for want of the module proxy.
func TestWorkflowsAreActionlintClean(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow found: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "tool", "actionlint", "-version").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "" && offline.Match(out) {
			t.Skipf("go tool actionlint cannot be built here (no module proxy?): %v\n%s", err, out)
		}
		t.Fatalf("go tool actionlint: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "actionlint", "-no-color"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint found problems (%v):\n%s", err, out)
	}
	if len(out) > 0 {
		t.Logf("%s", out)
	}
}
