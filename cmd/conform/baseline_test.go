package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/baseline"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/version"
)

// Two faults caught by different checks: A is known, B is new.
const (
	knownFault, knownCheck = "expired-accepted", "AUTH-EXPIRED"
	newFault, newCheck     = "balance-uppercase", "CREDITS-INSUFFICIENT"
)

// baselineRun is one conform run against the reference with faults on,
// its reports decoded.
type baselineRunResult struct {
	runResult
	report report.Result
	junit  map[string]junitOutcome // by check name
}

type junitOutcome struct {
	failed  bool
	skipped string // the message of <skipped>, or ""
}

func runWithBaseline(t *testing.T, faults []string, args ...string) baselineRunResult {
	t.Helper()
	var opts []reference.Option
	if len(faults) > 0 {
		opts = append(opts, reference.WithFaults(faults...))
	}
	ref, base := serveReference(t, opts...)
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "junit.xml")
	res := runConformInProcess(t, tokenEnv(ref.Tokens(), base), append([]string{"run", "--json-report", jsonPath, "--junit-report", junitPath}, args...)...)
	out := baselineRunResult{runResult: res, junit: map[string]junitOutcome{}}
	if res.code != exitOK && res.code != exitViolations {
		t.Fatalf("conform exited %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	out.report = readJSONReport(t, jsonPath)
	b, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for i, c := range doc.Cases {
		o := junitOutcome{failed: c.Failure != nil}
		if c.Skipped != nil {
			o.skipped = c.Skipped.Message
		}
		out.junit[out.report.Checks[i].Name()] = o
	}
	return out
}

// idsOf lists the check IDs of baseline entries, each once.
func idsOf(es []report.BaselineEntry) []string {
	var ids []string
	for _, e := range es {
		if len(ids) == 0 || ids[len(ids)-1] != e.ID {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// consoleGroup is the lines of the console's baseline section under the
// group whose title starts with title.
func consoleGroup(t *testing.T, stdout, title string) string {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "  "+title) {
			continue
		}
		var group []string
		for _, m := range lines[i+1:] {
			if !strings.HasPrefix(m, "    ") {
				break
			}
			group = append(group, m)
		}
		return strings.Join(group, "\n")
	}
	t.Fatalf("the console has no group %q:\n%s", title, stdout)
	return ""
}

// TestBaselineRoundTripKnownFailuresDoNotHideNewOnes writes a baseline
// against the reference with fault A, then runs with A and B (exit 1, B
// named first as new, A known), with A alone (exit 0) and with neither
// (exit 0, A fixed), checking the console, JUnit and JSON each time.
func TestBaselineRoundTripKnownFailuresDoNotHideNewOnes(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "known.json")
	written := runWithBaseline(t, []string{knownFault}, "--write-baseline", file)
	if written.code != exitOK || !strings.Contains(written.stdout, "baseline: "+file+", ") {
		t.Fatalf("--write-baseline: exit %d, want 0 and a line naming the file\n%s\n%s", written.code, written.stdout, written.stderr)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := baseline.Decode(raw)
	if err != nil {
		t.Fatalf("the written baseline does not decode: %v\n%s", err, raw)
	}
	for _, e := range f.Failures {
		if e.ID != knownCheck || e.Rule == "" || e.Operation == "" {
			t.Errorf("entry %+v: want only %s failures, each with an operation and a rule", e, knownCheck)
		}
	}
	for what, re := range map[string]*regexp.Regexp{"a message": regexp.MustCompile(`"(message|expected|got)"`), "a token": regexp.MustCompile(`cornect_`), "a date or time": regexp.MustCompile(`\d{4}-\d\d-\d\d`)} {
		if re.MatchString(string(raw)) {
			t.Errorf("the baseline holds %s:\n%s", what, raw)
		}
	}
	// Give the entries a reason, as a person would.
	for i := range f.Failures {
		f.Failures[i].Reason = "the token service ignores expiry; fix in 2.3"
	}
	var annotated strings.Builder
	if err := f.Encode(&annotated); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(annotated.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("A and B: exit 1, B new and named first, A known", func(t *testing.T) {
		r := runWithBaseline(t, []string{knownFault, newFault}, "--baseline", file)
		if r.code != exitViolations {
			t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		b := r.report.Baseline
		if b == nil || strings.Join(idsOf(b.New), ",") != newCheck || strings.Join(idsOf(b.Known), ",") != knownCheck || len(b.Fixed) != 0 {
			t.Fatalf("JSON baseline: %+v; want %s new, %s known, nothing fixed", b, newCheck, knownCheck)
		}
		newAt, knownAt := strings.Index(r.stdout, "✗ "+newCheck+":"), strings.Index(r.stdout, "– "+knownCheck+":")
		if newAt < 0 || knownAt < 0 || newAt > knownAt {
			t.Errorf("the console does not name %s as new before %s as known:\n%s", newCheck, knownCheck, r.stdout)
		}
		if !strings.Contains(consoleGroup(t, r.stdout, "New:"), newCheck) || !strings.Contains(consoleGroup(t, r.stdout, "Known:"), knownCheck) {
			t.Errorf("the console's groups are wrong:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, "not in the baseline "+file+": "+newCheck+":") || strings.Contains(r.stderr, knownCheck) {
			t.Errorf("stderr does not name %s alone as new: %q", newCheck, r.stderr)
		}
		if o := r.junit[knownCheck]; o.failed || o.skipped != "known failure: the token service ignores expiry; fix in 2.3" {
			t.Errorf("JUnit %s: %+v; want skipped \"known failure: <reason>\"", knownCheck, o)
		}
		if o := r.junit[newCheck]; !o.failed {
			t.Errorf("JUnit %s: %+v; want a failure", newCheck, o)
		}
	})

	t.Run("A alone: exit 0, A known", func(t *testing.T) {
		r := runWithBaseline(t, []string{knownFault}, "--baseline", file)
		if r.code != exitOK {
			t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		b := r.report.Baseline
		if len(b.New) != 0 || strings.Join(idsOf(b.Known), ",") != knownCheck || len(b.Fixed) != 0 {
			t.Errorf("JSON baseline: %+v; want nothing new, %s known", b, knownCheck)
		}
		if !strings.Contains(r.stdout, "every failure is known") || !strings.Contains(consoleGroup(t, r.stdout, "Known:"), knownCheck) {
			t.Errorf("the console does not say every failure is known:\n%s", r.stdout)
		}
		if report.Decide(r.report).Conformant() {
			t.Error("the report calls a run with a known failure conformant")
		}
		if o := r.junit[knownCheck]; o.failed || !strings.HasPrefix(o.skipped, "known failure: ") {
			t.Errorf("JUnit %s: %+v; want a skipped known failure", knownCheck, o)
		}
	})

	t.Run("neither: exit 0, A fixed", func(t *testing.T) {
		r := runWithBaseline(t, nil, "--baseline", file)
		if r.code != exitOK {
			t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		b := r.report.Baseline
		if len(b.New) != 0 || len(b.Known) != 0 || strings.Join(idsOf(b.Fixed), ",") != knownCheck || len(b.Fixed) != len(f.Failures) {
			t.Errorf("JSON baseline: %+v; want every entry fixed", b)
		}
		if !strings.Contains(r.stdout, "0 new, 0 known, "+strconv.Itoa(len(f.Failures))+" fixed: no failure") {
			t.Errorf("the console's baseline verdict does not say there is no failure:\n%s", r.stdout)
		}
		if !strings.Contains(consoleGroup(t, r.stdout, "Fixed: remove from the baseline"), knownCheck) {
			t.Errorf("the console does not list %s as fixed:\n%s", knownCheck, r.stdout)
		}
		if o := r.junit[knownCheck]; o.failed || o.skipped != "" {
			t.Errorf("JUnit %s: %+v; want a pass", knownCheck, o)
		}
	})

	t.Run("an expired entry is new again", func(t *testing.T) {
		for i := range f.Failures {
			f.Failures[i].Expires = "2000-01-01"
		}
		expired := filepath.Join(t.TempDir(), "expired.json")
		var b strings.Builder
		if err := f.Encode(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(expired, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runWithBaseline(t, []string{knownFault}, "--baseline", expired, "--label-filter", "auth")
		if r.code != exitViolations || len(r.report.Baseline.Known) != 0 || !r.report.Baseline.New[0].Expired {
			t.Errorf("exit %d, baseline %+v; want exit 1 with the expired entries new\n%s", r.code, r.report.Baseline, r.stdout)
		}
		if !strings.Contains(r.stdout, "its entry expired on 2000-01-01") {
			t.Errorf("the console does not say the entry expired:\n%s", r.stdout)
		}
	})
}

// countingReference is a reference that counts the requests it gets.
func countingReference(t *testing.T) (base string, tokens map[string]string, requests *atomic.Int64) {
	t.Helper()
	ref := reference.New()
	requests = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v1", ref.Tokens(), requests
}

func TestABaselineThatDoesNotFitIsRefusedInOneLineBeforeAnyRequest(t *testing.T) {
	profile, err := baseline.ProfileFingerprint(fixtures.Default())
	if err != nil {
		t.Fatal(err)
	}
	file := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	good := baseline.File{Format: baseline.Format, ContractVersion: version.Contract, Profile: profile, Failures: []baseline.Entry{}}
	otherContract, otherProfile := good, good
	otherContract.ContractVersion = "CAPI v0"
	otherProfile.Profile = "sha256:" + strings.Repeat("0", 64)
	tests := []struct{ name, text, want string }{
		{"another contract", file(otherContract), `written for contract "CAPI v0", but this conform checks`},
		{"another profile", file(otherProfile), "written for another profile (sha256:0000"},
		{"not JSON", "known failures: AUTH-EXPIRED", "not a baseline: invalid character"},
		{"a JSON report", `{"summary":{"conformant":false},"checks":[]}`, `not a baseline: unknown field "summary"`},
		{"a bad date", strings.Replace(file(good), `"failures":[]`, `"failures":[{"id":"AUTH-EXPIRED","expires":"soon"}]`, 1), `"expires" is "soon", not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "known.json")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			base, tokens, requests := countingReference(t)
			res := runConform(t, tokenEnv(tokens, base), "run", "--baseline", path)
			lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
			if res.code != exitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "conform run: --baseline ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line saying %q", res.code, res.stderr, tt.want)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("the target got %d requests before the baseline was refused", n)
			}
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		base, tokens, requests := countingReference(t)
		res := runConform(t, tokenEnv(tokens, base), "run", "--baseline", filepath.Join(t.TempDir(), "nope.json"))
		if res.code != exitUsage || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, "nope.json") || requests.Load() != 0 {
			t.Errorf("exit %d, stderr %q, %d requests; want exit 2, one line naming the file, none sent", res.code, res.stderr, requests.Load())
		}
	})
	t.Run("a baseline that cannot be written", func(t *testing.T) {
		base, tokens, requests := countingReference(t)
		res := runConform(t, tokenEnv(tokens, base), "run", "--write-baseline", filepath.Join(t.TempDir(), "no-such-dir", "known.json"))
		if res.code != exitUsage || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, "--write-baseline") || requests.Load() != 0 {
			t.Errorf("exit %d, stderr %q, %d requests; want exit 2, one line, none sent", res.code, res.stderr, requests.Load())
		}
	})
}
