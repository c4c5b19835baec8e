package main

import (
	"strings"
	"testing"
)

// The whole self-test runs once, in TestMatrixIsConformSelftest; these are
// the command lines it refuses before serving anything.
func TestSelftestRefusesABadCommandLineInOneLine(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"selftest", "--parallel", "0"}, "conform selftest: --parallel must be at least 1, got 0"},
		{[]string{"selftest", "fast"}, `conform selftest: unexpected argument "fast"`},
		{[]string{"selftest", "--jsn"}, "conform selftest: flag provided but not defined: --jsn (did you mean --json?)"},
	} {
		code, stdout, stderr := callMain(tt.args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, tt.want+"\n") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}
