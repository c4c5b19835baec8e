package main

import (
	"bytes"
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

// actionlint runs actionlint, a tool dependency in go.mod, on the files, or
// on stdin when it is not nil (args then name it, -stdin-filename), and
// fails the test with what it found. It lints the expressions, the
// contexts they name, the inputs of the actions, and the run scripts (with
// shellcheck, when it is installed). Off CI it skips only when the tool
// cannot be built for want of the module proxy.
func actionlint(t *testing.T, stdin []byte, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "tool", "actionlint", "-version").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "" && offline.Match(out) {
			t.Skipf("go tool actionlint cannot be built here (no module proxy?): %v\n%s", err, out)
		}
		t.Fatalf("go tool actionlint: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "actionlint", "-no-color"}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint found problems (%v):\n%s", err, out)
	}
	if len(out) > 0 {
		t.Logf("%s", out)
	}
}

// TestWorkflowsAreActionlintClean lints every workflow of the repository:
// the reusable one API teams call and conform's own CI.
func TestWorkflowsAreActionlintClean(t *testing.T) {
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow found: %v", err)
	}
	actionlint(t, nil, files...)
}
