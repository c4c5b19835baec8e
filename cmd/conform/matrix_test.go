package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/selftest"
)

// matrixParallel is how many suite runs the matrix test lets conform
// selftest do at once. A run spends most of its second waiting
// (RATE-LIMIT-429's Retry-After: 1, the 40 ms variation), and the runs
// that wait longest go first, so more at once cost no CPU: measured on two
// shared cores, 4 at once took 35 s, 8 took 22 s, 12 took 19 s, each
// about the same CPU. Eight keep the processes (and their memory) few for
// most of the gain.
const matrixParallel = "8"

// TestMatrixIsConformSelftest runs `conform selftest --json` once: every
// deliberate deviation of the reference and every conforming variation,
// each against a reference of its own, through the same binary, runner
// and table a user runs. Each MUST deviation must fail in the checks meant
// to catch it, each SHOULD deviation must warn by default and fail under
// --strict in its check, each variation and the plain reference must pass
// under --strict. `go test ./cmd/conform -run Matrix -v` prints the table.
func TestMatrixIsConformSelftest(t *testing.T) {
	t.Parallel() // conform runs as processes of their own, mostly waiting: overlapped with the other tests
	res := runConformBinary(t, nil, "selftest", "--json", "--parallel", matrixParallel)
	var r selftest.Result
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("conform selftest --json: exit %d, output that does not decode (%v)\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	var table strings.Builder
	if err := selftest.Text(&table, r); err != nil {
		t.Fatal(err)
	}
	t.Logf("conform selftest, exit %d:\n%s", res.code, table.String())

	want := selftest.Table()
	if len(r.Entries) != len(want) {
		t.Fatalf("the self-test judged %d entries, its table has %d", len(r.Entries), len(want))
	}
	for i, e := range r.Entries {
		if e.Name != want[i].Name || e.Kind != want[i].Kind {
			t.Errorf("entry %d is %s %q, the table's is %s %q", i, e.Kind, e.Name, want[i].Kind, want[i].Name)
		}
		if !e.OK {
			t.Errorf("%s %s: %s", e.Kind, e.Name, strings.Join(e.Problems, "; "))
		}
		if (e.Kind == selftest.Deviation || e.Kind == selftest.ShouldDeviation) && e.OK && len(e.CaughtBy) != len(e.Catch) {
			t.Errorf("%s: caught by %v, want %v", e.Name, e.CaughtBy, e.Catch)
		}
	}
	if res.code != exitOK || !r.OK {
		t.Errorf("conform selftest exited %d (ok %v), want 0\n%s", res.code, r.OK, res.stderr)
	}
}
