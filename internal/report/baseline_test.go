package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// withBaseline is the sample run compared with a baseline that lists
// AUTH-EXPIRED's failures (so it is known), not NOT-FOUND's (new), and an
// AUTH-MISSING failure the run no longer has (fixed).
func withBaseline() Result {
	r := sampleResult()
	b := &Baseline{File: "known.json", New: []BaselineEntry{}, Known: []BaselineEntry{}, Fixed: []BaselineEntry{}}
	for _, c := range r.Checks {
		if c.Status != Failed {
			continue
		}
		for _, v := range c.Violations {
			e := BaselineEntry{ID: c.ID, Variant: c.Variant, Operation: v.Operation, Rule: v.Rule}
			if c.ID == "AUTH-EXPIRED" {
				e.Reason, e.Expires = "the token service ignores expiry; fix in 2.3", "2026-12-31"
				b.Known = append(b.Known, e)
			} else {
				b.New = append(b.New, e)
			}
		}
	}
	b.Fixed = append(b.Fixed, BaselineEntry{ID: "AUTH-MISSING", Operation: "GET /credits", Rule: "status"})
	r.Baseline = b
	return r
}

func TestEveryWriterShowsTheThreeGroupsNewFirst(t *testing.T) {
	r := withBaseline()
	if len(r.Baseline.Known) == 0 || len(r.Baseline.New) == 0 {
		t.Fatalf("the sample has %d known and %d new failures; the test needs both", len(r.Baseline.Known), len(r.Baseline.New))
	}
	titles := []string{"New: not in the baseline", "Known: in the baseline", "Fixed: remove from the baseline"}
	writers := map[string]func() (string, error){
		"console": func() (string, error) {
			var b bytes.Buffer
			err := Console(&b, r, ConsoleOptions{})
			return b.String(), err
		},
		"markdown": func() (string, error) { var b bytes.Buffer; err := Markdown(&b, r); return b.String(), err },
		"html":     func() (string, error) { var b bytes.Buffer; err := HTML(&b, r); return b.String(), err },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			out, err := write()
			if err != nil {
				t.Fatal(err)
			}
			at := -1
			for _, title := range titles {
				i := strings.Index(out, title)
				if i < 0 {
					t.Fatalf("no %q in the %s report:\n%s", title, name, out)
				}
				if i < at {
					t.Errorf("%q comes before the group above it", title)
				}
				at = i
			}
			newAt, knownAt := strings.Index(out, "NOT-FOUND"), strings.Index(out[strings.Index(out, titles[1]):], "AUTH-EXPIRED")
			if newAt < 0 || newAt > strings.Index(out, titles[1]) || knownAt < 0 {
				t.Errorf("the %s report does not name NOT-FOUND under new and AUTH-EXPIRED under known", name)
			}
			for _, want := range []string{"the token service ignores expiry; fix in 2.3", "until 2026-12-31", "1 new", "not in the baseline"} {
				if !strings.Contains(out, want) {
					t.Errorf("the %s report does not say %q", name, want)
				}
			}
		})
	}
	var plain bytes.Buffer
	if err := Console(&plain, sampleResult(), ConsoleOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "baseline") {
		t.Error("a run without a baseline mentions one on the console")
	}
}

func TestJUnitReportsAKnownFailureAsSkippedNeverPassed(t *testing.T) {
	r := withBaseline()
	s := parseJUnit(t, r).Suites[0]
	if s.Failures != 1 || s.Skipped != 3 {
		t.Errorf("failures=%d skipped=%d, want 1 (the new failure) and 3 (a skip, a warning and the known failure)", s.Failures, s.Skipped)
	}
	for i, c := range s.Cases {
		switch r.Checks[i].ID {
		case "AUTH-EXPIRED":
			if c.Failure != nil || c.Skipped == nil || c.Skipped.Message != "known failure: the token service ignores expiry; fix in 2.3" {
				t.Errorf("the known failure's case: failure %v, skipped %+v; want skipped with \"known failure: <reason>\"", c.Failure, c.Skipped)
			}
			if !strings.Contains(c.SystemOut, r.Checks[i].Violations[0].Operation) {
				t.Errorf("the known failure's case hides its violations: system-out %q", c.SystemOut)
			}
		case "NOT-FOUND":
			if r.Checks[i].Status == Failed && c.Failure == nil {
				t.Error("the new failure is not a failure in JUnit")
			}
		}
	}
	// <testsuites> has no skipped attribute in xUnit's schema.
	var top struct {
		Failures int `xml:"failures,attr"`
	}
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(buf.Bytes(), &top); err != nil || top.Failures != 1 {
		t.Errorf("<testsuites> failures=%d (%v), want 1", top.Failures, err)
	}
}

func TestJSONHasABaselineSectionOnlyWithABaseline(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    Result
		want bool
	}{{"with", withBaseline(), true}, {"without", sampleResult(), false}} {
		var buf bytes.Buffer
		if err := JSON(&buf, tt.r); err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		raw, ok := doc["baseline"]
		if ok != tt.want {
			t.Fatalf("%s a baseline: the JSON report has a baseline section: %v", tt.name, ok)
		}
		if !ok {
			continue
		}
		var b Baseline
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&b, tt.r.Baseline) {
			t.Errorf("baseline section %+v, want %+v", b, *tt.r.Baseline)
		}
		for _, group := range []string{`"new"`, `"known"`, `"fixed"`} {
			if !bytes.Contains(raw, []byte(group)) {
				t.Errorf("the baseline section lacks %s", group)
			}
		}
	}
}

func TestBaselineLinesSumUpEachCheckInOneLine(t *testing.T) {
	e := func(id, variant, op, rule string) BaselineEntry {
		return BaselineEntry{ID: id, Variant: variant, Operation: op, Rule: rule}
	}
	tests := []struct {
		name    string
		entries []BaselineEntry
		want    []string
	}{
		{"one", []BaselineEntry{e("AUTH-EXPIRED", "", "GET /credits", "status")}, []string{"AUTH-EXPIRED: status on GET /credits"}},
		{"operations with the same rules together", []BaselineEntry{
			e("AUTH-EXPIRED", "", "GET /a", "schema"), e("AUTH-EXPIRED", "", "GET /a", "status"),
			e("AUTH-EXPIRED", "", "GET /b", "schema"), e("AUTH-EXPIRED", "", "GET /b", "status"),
			e("AUTH-EXPIRED", "", "GET /c", "status"),
		}, []string{"AUTH-EXPIRED: schema, status on GET /a, GET /b; status on GET /c"}},
		{"many operations counted", []BaselineEntry{
			e("A", "", "GET /1", "status"), e("A", "", "GET /2", "status"), e("A", "", "GET /3", "status"), e("A", "", "GET /4", "status"), e("A", "", "GET /5", "status"),
		}, []string{"A: status on GET /1, GET /2, GET /3 and 2 more operations"}},
		{"variants apart, notes once", []BaselineEntry{
			{ID: "AUTH-FORMAT", Variant: "Basic scheme", Operation: "GET /credits", Rule: "code", Reason: "gateway", Expires: "2026-12-31"},
			{ID: "AUTH-FORMAT", Variant: "Basic scheme", Operation: "GET /companies", Rule: "code", Reason: "gateway", Expires: "2026-12-31"},
			{ID: "AUTH-FORMAT", Variant: "empty header value", Operation: "GET /credits", Rule: "code", Expires: "2026-01-01", Expired: true},
		}, []string{
			"AUTH-FORMAT [Basic scheme]: code on GET /credits, GET /companies (gateway; until 2026-12-31)",
			"AUTH-FORMAT [empty header value]: code on GET /credits (its entry expired on 2026-01-01)",
		}},
		{"the check as a whole", []BaselineEntry{e("RATE-LIMIT-429", "", "", "")}, []string{"RATE-LIMIT-429: the check as a whole"}},
	}
	for _, tt := range tests {
		if got := BaselineLines(tt.entries); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}
