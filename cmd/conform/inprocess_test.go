package main

import (
	"strings"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// TestInProcessRunsEndAsTheBinaryDoes: the tests run conform in process
// (runConform) and trust realMain's code to be the process's. The binary
// and an in-process run of the same arguments and environment end with
// the same exit code and the same first line on stderr, for a pass, a
// violation, a usage error and an unreachable target.
func TestInProcessRunsEndAsTheBinaryDoes(t *testing.T) {
	ref, base := serveReference(t)
	env := tokenEnv(ref.Tokens(), base)
	faulty, faultyBase := serveReference(t, reference.WithFaults("html-for-any-accept"))
	faultyEnv := tokenEnv(faulty.Tokens(), faultyBase)
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want int
	}{
		{"a pass", env, []string{"run", "--focus", "^AUTH-MISSING"}, exitOK},
		{"a violation", faultyEnv, []string{"run", "--focus", "^ENVELOPE-ANY-ACCEPT"}, exitViolations},
		{"a usage error", env, []string{"run", "--concurrency", "0"}, exitUsage},
		{"an unreachable target", map[string]string{"CONFORM_BASE_URL": closedBaseURL(t)}, []string{"run"}, exitUnreachable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin := runConformBinary(t, tt.env, tt.args...)
			in := runConformInProcess(t, tt.env, tt.args...)
			if bin.code != tt.want || in.code != tt.want {
				t.Fatalf("the binary exited %d, the in-process run %d; want %d\nbinary: %s\nin process: %s", bin.code, in.code, tt.want, bin.stderr, in.stderr)
			}
			first := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
			if first(bin.stderr) != first(in.stderr) {
				t.Errorf("stderr starts %q from the binary, %q in process", first(bin.stderr), first(in.stderr))
			}
		})
	}
}
