package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
)

func TestConsoleVerdict(t *testing.T) {
	conformant := sampleResult()
	conformant.Checks = conformant.Checks[:3]
	skippedOne := sampleResult()
	skippedOne.Checks = append(skippedOne.Checks[:3], skippedOne.Checks[6]) // CREDITS-402, no token
	required := skippedOne
	required.RequireAll = true
	failedRequired := sampleResult()
	failedRequired.RequireAll = true
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"two failed checks", sampleResult(), "NOT CONFORMANT: 2 checks failed\n"},
		{"no failed check", conformant, "CONFORMANT\n"},
		{"a MUST check skipped for a token", skippedOne, "NOT VERIFIED: 1 MUST check skipped; CONFORMANT as far as checked\n"},
		{"a MUST check skipped for a token, in CI", required, "REQUIRED CHECKS SKIPPED: 1 MUST check skipped for a token not set, so the run fails (--allow-skips lets it pass)\n"},
		{"failures come first, in CI too", failedRequired, "NOT CONFORMANT: 2 checks failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Console(&buf, tt.r, ConsoleOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(buf.String(), "\n\n"+tt.want) {
				t.Errorf("console output does not end with the verdict %q:\n%s", tt.want, buf.String())
			}
			var md bytes.Buffer
			if err := Markdown(&md, tt.r); err != nil {
				t.Fatal(err)
			}
			mark := "❌"
			if Decide(tt.r).Passes() {
				mark = "✅"
			}
			if want := "## " + mark + " " + tt.want; !strings.HasPrefix(md.String(), want) {
				t.Errorf("the Markdown summary starts %.120q, want %q", md.String(), want)
			}
		})
	}
}

func TestConsoleEscapesTerminalControlsFromTheTarget(t *testing.T) {
	r := sampleResult()
	r.Checks[3].Violations[0].Got += "\x1b[2J\x1b[32mCONFORMANT\r\n"
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Console(&buf, r, ConsoleOptions{Color: color}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "\x1b[2J") || strings.Contains(buf.String(), "\r") {
			t.Errorf("Color=%v: a control sequence from the response reached the terminal", color)
		}
		if !strings.Contains(buf.String(), `\x1b[2J`) {
			t.Errorf("Color=%v: the escaped sequence is not shown", color)
		}
	}
}

func TestConsoleWithoutColorHasNoEscapeCodes(t *testing.T) {
	var buf bytes.Buffer
	if err := Console(&buf, sampleResult(), ConsoleOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("plain console output contains an ANSI escape")
	}
}

// junitDoc is the JUnit schema as CI tools read it.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Errors     int    `xml:"errors,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, r Result) junitDoc {
	t.Helper()
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "<?xml ") {
		t.Error("JUnit output has no XML declaration")
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output is not well-formed XML: %v", err)
	}
	return doc
}

func TestJUnitHasOneTestCasePerCheckAndTheRightCounts(t *testing.T) {
	r := sampleResult()
	doc := parseJUnit(t, r)
	if len(doc.Suites) != 1 {
		t.Fatalf("got %d test suites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	// The warning counts as skipped: that is how the test views show it.
	if s.Name != "conform" || s.Tests != 8 || s.Failures != 2 || s.Skipped != 2 || s.Errors != 0 {
		t.Errorf("suite %q: tests=%d failures=%d skipped=%d errors=%d, want conform 8 2 2 0",
			s.Name, s.Tests, s.Failures, s.Skipped, s.Errors)
	}
	if len(s.Cases) != len(r.Checks) {
		t.Fatalf("got %d test cases, want one per check (%d)", len(s.Cases), len(r.Checks))
	}
	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	for _, name := range []string{"base_url", "profile", "version", "contract_version", "strict", "requests"} {
		if _, ok := props[name]; !ok {
			t.Errorf("property %q missing", name)
		}
	}
	for i, c := range s.Cases {
		ch := r.Checks[i]
		if !strings.HasPrefix(c.Name, ch.Name()+" ") || !strings.Contains(c.Name, ch.Title) {
			t.Errorf("test case %d is named %q, want the check name and title", i, c.Name)
		}
		if c.Classname != ch.Labels[0] {
			t.Errorf("test case %q: classname %q, want the first label %q", c.Name, c.Classname, ch.Labels[0])
		}
		if (c.Failure != nil) != (ch.Status == Failed) || (c.Skipped != nil) != (ch.Status == Skipped || ch.Status == Warning) {
			t.Errorf("test case %q does not reflect status %s", c.Name, ch.Status)
		}
	}
	expired := s.Cases[3]
	head := "level: MUST\nrequirement: " + r.Checks[3].Sentence + "\ndoc: https://cornect.io/docs/api/errors\n\n"
	if !strings.Contains(expired.Name, "TOKEN_EXPIRED") || expired.Failure.Type != "AUTH-EXPIRED" ||
		strings.Contains(expired.Failure.Message, "\n") || expired.Failure.Text != head+r.Checks[3].Explanation() {
		t.Errorf("failed test case: name %q, type %q, message %q, text %.200q; want the code in the name, the ID as type, one line, level, sentence, doc link and the full message as text",
			expired.Name, expired.Failure.Type, expired.Failure.Message, expired.Failure.Text)
	}
	warned := s.Cases[7]
	head = "level: SHOULD\nrequirement: " + r.Checks[7].Sentence + "\ndoc: https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1\n\n"
	if warned.Skipped == nil || !strings.HasPrefix(warned.Skipped.Message, "warning: header WWW-Authenticate") || warned.Skipped.Text != head+r.Checks[7].Explanation() {
		t.Errorf("warning test case: %+v; want a skipped whose message starts with warning:, the level, sentence, doc link and explanation as text", warned.Skipped)
	}
	if out := s.Cases[0].SystemOut; !strings.Contains(out, "401 Unauthorized") {
		t.Errorf("passed system-out = %q, want its exchange lines", out)
	}
}

func TestJUnitStaysWellFormedWithControlCharactersInABody(t *testing.T) {
	r := sampleResult()
	r.Checks[3].Violations[0].Got = "body: \x00\x01\x08\x0b\x1b\ufffe ]]> end\n"
	r.Checks[3].Title += " \x00"
	r.Checks[6].Reason = "reason \x00\x01"
	doc := parseJUnit(t, r)
	if got := doc.Suites[0].Cases[3].Failure.Text; !strings.Contains(got, "got body: \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd ]]> end\n") {
		t.Errorf("failure text = %.40q…, want the forbidden characters replaced and the rest kept", got)
	}
}

func TestJSONRoundTripsTheResult(t *testing.T) {
	r := sampleResult()
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Summary.Conformant || got.Summary.Failed != 2 || got.Summary.Total != 8 {
		t.Errorf("summary = %+v, want not conformant, 2 failed of 8", got.Summary)
	}
	// Body is not in the JSON (json:"-"); BodyText carries it, cut at 2 KiB.
	r = capBodies(r)
	for i := range r.Checks {
		for j := range r.Checks[i].Exchanges {
			r.Checks[i].Exchanges[j].Body = nil
		}
	}
	if !reflect.DeepEqual(got.Result, r) {
		t.Errorf("the Result did not survive JSON:\n got %+v\nwant %+v", got.Result, r)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	external := regexp.MustCompile(`(?i)<(link|script|img|iframe|object|embed)\b|@import|url\(`)
	if m := external.FindString(buf.String()); m != "" {
		t.Errorf("HTML report loads something (%q); it must be one self-contained file", m)
	}
	remote := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?https?://`)
	for _, m := range remote.FindAllString(buf.String(), -1) {
		if !strings.HasPrefix(strings.ToLower(m), "href") {
			t.Errorf("HTML report references a remote asset: %q", m)
		}
	}
}

func TestHTMLEscapesMarkupFromResponseBodies(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `<script>alert("pwned")`) {
		t.Error("a <script> from a response body reached the HTML report unescaped")
	}
	if !strings.Contains(buf.String(), `&lt;script&gt;alert(&#34;pwned&#34;)`) {
		t.Error("the escaped <script> from the response body is not shown")
	}
}

func TestHTMLOpensFailedChecksOnly(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	open := regexp.MustCompile(`<details class="check (\w+)" id="[^"]+" open>`).FindAllStringSubmatch(buf.String(), -1)
	if len(open) != 2 {
		t.Fatalf("%d checks unfolded, want the 2 failed ones", len(open))
	}
	for _, m := range open {
		if m[1] != "failed" {
			t.Errorf("a %s check is unfolded", m[1])
		}
	}
}

func TestMarkdownKeepsTablesAndFencesIntact(t *testing.T) {
	r := sampleResult()
	r.Checks[0].Operations = []OperationResult{{Method: "GET", Path: "/a | in a path", Status: Passed}}
	r.Checks[3].Violations[0].Got = "body:\n```\nnot the end\n"
	var buf bytes.Buffer
	if err := Markdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `a \| in a path`) {
		t.Error("a | in a table cell is not escaped")
	}
	if summary := regexp.MustCompile(`<summary>[^\n]*</summary>`).FindAllString(out, -1); len(summary) != strings.Count(out, "<summary>") {
		t.Error("a line break in a message breaks the one-line <summary> of its check")
	}
	at := strings.LastIndex(out, "not the end")
	if at < 0 || !strings.HasPrefix(out[strings.LastIndex(out[:at], "text\n")-4:], "````text") {
		t.Error("a ``` in a message closes its code block early")
	}
}

func TestWriteFileLeavesOnlyTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, func(w io.Writer) error { return JSON(w, sampleResult()) }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !json.Valid(b) {
		t.Error("the file was not replaced by the new report")
	}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{"report.json"}) {
		t.Errorf("directory holds %q, want only report.json", names)
	}
}

func TestWriteFileFailureKeepsTheOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want the writer's error with the path", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a failed write changed the file to %q", b)
	}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{"report.json"}) {
		t.Errorf("directory holds %q, want only report.json", names)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestJSONCutsBodiesToWhatReportsShow(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, c := range got.Checks {
		for _, ex := range c.Exchanges {
			if len(ex.BodyText) > probe.EvidenceBodyLimit {
				t.Errorf("%s: a %d-byte body in the JSON report", c.Name(), len(ex.BodyText))
			}
			if ex.Truncated {
				cut++
			}
		}
	}
	if cut == 0 {
		t.Error("the sample's long body was not marked truncated")
	}
}

// TestMarkdownStaysWithinWhatGitHubShows: however many checks fail, and
// however long their evidence, the summary stays under 1 MiB and says what
// it left out.
func TestMarkdownStaysWithinWhatGitHubShows(t *testing.T) {
	r := sampleResult()
	failed := r.Checks[3]
	long := strings.Repeat("x", 100<<10)
	for i := range 3000 {
		c := failed
		c.ID = fmt.Sprintf("CHECK-%d", i) // checks of their own: variants of one fold into one entry
		c.Violations = append([]Violation(nil), failed.Violations...)
		c.Violations[0].Got = long
		c.Operations = []OperationResult{{Method: "GET", Path: fmt.Sprintf("/op/%d", i), Status: Failed}}
		r.Checks = append(r.Checks, c)
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > MarkdownLimit {
		t.Errorf("the summary is %d bytes, over %d", buf.Len(), MarkdownLimit)
	}
	if !strings.Contains(buf.String(), "more entries (failures, warnings or coverage rows) are left out") {
		t.Error("the summary does not say what it left out")
	}
}

// orderedResult has its checks out of reading order, nine variants of one
// check that fail the same way, and two variants of another that fail
// differently.
func orderedResult() Result {
	r := Result{Tool: "conform", Version: "0.4.0", ContractVersion: "CAPI v1", Target: Target{BaseURL: base}}
	check := func(id, variant string, status Status, vs ...Violation) Check {
		c := Check{ID: id, Variant: variant, Title: id + " title", Level: Must, Sentence: "It MUST hold.",
			Source: "https://cornect.io/docs/api/errors", Labels: []string{"x"}, Status: status, Violations: vs}
		if status == Skipped {
			c.Skip, c.Reason = SkipMissingToken, "CONFORM_TOKEN_READ not set"
		}
		if status == Inconclusive || status == Error {
			c.Reason = "why"
		}
		return c
	}
	array := Violation{Operation: "POST /exports", Rule: "schema", Where: "body", Pointer: "/detail", Keyword: "type", Message: "expected object, got array"}
	r.Checks = append(r.Checks, check("AUTH-MISSING", "", Passed), check("AUTH-UNBOUND", "", Skipped))
	for i := range 9 {
		v := array
		v.Operation = fmt.Sprintf("POST /exports body %d", i)
		r.Checks = append(r.Checks, check("VALIDATION-422", fmt.Sprintf("body %d", i), Failed, v))
	}
	r.Checks = append(r.Checks,
		check("RATE-LIMIT-429", "", Inconclusive),
		check("HTTP-UNKNOWN-ROUTE", "", Warning, array),
		check("SCOPE-INSUFFICIENT", "", Error),
		check("NOTFOUND-UNKNOWN-ID", "GET /credits", Failed, array),
		check("NOTFOUND-UNKNOWN-ID", "GET /exports", Failed, Violation{Rule: "status", Where: "status", Expected: "404", Got: "200"}),
	)
	return r
}

func TestReportsPutFailuresFirstAndGroupVariantsThatFailAlike(t *testing.T) {
	r := orderedResult()
	alike := "and 8 more like it"

	var page bytes.Buffer
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range regexp.MustCompile(`<details class="check ([a-z-]+)" id="([a-z0-9-]+)"`).FindAllStringSubmatch(page.String(), -1) {
		order = append(order, m[1]+" "+m[2])
	}
	want := []string{
		"failed check-validation-422", // the nine variants as one check
		"failed check-notfound-unknown-id",
		"error check-scope-insufficient", "warning check-http-unknown-route", "inconclusive check-rate-limit-429",
		"skipped check-auth-unbound", "passed check-auth-missing",
	}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("the HTML lists the checks\n%q\nwant\n%q", order, want)
	}
	var sections []string
	for _, m := range regexp.MustCompile(`<h2 id="([a-z-]+)">`).FindAllStringSubmatch(page.String(), -1) {
		sections = append(sections, m[1])
	}
	if want := []string{"failures", "errors", "warnings", "not-judged", "verified", "coverage"}; !reflect.DeepEqual(sections, want) && !reflect.DeepEqual(sections, want[:5]) {
		t.Errorf("the HTML's sections are %q, want %q", sections, want)
	}
	if n := strings.Count(page.String(), alike); n != 1 {
		t.Errorf("the HTML says %q %d times, want once", alike, n)
	}
	for i := 1; i < 9; i++ {
		if n := strings.Count(page.String(), fmt.Sprintf("body %d on POST /exports body %d<", i, i)); n != 1 {
			t.Errorf("variant %d is named %d times among the responses alike, want once", i, n)
		}
	}
	if !strings.Contains(page.String(), "<li>status: expected 404, got 200 [status]</li>") {
		t.Error("the HTML does not show the second, distinct violation of NOTFOUND-UNKNOWN-ID")
	}

	var console bytes.Buffer
	if err := Console(&console, r, ConsoleOptions{}); err != nil {
		t.Fatal(err)
	}
	out := console.String()
	if strings.Count(out, alike) != 1 || strings.Count(out, "✗ VALIDATION-422 — ") != 1 || strings.Count(out, "✗ body /detail: expected object, got array [type]") != 2 {
		t.Errorf("the console does not show the nine variants as one violation %q:\n%s", alike, out)
	}
	if !strings.Contains(out, alike+": body 1 on POST /exports body 1 · body 2 on POST /exports body 2 · body 3 on POST /exports body 3 · and 5 more") {
		t.Errorf("the console does not name the first variants alike and count the rest:\n%s", out)
	}
	if strings.Count(out, "✗ NOTFOUND-UNKNOWN-ID — ") != 1 || !strings.Contains(out, "✗ status: expected 404, got 200 [status]") {
		t.Errorf("the two ways NOTFOUND-UNKNOWN-ID failed are not shown under one heading:\n%s", out)
	}
	last := -1
	for _, heading := range []string{"FAILURES: 2 checks (11 variants)", "ERRORS OF CONFORM: 1 check", "WARNINGS: 1 check", "OTHER CHECKS"} {
		at := strings.Index(out, heading)
		if at <= last {
			t.Errorf("the console's %q is missing or out of order:\n%s", heading, out)
		}
		last = at
	}
	_, rest, _ := strings.Cut(out, "OTHER CHECKS\n")
	var ids []string
	for l := range strings.SplitSeq(rest, "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.ToUpper(f[1]) == f[1] && strings.Contains(f[1], "-") {
			ids = append(ids, f[1])
		}
	}
	if wantIDs := []string{"RATE-LIMIT-429", "AUTH-UNBOUND", "AUTH-MISSING"}; !reflect.DeepEqual(ids, wantIDs) {
		t.Errorf("the console lists the other checks %q, want %q", ids, wantIDs)
	}

	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	last = -1
	for _, heading := range []string{"### ❌ Failures", "### 🛑 Errors of conform", "### ⚠️ Warnings", "### Other checks"} {
		at := strings.Index(md.String(), heading)
		if at <= last {
			t.Errorf("the summary's %q is missing or out of order:\n%s", heading, md.String())
		}
		last = at
	}
	if n := strings.Count(md.String(), alike); n != 1 {
		t.Errorf("the summary says %q %d times, want once:\n%s", alike, n, md.String())
	}
}

// TestAKnownFailureIsNeverShownAmongTheFailures: a failure the baseline
// lists is folded to one line with the baseline's reason, after the
// failures, in the console and the job summary, and sits in a section of
// its own in the HTML report, never under Failures.
func TestAKnownFailureIsNeverShownAmongTheFailures(t *testing.T) {
	r := everyOutcome()
	const known, reason = "AUTH-REVOKED", "a fix ships in 2.4"
	var console, md, page bytes.Buffer
	if err := Console(&console, r, ConsoleOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	out := console.String()
	failures, rest, _ := strings.Cut(out, "KNOWN FAILURES")
	if strings.Contains(failures, known) || !strings.Contains(rest, "– "+known+" ") || !strings.Contains(rest, reason) {
		t.Errorf("the console does not fold %s, with its reason, under its known failures:\n%s", known, out)
	}
	mdFailures, mdRest, _ := strings.Cut(md.String(), "### Known failures")
	if strings.Contains(mdFailures, known) || !strings.Contains(mdRest, "`"+known+"`") || !strings.Contains(mdRest, reason) {
		t.Errorf("the summary does not list %s, with its reason, under its known failures:\n%s", known, md.String())
	}
	html := page.String()
	fails, knownAt := strings.Index(html, `<h2 id="failures">`), strings.Index(html, `<h2 id="known">`)
	check := strings.Index(html, `id="check-auth-revoked"`)
	if fails < 0 || knownAt < fails || check < knownAt || !strings.Contains(html, `<details class="check known" id="check-auth-revoked">`) {
		t.Errorf("the HTML does not show %s in its known failures (failures at %d, known at %d, the check at %d)", known, fails, knownAt, check)
	}
}
