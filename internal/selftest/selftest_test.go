package selftest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// fakeEnv makes the test binary a fake conform: the runner is tested
// against it, quickly, without the suite (the matrix test runs the real one).
const fakeEnv = "SELFTEST_FAKE_CONFORM"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(fakeConform(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeConform is `conform run --base-url URL --json-report FILE [--strict]`
// as the runner calls it. It checks what the runner owes every run (a
// reference on loopback, its tokens, none of the user's CONFORM_*
// variables), marks itself running in $FAKE_DIR for the parallelism test,
// and reports one check, "X": passed in mode pass; warned by default and
// failed under --strict in mode should; mode exit3 exits 3.
func fakeConform(mode string, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	base := fs.String("base-url", "", "")
	path := fs.String("json-report", "", "")
	strict := fs.Bool("strict", false, "")
	fs.Bool("no-color", false, "")
	profile := fs.String("profile", "", "")
	if len(args) == 0 || args[0] != "run" || fs.Parse(args[1:]) != nil {
		fmt.Fprintln(os.Stderr, "fake conform: not called as conform run")
		return 2
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CONFORM_") && !strings.HasPrefix(kv, "CONFORM_TOKEN_") || strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			fmt.Fprintf(os.Stderr, "fake conform: the user's %s reached the run\n", strings.SplitN(kv, "=", 2)[0])
			return 2
		}
	}
	// A run with a shortened window is told it through its profile; any
	// other runs the embedded one.
	switch want := os.Getenv("FAKE_WINDOW"); {
	case want == "" && *profile != "":
		fmt.Fprintf(os.Stderr, "fake conform: a profile (%s) for a run without a window\n", *profile)
		return 2
	case want != "":
		p, err := fixtures.Load(*profile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fake conform: no profile of the window: %v\n", err)
			return 2
		}
		if got := p.RateLimit.Refill().String(); got != want {
			fmt.Fprintf(os.Stderr, "fake conform: the profile's window is %s, want %s\n", got, want)
			return 2
		}
	}
	if os.Getenv("CONFORM_TOKEN_READ") == "" {
		fmt.Fprintln(os.Stderr, "fake conform: no CONFORM_TOKEN_READ")
		return 2
	}
	resp, err := http.Get(*base + "/credits")
	if err != nil {
		fmt.Fprintf(os.Stderr, "fake conform: the reference does not answer: %v\n", err)
		return 3
	}
	resp.Body.Close()
	mark := filepath.Join(os.Getenv("FAKE_DIR"), fmt.Sprintf("running-%d", os.Getpid()))
	os.WriteFile(mark, nil, 0o644)
	running, _ := filepath.Glob(filepath.Join(os.Getenv("FAKE_DIR"), "running-*"))
	os.WriteFile(filepath.Join(os.Getenv("FAKE_DIR"), fmt.Sprintf("seen-%d-%d", os.Getpid(), len(running))), nil, 0o644)
	time.Sleep(150 * time.Millisecond)
	os.Remove(mark)

	status, code := report.Passed, 0
	switch mode {
	case "exit3":
		fmt.Fprintln(os.Stderr, "conform run: cannot reach the target\nsecond line")
		return 3
	case "should":
		status = report.Warning
		if *strict {
			status, code = report.Failed, 1
		}
	}
	b, _ := json.Marshal(report.Result{Checks: []report.Check{{ID: "X", Status: status}}})
	if err := os.WriteFile(*path, b, 0o644); err != nil {
		return 4
	}
	return code
}

// fakeRun runs the runner over table against the fake conform in mode.
func fakeRun(t *testing.T, mode string, parallel int, table []Entry) (Result, []string, string) {
	t.Helper()
	dir := t.TempDir()
	env := append(os.Environ(), fakeEnv+"="+mode, "FAKE_DIR="+dir, "CONFORM_PROFILE=/the/users/profile.json", "GITHUB_STEP_SUMMARY=/the/users/summary.md")
	var order []string
	res, err := Run(context.Background(), Options{
		Executable: os.Args[0], Parallel: parallel, Env: env, table: table,
		OnEntry: func(er EntryResult) { order = append(order, er.Name) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, order, dir
}

// peak is the most fake runs that were running at once.
func peak(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	for _, e := range entries {
		var pid, n int
		if _, err := fmt.Sscanf(e.Name(), "seen-%d-%d", &pid, &n); err == nil {
			most = max(most, n)
		}
	}
	return most
}

func TestRunJudgesEveryEntryInTableOrderAtMostParallelAtOnce(t *testing.T) {
	var table []Entry
	for _, v := range reference.Variations()[:6] {
		table = append(table, Entry{Kind: Variation, Name: v.Name})
	}
	table = append(table, Entry{Kind: Control, Name: "reference"})
	res, order, dir := fakeRun(t, "pass", 2, table)
	if !res.OK || len(res.Entries) != len(table) || res.Runs != len(table) || res.Parallel != 2 {
		t.Fatalf("result %+v", res)
	}
	var want []string
	for _, e := range table {
		want = append(want, e.Name)
	}
	if !slices.Equal(order, want) {
		t.Errorf("entries delivered in the order %v, want the table's %v", order, want)
	}
	if n := peak(t, dir); n < 1 || n > 2 {
		t.Errorf("%d runs at once, want at most 2", n)
	}
	if res.Entries[0].Runs[0].Checks != 1 || res.Entries[0].Runs[0].Duration <= 0 {
		t.Errorf("a run's report was not read: %+v", res.Entries[0].Runs[0])
	}
}

func TestRunRunsASHOULDDeviationTwice(t *testing.T) {
	res, _, _ := fakeRun(t, "should", 0, []Entry{{Kind: ShouldDeviation, Name: "token-echo", Catch: []string{"X"}}})
	e := res.Entries[0]
	if !res.OK || len(e.Runs) != 2 || e.Runs[0].Strict || !e.Runs[1].Strict || !slices.Equal(e.CaughtBy, []string{"X"}) {
		t.Errorf("entry %+v; want a default and a --strict run, caught by X", e)
	}
	if res.Parallel != DefaultParallel() {
		t.Errorf("parallel %d, want DefaultParallel (%d)", res.Parallel, DefaultParallel())
	}
}

func TestRunReportsARunThatCouldNotBeJudged(t *testing.T) {
	res, _, _ := fakeRun(t, "exit3", 1, []Entry{{Kind: Variation, Name: "gzip"}, {Kind: Control, Name: "reference"}})
	if res.OK || len(res.Entries) != 2 {
		t.Fatalf("result %+v, want not OK", res)
	}
	if p := res.Entries[0].Problems; len(p) != 1 || p[0] != "--strict run: conform exited 3: conform run: cannot reach the target" {
		t.Errorf("problems %q", p)
	}
}

func TestRunStopsWhenTheContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, Options{Executable: os.Args[0], table: []Entry{{Kind: Control, Name: "reference"}}})
	if err != nil || res.OK || res.Stopped == "" {
		t.Errorf("result %+v, %v; want stopped, not OK", res, err)
	}
}

func TestJudge(t *testing.T) {
	control := &SuiteRun{Strict: true, Checks: 40}
	run := func(strict bool, exit int, failed, warned, noVerdict []string) SuiteRun {
		return SuiteRun{Strict: strict, Exit: exit, Checks: 40, Failed: failed, Warned: warned, NoVerdict: noVerdict}
	}
	tests := []struct {
		name     string
		entry    Entry
		runs     []SuiteRun
		wantOK   bool
		wantText string // in the problems
	}{
		{"a deviation caught", Entry{Kind: Deviation, Name: "f", Catch: []string{"A", "B"}}, []SuiteRun{run(false, 1, []string{"A", "B", "C"}, nil, nil)}, true, ""},
		{"a deviation caught by another check only", Entry{Kind: Deviation, Name: "f", Catch: []string{"A"}}, []SuiteRun{run(false, 1, []string{"C"}, nil, nil)}, false, "A did not fail (failed: C)"},
		{"a deviation half caught", Entry{Kind: Deviation, Name: "f", Catch: []string{"A", "B"}}, []SuiteRun{run(false, 1, []string{"A"}, nil, nil)}, false, "B did not fail"},
		{"a one-rule deviation caught alone", Entry{Kind: Deviation, Name: "f", Catch: []string{"A"}, Alone: true}, []SuiteRun{run(false, 1, []string{"A"}, nil, nil)}, true, ""},
		{"a one-rule deviation that fails another probe too", Entry{Kind: Deviation, Name: "f", Catch: []string{"A"}, Alone: true}, []SuiteRun{run(false, 1, []string{"A", "C"}, nil, nil)}, false, "C failed too"},
		{"a deviation that exits 0", Entry{Kind: Deviation, Name: "f", Catch: []string{"A"}}, []SuiteRun{run(false, 0, nil, []string{"A"}, nil)}, false, "exited 0, want 1"},
		{"a SHOULD deviation warned, then failed", Entry{Kind: ShouldDeviation, Name: "s", Catch: []string{"H"}}, []SuiteRun{run(false, 0, nil, []string{"H"}, nil), run(true, 1, []string{"H"}, nil, nil)}, true, ""},
		{"a SHOULD deviation that fails a MUST", Entry{Kind: ShouldDeviation, Name: "s", Catch: []string{"H"}}, []SuiteRun{run(false, 1, []string{"M"}, []string{"H"}, nil), run(true, 1, []string{"H", "M"}, nil, nil)}, false, "default run: exit 1"},
		{"a SHOULD deviation strict does not fail", Entry{Kind: ShouldDeviation, Name: "s", Catch: []string{"H"}}, []SuiteRun{run(false, 0, nil, []string{"H"}, nil), run(true, 0, nil, nil, nil)}, false, "--strict run: exit 0"},
		{"a variation passes", Entry{Kind: Variation, Name: "v"}, []SuiteRun{run(true, 0, nil, nil, nil)}, true, ""},
		{"a variation with a warning", Entry{Kind: Variation, Name: "v"}, []SuiteRun{run(true, 0, nil, []string{"H"}, nil)}, false, "warnings H"},
		{"a variation that skips unnoticed", Entry{Kind: Variation, Name: "v"}, []SuiteRun{run(true, 0, nil, nil, []string{"E"})}, false, "no verdict for E, want none"},
		{"a variation that skips as expected", Entry{Kind: Variation, Name: "v", NoVerdict: []string{"E"}}, []SuiteRun{run(true, 0, nil, nil, []string{"E"})}, true, ""},
		{"a variation with fewer checks", Entry{Kind: Variation, Name: "v"}, []SuiteRun{{Strict: true, Checks: 39, Failed: []string{}, Warned: []string{}}}, false, "39 checks, the plain reference's run has 40"},
		{"a run with a problem", Entry{Kind: Variation, Name: "v"}, []SuiteRun{{Strict: true, Exit: 4, Problem: "conform exited 4: boom"}}, false, "--strict run: conform exited 4: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judge(tt.entry, tt.runs, control)
			text := strings.Join(got.Problems, "; ")
			if got.OK != tt.wantOK || !strings.Contains(text, tt.wantText) || (tt.wantOK && text != "") {
				t.Errorf("ok %v, problems %q; want ok %v with %q", got.OK, text, tt.wantOK, tt.wantText)
			}
		})
	}
}

func TestTheTableFitsTheReference(t *testing.T) {
	if problems := CheckTable(); len(problems) > 0 {
		t.Errorf("the table does not fit the reference:\n%s", strings.Join(problems, "\n"))
	}
	table := Table()
	seen := map[string]Kind{}
	for _, e := range table {
		if _, dup := seen[e.Name]; dup {
			t.Errorf("%q is in the table twice", e.Name)
		}
		seen[e.Name] = e.Kind
		reference.New(e.Options()...) // panics on an option the reference refuses
	}
	if got, want := Count(Deviation)+Count(ShouldDeviation), len(reference.Faults()); got != want {
		t.Errorf("%d deviations in the table, the reference has %d faults", got, want)
	}
	if got, want := Count(Variation), len(reference.Variations()); got != want || want < 8 {
		t.Errorf("%d variations in the table, the reference has %d (the matrix wants at least 8)", got, want)
	}
	if Count(Control) != 1 {
		t.Errorf("%d plain references in the table, want 1", Count(Control))
	}
	if jobs := schedule(table); table[jobs[0].entry].Kind != Control {
		t.Errorf("the first run is %q; the plain reference should go first, every variation is judged against it", table[jobs[0].entry].Name)
	}
}

// An entry with a shortened window runs with a profile that says the
// window (rate_limit.refill_seconds), so conform paces itself as against
// a target of that window; an entry without one runs the embedded profile.
func TestRunTellsARunOfAShortenedWindowItsWindow(t *testing.T) {
	for _, tt := range []struct {
		window time.Duration
		want   string
	}{{5 * time.Second, "5s"}, {0, ""}} {
		t.Run(tt.window.String(), func(t *testing.T) {
			t.Setenv("FAKE_WINDOW", tt.want)
			res, _, _ := fakeRun(t, "pass", 1, []Entry{{Kind: Control, Name: "reference", Window: tt.window}})
			if !res.OK {
				t.Errorf("the run with window %s was not judged OK: %v", tt.window, res.Entries[0].Problems)
			}
		})
	}
}

func TestEveryWindowIsWhyAndWholeSeconds(t *testing.T) {
	for _, e := range Table() {
		if _, ok := windows[e.Name]; ok != (e.Window > 0) {
			t.Errorf("%s: window %s, the table of windows says %v", e.Name, e.Window, ok)
		}
		if e.Window > 0 && (e.WindowWhy == "" || e.Window%time.Second != 0) {
			t.Errorf("%s: window %s (%q): each needs a reason and whole seconds, for refill_seconds", e.Name, e.Window, e.WindowWhy)
		}
	}
}

func TestTextNamesTheCheckThatCaughtEachDeviation(t *testing.T) {
	r := Result{OK: false, Parallel: 2, Runs: 4, Duration: 3 * time.Second, Entries: []EntryResult{
		{Entry: Entry{Kind: Deviation, Name: "expired-accepted", Catch: []string{"AUTH-EXPIRED"}}, OK: true, CaughtBy: []string{"AUTH-EXPIRED"}, Runs: []SuiteRun{{Exit: 1, Duration: time.Second}}},
		{Entry: Entry{Kind: Deviation, Name: "revoked-accepted", Catch: []string{"AUTH-REVOKED"}}, OK: false, Problems: []string{"AUTH-REVOKED did not fail (failed: none)"}, Runs: []SuiteRun{{Exit: 0}}},
		{Entry: Entry{Kind: Variation, Name: "gzip"}, OK: true, Runs: []SuiteRun{{Strict: true, Checks: 40}}},
	}}
	var b bytes.Buffer
	if err := Text(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"✓ expired-accepted  caught by AUTH-EXPIRED",
		"✗ revoked-accepted  MISSED: want AUTH-REVOKED",
		"      AUTH-REVOKED did not fail (failed: none)",
		"✓ gzip              passed: 40 checks",
		"1 of 2 MUST deviations caught, 0 of 0 SHOULD deviations caught, 1 of 1 variations passed; 4 suite runs, 2 at a time, in 3s",
		"SELFTEST FAILED",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
}
