package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
)

// everyStatusResult is sampleResult with a check of every status and every
// kind of skip, and text XML forbids in a reason.
func everyStatusResult() Result {
	r := sampleResult()
	r.RequireAll = true
	r.Incomplete = "--suite-timeout (1s) reached"
	base := Check{
		Title: "a check", Level: Must, Sentence: "It MUST hold.", Source: "https://cornect.io/docs/api/errors",
		Labels: []string{"auth"}, Since: "0.1.0",
	}
	add := func(id string, status Status, skip SkipKind, reason string) {
		c := base
		c.ID, c.Status, c.Skip, c.Reason = id, status, skip, reason
		r.Checks = append(r.Checks, c)
	}
	add("RATE-LIMIT-429", Inconclusive, "", "sent 63 requests; none was refused with 429")
	add("RATE-LIMIT-RECOVERY", NotRun, "", "not run: the run stopped (--suite-timeout (1s) reached)")
	add("SCOPE-INSUFFICIENT", Error, "", "conform itself failed while running this check: panic \x00 in a matcher")
	add("VALIDATION-422", Skipped, SkipFiltered, "not selected by --label-filter auth")
	add("NOTFOUND-OTHER-WORKSPACE", Skipped, SkipNotApplicable, "READ_WRITE and NO_CREDITS are in the same workspace")
	return r
}

// junitOf writes r as JUnit into a file of the test's and returns its path.
func junitOf(t *testing.T, r Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestJUnitValidatesAgainstTheXUnitSchema holds the golden run's JUnit and
// a run of every status to the JUnit schema of Jenkins' xUnit plugin
// (testdata/junit-10.xsd, see testdata/README.md), with xmllint. .ci/run
// installs xmllint (Debian's libxml2-utils) where it is missing.
func TestJUnitValidatesAgainstTheXUnitSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed, so the JUnit schema is not checked here (apt-get install libxml2-utils; .ci/run does)")
	}
	for name, path := range map[string]string{
		"golden run":   filepath.Join("testdata", "run.junit.xml"),
		"every status": junitOf(t, everyStatusResult()),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "junit-10.xsd"), path).CombinedOutput()
			if err != nil {
				t.Fatalf("xmllint rejects the JUnit file: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), " validates") {
				t.Errorf("xmllint did not say the file validates:\n%s", out)
			}
		})
	}
}

// junitStatus is how a JUnit reader sees each status of conform.
var junitStatus = map[Status]junit.Status{
	Passed: junit.StatusPassed, Failed: junit.StatusFailed, Error: junit.StatusError,
	Warning: junit.StatusSkipped, Skipped: junit.StatusSkipped, Inconclusive: junit.StatusSkipped, NotRun: junit.StatusSkipped,
}

// TestJUnitReadsRightInAJUnitParser reads the JUnit with a JUnit parser
// (github.com/joshdk/go-junit, as CI tools read it): one test per check
// with the status it stands for, warnings told apart by their message, and
// every failure, error and warning starting with its level, requirement and
// doc link.
func TestJUnitReadsRightInAJUnitParser(t *testing.T) {
	golden := func() Result {
		b, err := os.ReadFile(filepath.Join("testdata", "run.report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}()
	for name, tt := range map[string]struct {
		r    Result
		path string
	}{
		"golden run":   {golden, filepath.Join("testdata", "run.junit.xml")},
		"every status": {everyStatusResult(), junitOf(t, everyStatusResult())},
	} {
		t.Run(name, func(t *testing.T) {
			suites, err := junit.IngestFile(tt.path)
			if err != nil {
				t.Fatalf("the JUnit parser cannot read the file: %v", err)
			}
			if len(suites) != 1 {
				t.Fatalf("%d suites, want 1", len(suites))
			}
			s := suites[0]
			if len(s.Tests) != len(tt.r.Checks) {
				t.Fatalf("%d tests, want one per check: %d", len(s.Tests), len(tt.r.Checks))
			}
			c := tt.r.Count()
			want := junit.Totals{Tests: c.Total, Passed: c.Passed, Failed: c.Failed, Error: c.Errors,
				Skipped: c.Skipped + c.Inconclusive + c.NotRun + c.Warnings}
			got := s.Totals
			got.Duration = 0
			if got != want {
				t.Errorf("totals %+v, want %+v", got, want)
			}
			for i, test := range s.Tests {
				ch := tt.r.Checks[i]
				if test.Name != ch.Name()+" "+ch.Title {
					t.Errorf("test %d is named %q, want %q", i, test.Name, ch.Name()+" "+ch.Title)
				}
				if test.Status != junitStatus[ch.Status] {
					t.Errorf("%s: %s in JUnit, want %s for %s", ch.Name(), test.Status, junitStatus[ch.Status], ch.Status)
				}
				if isWarning := strings.HasPrefix(test.Message, "warning: "); isWarning != (ch.Status == Warning) {
					t.Errorf("%s (%s): message %q; a warning's, and only a warning's, starts with \"warning: \"", ch.Name(), ch.Status, test.Message)
				}
				switch ch.Status {
				case Failed, Error, Warning:
					body := test.SystemOut
					if e, ok := test.Error.(junit.Error); ok {
						body = e.Body
					}
					if ch.Status == Warning {
						body = skippedText(t, tt.path, i)
					}
					lines := strings.SplitN(body, "\n", 4)
					head := []string{"level: " + string(ch.Level), "requirement: " + ch.Sentence, "doc: " + DocLink(ch.Source)}
					if len(lines) < 4 || strings.Join(lines[:3], "\n") != strings.Join(head, "\n") {
						t.Errorf("%s: the body starts %q, want %q", ch.Name(), lines[:min(3, len(lines))], head)
					}
					if !strings.HasPrefix(head[2], "doc: http") {
						t.Errorf("%s: no doc link in %q", ch.Name(), head[2])
					}
				}
			}
		})
	}
}

// skippedText is the text of the i-th test case's <skipped> element, which
// go-junit does not keep.
func skippedText(t *testing.T, path string, i int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if sk := doc.Suites[0].Cases[i].Skipped; sk != nil {
		return sk.Text
	}
	return ""
}

func TestDocLink(t *testing.T) {
	for source, want := range map[string]string{
		"https://cornect.io/docs/api/errors":                           "https://cornect.io/docs/api/errors",
		"RFC 9110 §15.5.4":                                             "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
		"RFC 9110 §11.6.1 and §15.5.2; RFC 6750 §3 and §3.1":           "https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1",
		"RFC 9110 §15.5.2; https://cornect.io/docs/api/authentication": "https://cornect.io/docs/api/authentication",
		"RFC 6750 §5.1; OWASP ASVS V7.4.1":                             "https://www.rfc-editor.org/rfc/rfc6750#section-5.1",
		"RFC 6750":                                                     "https://www.rfc-editor.org/rfc/rfc6750",
		"the team's wiki":                                              "the team's wiki",
	} {
		if got := DocLink(source); got != want {
			t.Errorf("DocLink(%q) = %q, want %q", source, got, want)
		}
	}
}
