package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JUnit writes the run as JUnit XML for CI test views: one test case per
// check, named with its ID and title so the error code is searchable. The
// file validates against the JUnit schema of Jenkins' xUnit plugin
// (testdata/junit-10.xsd).
//
// A warning is a <skipped> whose message starts with "warning:": the test
// views of GitHub's JUnit report actions, GitLab and Jenkins show a passed
// test case's output seldom or never, and each of them lists a skipped one
// apart, with its message, without failing the build. The body of every
// failure, error and warning starts with three lines: the level, the
// requirement sentence and the doc link.
//
// Characters XML 1.0 forbids (a hostile body's \x00, say) are replaced by
// U+FFFD, so the file is always well-formed.
func JUnit(w io.Writer, r Result) error {
	c := r.Count()
	suite := junitSuite{
		Name:      "conform",
		Tests:     c.Total,
		Failures:  c.Failed,
		Errors:    c.Errors,
		Skipped:   c.Skipped + c.Inconclusive + c.NotRun + c.Warnings,
		Time:      seconds(r.Duration),
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"base_url", r.Target.BaseURL},
			{"reference", strconv.FormatBool(r.Target.Reference)},
			{"profile", r.Target.Profile},
			{"version", r.Version},
			{"contract_version", r.ContractVersion},
			{"strict", strconv.FormatBool(r.Strict)},
			{"requests", strconv.FormatInt(r.Stats.Requests, 10)},
		},
	}
	for _, ch := range r.Checks {
		suite.Cases = append(suite.Cases, junitCase(ch))
	}
	// <testsuites> has no skipped attribute in the schema; the suite's does.
	markKnownFailures(&suite, r)
	doc := junitSuites{
		Name:     "conform",
		Tests:    c.Total,
		Failures: suite.Failures,
		Errors:   c.Errors,
		Time:     suite.Time,
		Suites:   []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCase(c Check) junitTestCase {
	tc := junitTestCase{
		Name:      c.Name() + " " + c.Title,
		Classname: "conform",
		Time:      seconds(c.Duration),
	}
	if len(c.Labels) > 0 {
		tc.Classname = c.Labels[0]
	}
	switch c.Status {
	case Failed:
		tc.Failure = &junitFailure{Message: c.Headline(), Type: c.ID, Text: xmlText(junitBody(c))}
	case Error:
		tc.Error = &junitFailure{Message: c.Headline(), Type: "conform-internal-error", Text: xmlText(junitBody(c))}
	case Warning:
		tc.Skipped = &junitSkipped{Message: "warning: " + c.Headline(), Text: xmlText(junitBody(c))}
	case Skipped, Inconclusive, NotRun:
		tc.Skipped = &junitSkipped{Message: string(c.Status) + ": " + c.Reason}
	case Passed:
		tc.SystemOut = &junitOutput{xmlText(strings.Join(exchangeLines(c, "→"), "\n"))}
	}
	return tc
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitTestCase `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Error     *junitFailure `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut *junitOutput  `xml:"system-out"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",innerxml"` // escaped by xmlText
}

type junitOutput struct {
	Text string `xml:",innerxml"` // escaped by xmlText
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",innerxml"` // escaped by xmlText
}

// junitBody is the text of a failure, an error or a warning: the level,
// the requirement sentence and the doc link, each on a line of its own,
// then the explanation.
func junitBody(c Check) string {
	return fmt.Sprintf("level: %s\nrequirement: %s\ndoc: %s\n\n%s", c.Level, c.Sentence, DocLink(c.Source), c.Explanation())
}

// xmlText escapes s as XML character data. Unlike encoding/xml it keeps
// newlines and quotes as they are, so a failure reads well in the raw file;
// like it, it replaces every character XML 1.0 forbids with U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\t' || r == '\n',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r) // an invalid UTF-8 byte arrives here as U+FFFD
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}
