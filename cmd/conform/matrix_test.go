package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// deviations maps each deliberate fault of the reference server to the
// check(s) that must catch it: "ID" or "ID [variant]" as in report.Check.Name.
var deviations = map[string][]string{
	"validation-array-detail":       {"VALIDATION-422 [missing required name on POST /exports]"},
	"not-found-plain-text":          {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]"},
	"not-found-detail-string":       {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"expired-accepted":              {"AUTH-EXPIRED"},
	"expired-as-invalid-token":      {"AUTH-EXPIRED"},
	"revoked-accepted":              {"AUTH-REVOKED"},
	"unbound-accepted":              {"AUTH-UNBOUND"},
	"non-member-403":                {"AUTH-NON-MEMBER"},
	"missing-auth-as-invalid-token": {"AUTH-MISSING"},
	"prefix-unchecked":              {"AUTH-FORMAT [bearer token without the cornect_ prefix]"},
	"empty-header-as-missing":       {"AUTH-FORMAT [empty header value]"},
	"credits-no-auth":               {"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"},
	"scope-not-enforced":            {"SCOPE-INSUFFICIENT", "SCOPE-NO-CHARGE"},
	"scope-after-charge":            {"SCOPE-NO-CHARGE"},
	"codes-unstable":                {"HTTP-STABLE-CODE"},
	"cross-workspace-other-code":    {"NOTFOUND-OTHER-WORKSPACE"},
	"rate-limit-shared-bucket":      {"RATE-LIMIT-PER-TOKEN"},
	"scope-as-401":                  {"SCOPE-INSUFFICIENT"},
	"scope-details-swapped":         {"SCOPE-INSUFFICIENT"},
	"read-endpoint-needs-write":     {"SCOPE-READ-ACCEPTED"},
	"balance-uppercase":             {"CREDITS-INSUFFICIENT"},
	"balance-as-403":                {"CREDITS-INSUFFICIENT"},
	"balance-not-checked":           {"CREDITS-INSUFFICIENT", "CREDITS-NO-CHARGE"},
	"charge-on-402":                 {"CREDITS-NO-CHARGE"},
	"rate-limit-missing":            {"RATE-LIMIT-429"},
	"retry-after-missing":           {"RATE-LIMIT-429"},
	"retry-after-http-date":         {"RATE-LIMIT-429"},
	"retry-after-zero":              {"RATE-LIMIT-429"},
	"rate-limit-sticky":             {"RATE-LIMIT-RECOVERY"},
	"errors-as-200":                 {"AUTH-MISSING", "SCOPE-INSUFFICIENT", "VALIDATION-422 [malformed JSON on POST /exports]"},
	"json-as-html":                  {"AUTH-MISSING", "NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"envelope-flat":                 {"AUTH-MISSING", "CREDITS-INSUFFICIENT"},
	"message-missing":               {"AUTH-MISSING", "RATE-LIMIT-429"},
	"unknown-id-500":                {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"validation-as-400":             {"VALIDATION-422 [name of the wrong type on POST /exports]"},
	"malformed-json-500":            {"VALIDATION-422 [malformed JSON on POST /exports]", "VALIDATION-422 [malformed JSON in a search on POST /companies/search]"},
	"list-id-unchecked":             {"VALIDATION-422 [list_id that is not a UUID on POST /exports]"},
	"enum-unchecked":                {"VALIDATION-422 [values outside their enums on POST /exports]"},
	"download-unfinished-200":       {"EXPORT-NOT-READY"},
	"cross-workspace-403":           {"NOTFOUND-OTHER-WORKSPACE"},
	"search-filter-types-unchecked": {"VALIDATION-422 [wrong type in search_filters on POST /exports]", "VALIDATION-422 [wrong type in a search filter on POST /companies/search]"},
}

// shouldDeviations maps each fault that breaks a SHOULD to the check that
// catches it: a default run passes with a warning there, --strict fails it.
var shouldDeviations = map[string]string{
	"www-authenticate-missing":            "AUTH-CHALLENGE",
	"challenge-error-without-credentials": "AUTH-CHALLENGE",
	"scheme-case-sensitive":               "AUTH-SCHEME-CASE",
	"validation-before-auth":              "AUTH-BEFORE-VALIDATION",
	"token-echo":                          "SECURITY-NO-LEAK",
	"stack-trace":                         "SECURITY-NO-LEAK",
	"wrong-method-404":                    "HTTP-METHOD-405",
	"method-not-allowed-without-allow":    "HTTP-METHOD-405",
	"unknown-route-plain-text":            "HTTP-UNKNOWN-ROUTE",
	"retry-after-garbage":                 "HTTP-RETRY-AFTER-SYNTAX",
}

// expectedSkips are the checks a variation leaves nothing to judge for
// (skipped or inconclusive: no verdict).
var expectedSkips = map[string][]string{
	// The export is ready at once: there is no not-ready download to provoke.
	"instant-exports": {"EXPORT-NOT-READY"},
}

// matrixRun is one run of conform against one server.
type matrixRun struct {
	name    string
	res     runResult
	checks  []report.Check
	failed  []string
	warned  []string
	skipped []string
	elapsed time.Duration
}

// runMatrix runs conform against a reference per entry, several at a time
// (each server has state of its own), and returns the runs by name.
func runMatrix(t *testing.T, names []string, opts func(string) []reference.Option, extraArgs ...string) map[string]matrixRun {
	t.Helper()
	runs := make(map[string]matrixRun, len(names))
	var mu sync.Mutex
	sem := make(chan struct{}, 6)
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ref, base := serveReference(t, opts(name)...)
			path := filepath.Join(t.TempDir(), "r.json")
			res, _, err := execConform(tokenEnv(ref.Tokens(), base), append([]string{"run", "--json-report", path}, extraArgs...)...)
			if err != nil {
				t.Errorf("%s: running conform: %v", name, err)
			}
			run := matrixRun{name: name, res: res, elapsed: res.elapsed}
			if res.code == exitOK || res.code == exitViolations {
				r, err := decodeJSONReport(path)
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
				run.checks = r.Checks
			}
			for _, c := range run.checks {
				switch c.Status {
				case report.Failed:
					run.failed = append(run.failed, c.Name())
				case report.Warning:
					run.warned = append(run.warned, c.Name())
				case report.Skipped, report.Inconclusive, report.NotRun, report.Error:
					run.skipped = append(run.skipped, c.Name())
				}
			}
			mu.Lock()
			runs[name] = run
			mu.Unlock()
		}()
	}
	wg.Wait()
	return runs
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestMatrixCatchesEveryDeviation runs the suite against the reference with
// one deliberate fault at a time: each run must fail (exit 1, through the
// same path as `conform run`), and fail in the checks meant to catch it.
func TestMatrixCatchesEveryDeviation(t *testing.T) {
	known := map[string]bool{}
	for _, f := range reference.Faults() {
		known[f.Name] = true
		_, must := deviations[f.Name]
		_, should := shouldDeviations[f.Name]
		if must == should {
			t.Errorf("fault %q must be in exactly one of the matrix tables (deviations, shouldDeviations)", f.Name)
		}
	}
	for name := range deviations {
		if !known[name] {
			t.Errorf("the matrix lists %q, which the reference does not know", name)
		}
	}
	for name := range shouldDeviations {
		if !known[name] {
			t.Errorf("the matrix lists %q, which the reference does not know", name)
		}
	}
	start := time.Now()
	runs := runMatrix(t, sortedKeys(deviations), func(name string) []reference.Option {
		return []reference.Option{reference.WithFaults(name)}
	})
	var table strings.Builder
	caught := 0
	for _, name := range sortedKeys(deviations) {
		run := runs[name]
		ok := run.res.code == exitViolations
		var missing []string
		for _, want := range deviations[name] {
			if !slices.Contains(run.failed, want) {
				missing = append(missing, want)
				ok = false
			}
		}
		if ok {
			caught++
		}
		fmt.Fprintf(&table, "  %-30s exit %d  caught by %s\n", name, run.res.code, strings.Join(deviations[name], ", "))
		if !ok {
			t.Errorf("%s: exit %d; expected failing checks %v not among failed %v\n%s", name, run.res.code, missing, run.failed, run.res.stderr)
		}
	}
	t.Logf("deviations: %d of %d caught in %s\n%s", caught, len(deviations), time.Since(start).Round(time.Millisecond), table.String())
}

// TestMatrixWarnsOnSHOULDDeviationsAndStrictFails runs each SHOULD-level
// fault twice: the default run passes (exit 0) with a warning in the check
// meant to catch it, and --strict fails (exit 1) in that same check.
func TestMatrixWarnsOnSHOULDDeviationsAndStrictFails(t *testing.T) {
	names := sortedKeys(shouldDeviations)
	opts := func(name string) []reference.Option { return []reference.Option{reference.WithFaults(name)} }
	start := time.Now()
	lenient := runMatrix(t, names, opts)
	strict := runMatrix(t, names, opts, "--strict")
	var table strings.Builder
	for _, name := range names {
		want := shouldDeviations[name]
		l, s := lenient[name], strict[name]
		fmt.Fprintf(&table, "  %-36s default: exit %d, warns %-24s  --strict: exit %d, fails %s\n", name, l.res.code, want, s.res.code, want)
		if l.res.code != exitOK || !slices.Contains(l.warned, want) || len(l.failed) > 0 {
			t.Errorf("%s without --strict: exit %d, warnings %v, failures %v; want exit 0 with a warning in %s\n%s", name, l.res.code, l.warned, l.failed, want, l.res.stderr)
		}
		if s.res.code != exitViolations || !slices.Contains(s.failed, want) {
			t.Errorf("%s with --strict: exit %d, failures %v; want exit 1 failing %s\n%s", name, s.res.code, s.failed, want, s.res.stderr)
		}
	}
	t.Logf("SHOULD deviations: %d, each a warning by default and a failure under --strict, in %s\n%s", len(names), time.Since(start).Round(time.Millisecond), table.String())
}

// TestMatrixPassesEveryConformingVariation runs the suite against the
// reference with one conforming variation at a time, under --strict: each
// must pass with no failure and no warning.
func TestMatrixPassesEveryConformingVariation(t *testing.T) {
	var names []string
	for _, v := range reference.Variations() {
		names = append(names, v.Name)
	}
	if len(names) < 8 {
		t.Fatalf("only %d variations; the matrix wants at least 8", len(names))
	}
	baseline := suiteChecksOfAFullRun(t)
	start := time.Now()
	runs := runMatrix(t, names, func(name string) []reference.Option {
		return []reference.Option{reference.WithVariations(name)}
	}, "--strict")
	var table strings.Builder
	for _, name := range names {
		run := runs[name]
		fmt.Fprintf(&table, "  %-20s exit %d  %d checks, %d failed, %d warnings  (%s)\n", name, run.res.code, len(run.checks), len(run.failed), len(run.warned), run.elapsed.Round(time.Millisecond))
		if run.res.code != exitOK || len(run.failed) > 0 || len(run.warned) > 0 {
			t.Errorf("%s: exit %d, failed %v, warnings %v\n%s%s", name, run.res.code, run.failed, run.warned, run.res.stdout, run.res.stderr)
		}
		// The default profile has no read_write operation but the charged
		// one: SCOPE-NO-SIDE-EFFECT has nothing to judge in any run.
		want := append([]string{"SCOPE-NO-SIDE-EFFECT"}, expectedSkips[name]...)
		if !slices.Equal(run.skipped, want) {
			t.Errorf("%s: skipped %v, want %v: a variation must not make checks skip unnoticed", name, run.skipped, want)
		}
		if len(run.checks) != len(baseline) {
			t.Errorf("%s: %d checks, a run against the plain reference has %d", name, len(run.checks), len(baseline))
		}
	}
	t.Logf("variations: %d passed in %s\n%s", len(names), time.Since(start).Round(time.Millisecond), table.String())
}
