package report_test

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// manualClock is the run's clock over the reference's: waiting moves the
// reference's, so RATE-LIMIT-RECOVERY sees the bucket refill without a
// real sleep, while the time the run reads stands still. The families'
// requests overlap (suite/schedule.go), so a wait moving the time the run
// reads would land in whichever check or exchange was being timed then.
type manualClock struct {
	c  *reference.ManualClock
	at time.Time
}

func (m manualClock) Now() time.Time { return m.at }

func (m manualClock) Sleep(_ context.Context, d time.Duration) error {
	m.c.Advance(d)
	return nil
}

// The deliberate faults of the golden run, and exactly the checks each
// must fail or warn: any other check not passing, or one of these
// passing, breaks the test before a golden file is compared.
var goldenFaults = map[string]map[string]report.Status{
	// TOKEN_EXPIRED answered as INVALID_TOKEN.
	"expired-as-invalid-token": {"AUTH-EXPIRED": report.Failed},
	// Every 404 in FastAPI's {"detail": "Not Found"}: the unknown ids, another
	// workspace's export, and (a SHOULD) an unknown route.
	"not-found-detail-string": {
		"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]":                report.Failed,
		"NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]":           report.Failed,
		"NOTFOUND-UNKNOWN-ID [POST /exports/{export_id}/download]": report.Failed,
		"NOTFOUND-OTHER-WORKSPACE":                                 report.Failed,
		"HTTP-UNKNOWN-ROUTE":                                       report.Warning,
		"ENVELOPE-ANY-ACCEPT [404 with no Accept]":                 report.Failed,
		"ENVELOPE-ANY-ACCEPT [404 with Accept: */*]":               report.Failed,
		"ENVELOPE-ANY-ACCEPT [404 with Accept: application/json]":  report.Failed,
		"ENVELOPE-ANY-ACCEPT [404 with a browser's Accept]":        report.Failed,
	},
}

// TestWritersRenderARealRun runs the suite against the reference with a
// fixed clock, a seeded random source and two deliberate faults, through
// the real pipeline (probe, suite, result, writers), and compares every
// writer's output with its golden file. Only what the reference draws at
// random (its ids) and the loopback port are masked.
func TestWritersRenderARealRun(t *testing.T) {
	clock := reference.NewManualClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	var faults []string
	for f := range goldenFaults {
		faults = append(faults, f)
	}
	slices.Sort(faults)
	ref := reference.New(reference.WithClock(clock), reference.WithFaults(faults...))
	srv := httptest.NewServer(ref)
	defer srv.Close()

	prof := fixtures.Default()
	byRole, _ := probe.Credentials(probe.RoleValues(ref.Tokens()))
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole})
	if err != nil {
		t.Fatal(err)
	}
	started := clock.Now()
	client, err := plan.NewClient(probe.Options{BaseURL: srv.URL + prof.BasePath, Now: func() time.Time { return started }})
	if err != nil {
		t.Fatal(err)
	}
	out, err := suite.Run(context.Background(), plan, suite.Options{
		Client: client, Clock: manualClock{clock, started}, Random: rand.NewChaCha8([32]byte{'c', 'o', 'n', 'f', 'o', 'r', 'm'}),
		// The target in the same states in the same order, so its answers
		// (a balance, a list of transactions) repeat byte for byte.
		Sequential: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]report.Status{}
	for _, checks := range goldenFaults {
		for name, st := range checks {
			want[name] = st
		}
	}
	// Nothing to judge against the documented CAPI: its only read_write
	// operation is the charged one, which SCOPE-NO-CHARGE judges.
	want["SCOPE-NO-SIDE-EFFECT"] = report.Skipped
	for _, c := range out.Checks {
		expected, ok := want[c.Name()]
		if !ok {
			expected = report.Passed
		}
		if c.Status != expected {
			t.Errorf("%s: %s (%s), want %s", c.Name(), c.Status, c.Headline(), expected)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	r := report.Result{
		Tool: "conform", Version: "0.0.0-golden", ContractVersion: "CAPI v1",
		Target:    report.Target{BaseURL: srv.URL + prof.BasePath, Profile: prof.Source()},
		Config:    map[string]string{"base_url": srv.URL + prof.BasePath, "strict": "false"},
		StartedAt: started, Duration: clock.Now().Sub(started),
		Checks: out.Checks, Stats: client.Stats(),
	}
	mask := masker(srv.URL)
	for _, w := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"run.console.txt", func(b *bytes.Buffer) error { return report.Console(b, r, report.ConsoleOptions{}) }},
		{"run.console-verbose.txt", func(b *bytes.Buffer) error {
			return report.Console(b, r, report.ConsoleOptions{Verbose: true, Color: true})
		}},
		{"run.junit.xml", func(b *bytes.Buffer) error { return report.JUnit(b, r) }},
		{"run.report.json", func(b *bytes.Buffer) error { return report.JSON(b, r) }},
		{"run.summary.md", func(b *bytes.Buffer) error { return report.Markdown(b, r) }},
		{"run.report.html", func(b *bytes.Buffer) error { return report.HTML(b, r) }},
	} {
		t.Run(w.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, w.file, mask(b.Bytes()))
		})
	}
}

// masker replaces what a rerun changes: the loopback address, the ids the
// reference draws at random, and the Date header the HTTP server adds.
func masker(base string) func([]byte) []byte {
	uuid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	hexID := regexp.MustCompile(`\b(tx|exp|ws|txn)_[0-9a-f]{6,}\b`)
	date := regexp.MustCompile(`"Date": \[\s*"[^"]*"\s*\]`)
	return func(b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte(base), []byte("http://reference.test"))
		b = bytes.ReplaceAll(b, []byte(strings.TrimPrefix(base, "http://")), []byte("reference.test"))
		b = uuid.ReplaceAll(b, []byte("00000000-0000-4000-8000-000000000000"))
		b = hexID.ReplaceAll(b, []byte("${1}_masked"))
		return date.ReplaceAll(b, []byte(`"Date": ["masked"]`))
	}
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/report -update writes it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d (review, then rerun with -update):\n got: %q\nwant: %q", path, i+1, g, w)
		}
	}
}
