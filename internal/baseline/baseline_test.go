package baseline

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/report"
)

const (
	contract = "CAPI v1"
	profile  = "sha256:00ff"
)

var today = time.Date(2026, 6, 15, 23, 30, 0, 0, time.UTC)

// failed is a failed check with one violation per "OPERATION|rule".
func failed(id, variant string, where ...string) report.Check {
	c := report.Check{ID: id, Variant: variant, Status: report.Failed}
	for _, w := range where {
		op, rule, _ := strings.Cut(w, "|")
		c.Violations = append(c.Violations, report.Violation{Operation: op, Rule: rule, Message: "a message that must not matter " + time.Now().String()})
	}
	return c
}

func withStatus(c report.Check, s report.Status) report.Check {
	c.Status = s
	return c
}

func entry(id, variant, op, rule string) Entry {
	return Entry{Fingerprint: Fingerprint{ID: id, Variant: variant, Operation: op, Rule: rule}}
}

func with(e Entry, reason, expires string) Entry {
	e.Reason, e.Expires = reason, expires
	return e
}

func be(id, variant, op, rule string) report.BaselineEntry {
	return report.BaselineEntry{ID: id, Variant: variant, Operation: op, Rule: rule}
}

// names lists the groups' entries as "ID [variant]: where".
func names(es []report.BaselineEntry) []string {
	out := []string{}
	for _, e := range es {
		s := e.Name() + ": " + e.Where()
		if e.Expired {
			s += " (expired)"
		}
		out = append(out, s)
	}
	return out
}

func TestCompareSortsFailuresIntoNewKnownAndFixed(t *testing.T) {
	expiredAuth := with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "fix in 2.3", "2026-06-14")
	tests := []struct {
		name                                         string
		entries                                      []Entry
		checks                                       []report.Check
		wantNew, wantKnown, wantFixed, wantUnchecked []string
	}{
		{
			name:    "a failure the baseline does not list is new",
			checks:  []report.Check{failed("AUTH-EXPIRED", "", "GET /credits|status")},
			wantNew: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:      "a listed failure is known",
			entries:   []Entry{entry("AUTH-EXPIRED", "", "GET /credits", "status")},
			checks:    []report.Check{failed("AUTH-EXPIRED", "", "GET /credits|status")},
			wantKnown: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:      "an entry holds through its expiry date",
			entries:   []Entry{with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "", "2026-06-15")},
			checks:    []report.Check{failed("AUTH-EXPIRED", "", "GET /credits|status")},
			wantKnown: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:    "an expired entry's failure is new again",
			entries: []Entry{expiredAuth},
			checks:  []report.Check{failed("AUTH-EXPIRED", "", "GET /credits|status")},
			wantNew: []string{"AUTH-EXPIRED: status on GET /credits (expired)"},
		},
		{
			name:      "a new rule on a known check, variant and operation is new",
			entries:   []Entry{entry("SCOPE-INSUFFICIENT", "", "POST /exports", "status")},
			checks:    []report.Check{failed("SCOPE-INSUFFICIENT", "", "POST /exports|status", "POST /exports|schema")},
			wantNew:   []string{"SCOPE-INSUFFICIENT: schema on POST /exports"},
			wantKnown: []string{"SCOPE-INSUFFICIENT: status on POST /exports"},
		},
		{
			name:    "a known rule on another operation is new",
			entries: []Entry{entry("AUTH-MISSING", "", "GET /credits", "status")},
			checks:  []report.Check{failed("AUTH-MISSING", "", "GET /credits|status", "GET /companies|status")},
			wantNew: []string{"AUTH-MISSING: status on GET /companies"}, wantKnown: []string{"AUTH-MISSING: status on GET /credits"},
		},
		{
			name:    "a known rule in another variant is new",
			entries: []Entry{entry("AUTH-FORMAT", "Basic scheme", "GET /credits", "code")},
			checks:  []report.Check{failed("AUTH-FORMAT", "Basic scheme", "GET /credits|code"), failed("AUTH-FORMAT", "empty header value", "GET /credits|code")},
			wantNew: []string{"AUTH-FORMAT [empty header value]: code on GET /credits"}, wantKnown: []string{"AUTH-FORMAT [Basic scheme]: code on GET /credits"},
		},
		{
			name:      "an entry whose check passed is fixed",
			entries:   []Entry{entry("AUTH-EXPIRED", "", "GET /credits", "status")},
			checks:    []report.Check{{ID: "AUTH-EXPIRED", Status: report.Passed}},
			wantFixed: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:      "an entry whose check now fails another way is fixed, the other way new",
			entries:   []Entry{entry("AUTH-EXPIRED", "", "GET /credits", "status")},
			checks:    []report.Check{failed("AUTH-EXPIRED", "", "GET /credits|code")},
			wantNew:   []string{"AUTH-EXPIRED: code on GET /credits"},
			wantFixed: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:      "an expired entry whose check passed is fixed",
			entries:   []Entry{expiredAuth},
			checks:    []report.Check{{ID: "AUTH-EXPIRED", Status: report.Passed}},
			wantFixed: []string{"AUTH-EXPIRED: status on GET /credits"},
		},
		{
			name:    "an entry whose check was skipped, inconclusive, not run or left out is unchecked",
			entries: []Entry{entry("A", "", "", ""), entry("B", "", "", ""), entry("C", "", "", ""), entry("D", "", "", "")},
			checks: []report.Check{
				{ID: "A", Status: report.Skipped, Skip: report.SkipMissingToken},
				{ID: "B", Status: report.Inconclusive},
				{ID: "C", Status: report.NotRun},
				{ID: "D", Status: report.Skipped, Skip: report.SkipFiltered},
			},
			wantUnchecked: []string{"A: the check as a whole", "B: the check as a whole", "C: the check as a whole", "D: the check as a whole"},
		},
		{
			name:          "an entry of a check the run does not have is unchecked",
			entries:       []Entry{entry("GONE", "", "GET /credits", "status")},
			checks:        []report.Check{{ID: "AUTH-EXPIRED", Status: report.Passed}},
			wantUnchecked: []string{"GONE: status on GET /credits"},
		},
		{
			name:          "an entry still broken as a warning is neither known nor fixed",
			entries:       []Entry{entry("AUTH-CHALLENGE", "", "GET /credits", "www-authenticate")},
			checks:        []report.Check{withStatus(failed("AUTH-CHALLENGE", "", "GET /credits|www-authenticate"), report.Warning)},
			wantUnchecked: []string{"AUTH-CHALLENGE: www-authenticate on GET /credits"},
		},
		{
			name:      "a failure without a violation is the check as a whole",
			entries:   []Entry{entry("RATE-LIMIT-429", "", "", "")},
			checks:    []report.Check{failed("RATE-LIMIT-429", "")},
			wantKnown: []string{"RATE-LIMIT-429: the check as a whole"},
		},
		{
			name:      "the made-up route is matched by its stable form",
			entries:   []Entry{entry("HTTP-UNKNOWN-ROUTE", "", "GET /no-such-{random}", "content-type")},
			checks:    []report.Check{failed("HTTP-UNKNOWN-ROUTE", "", "GET /no-such-8f3a|content-type")},
			wantKnown: []string{"HTTP-UNKNOWN-ROUTE: content-type on GET /no-such-{random}"},
		},
		{
			name:    "warnings, passes and skips are never new",
			checks:  []report.Check{withStatus(failed("AUTH-CHALLENGE", "", "GET /credits|www-authenticate"), report.Warning), {ID: "X", Status: report.Passed}, {ID: "Y", Status: report.Error}},
			wantNew: []string{},
		},
	}
	stable := func(op string) string {
		if strings.HasPrefix(op, "GET /no-such-") {
			return "GET /no-such-{random}"
		}
		return op
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{Format: Format, ContractVersion: contract, Profile: profile, Failures: tt.entries}
			got := Compare(f, "known.json", tt.checks, stable, today)
			for _, g := range []struct {
				name      string
				got, want []string
			}{
				{"new", names(got.New), tt.wantNew},
				{"known", names(got.Known), tt.wantKnown},
				{"fixed", names(got.Fixed), tt.wantFixed},
				{"unchecked", names(got.Unchecked), tt.wantUnchecked},
			} {
				if len(g.got) == 0 && len(g.want) == 0 {
					continue
				}
				if !reflect.DeepEqual(g.got, g.want) {
					t.Errorf("%s: %q, want %q", g.name, g.got, g.want)
				}
			}
			if got.New == nil || got.Known == nil || got.Fixed == nil {
				t.Error("an empty group is nil; the JSON report would say null instead of []")
			}
		})
	}
}

func TestCompareKeepsTheReasonAndExpiryOfEachEntry(t *testing.T) {
	f := &File{Format: Format, ContractVersion: contract, Profile: profile, Failures: []Entry{
		with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "the token service ignores expiry; fix in 2.3", "2026-12-31"),
		with(entry("AUTH-REVOKED", "", "GET /credits", "status"), "revocation is cached", "2026-01-01"),
	}}
	got := Compare(f, "known.json", []report.Check{
		failed("AUTH-EXPIRED", "", "GET /credits|status"),
		failed("AUTH-REVOKED", "", "GET /credits|status"),
	}, nil, today)
	if want := []report.BaselineEntry{{ID: "AUTH-EXPIRED", Operation: "GET /credits", Rule: "status", Reason: "the token service ignores expiry; fix in 2.3", Expires: "2026-12-31"}}; !reflect.DeepEqual(got.Known, want) {
		t.Errorf("known %+v, want %+v", got.Known, want)
	}
	if want := []report.BaselineEntry{{ID: "AUTH-REVOKED", Operation: "GET /credits", Rule: "status", Reason: "revocation is cached", Expires: "2026-01-01", Expired: true}}; !reflect.DeepEqual(got.New, want) {
		t.Errorf("new %+v, want %+v", got.New, want)
	}
}

func TestKnownFailureIsAFailedCheckWithNothingNew(t *testing.T) {
	f := &File{Format: Format, ContractVersion: contract, Profile: profile, Failures: []Entry{
		with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "fix in 2.3", ""),
		with(entry("AUTH-EXPIRED", "", "GET /companies", "status"), "fix in 2.3", ""),
		entry("SCOPE-INSUFFICIENT", "", "POST /exports", "status"),
		with(entry("AUTH-MISSING", "", "GET /credits", "status"), "gateway", ""),
	}}
	checks := []report.Check{
		failed("AUTH-EXPIRED", "", "GET /credits|status", "GET /companies|status"),
		failed("SCOPE-INSUFFICIENT", "", "POST /exports|status", "POST /exports|schema"),
		withStatus(failed("AUTH-MISSING", "", "GET /credits|status"), report.Warning),
		failed("AUTH-UNBOUND", "", "GET /credits|status"),
	}
	b := Compare(f, "known.json", checks, nil, today)
	tests := []struct {
		check      report.Check
		wantOK     bool
		wantReason string
	}{
		{checks[0], true, "fix in 2.3"},
		{checks[1], false, ""}, // one rule is new
		{checks[2], false, ""}, // a warning is no failure
		{checks[3], false, ""}, // not listed
	}
	for _, tt := range tests {
		reason, ok := b.KnownFailure(tt.check)
		if ok != tt.wantOK || reason != tt.wantReason {
			t.Errorf("KnownFailure(%s %v) = %q, %v; want %q, %v", tt.check.Name(), tt.check.Violations, reason, ok, tt.wantReason, tt.wantOK)
		}
	}
	only := failed("SCOPE-INSUFFICIENT", "", "POST /exports|status")
	if reason, ok := Compare(f, "known.json", []report.Check{only}, nil, today).KnownFailure(only); !ok || reason != "listed in known.json, no reason given" {
		t.Errorf("KnownFailure of an entry without a reason = %q, %v", reason, ok)
	}
	var none *report.Baseline
	if _, ok := none.KnownFailure(checks[0]); ok {
		t.Error("a run without a baseline has a known failure")
	}
}

func TestFailuresAreOneFingerprintPerCheckVariantOperationAndRule(t *testing.T) {
	checks := []report.Check{
		failed("VALIDATION-422", "malformed JSON on POST /exports", "POST /exports|status", "POST /exports|status", "POST /exports|content-type"),
		failed("AUTH-MISSING", "", "GET /credits|status", "GET /companies|status"),
		withStatus(failed("AUTH-CHALLENGE", "", "GET /credits|www-authenticate"), report.Warning),
		{ID: "AUTH-EXPIRED", Status: report.Passed},
	}
	got := Failures(checks, nil)
	want := []Fingerprint{
		{ID: "AUTH-MISSING", Operation: "GET /companies", Rule: "status"},
		{ID: "AUTH-MISSING", Operation: "GET /credits", Rule: "status"},
		{ID: "VALIDATION-422", Variant: "malformed JSON on POST /exports", Operation: "POST /exports", Rule: "content-type"},
		{ID: "VALIDATION-422", Variant: "malformed JSON on POST /exports", Operation: "POST /exports", Rule: "status"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Failures:\n%+v\nwant\n%+v", got, want)
	}
}

func TestNewKeepsWhatPeopleWroteAndEncodesTheSameBytesEveryTime(t *testing.T) {
	prev := &File{Failures: []Entry{with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "fix in 2.3", "2026-12-31"), with(entry("GONE", "", "", ""), "old", "")}}
	fps := []Fingerprint{{ID: "SCOPE-INSUFFICIENT", Operation: "POST /exports", Rule: "status"}, {ID: "AUTH-EXPIRED", Operation: "GET /credits", Rule: "status"}}
	f := New(contract, profile, fps, prev)
	want := []Entry{with(entry("AUTH-EXPIRED", "", "GET /credits", "status"), "fix in 2.3", "2026-12-31"), entry("SCOPE-INSUFFICIENT", "", "POST /exports", "status")}
	if !reflect.DeepEqual(f.Failures, want) {
		t.Errorf("entries %+v, want %+v", f.Failures, want)
	}
	var a, b bytes.Buffer
	if err := f.Encode(&a); err != nil {
		t.Fatal(err)
	}
	if err := New(contract, profile, []Fingerprint{fps[1], fps[0]}, prev).Encode(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("the same failures encode differently:\n%s\n%s", a.String(), b.String())
	}
	back, err := Decode(a.Bytes())
	if err != nil {
		t.Fatalf("decoding what Encode wrote: %v\n%s", err, a.String())
	}
	if !reflect.DeepEqual(*back, f) {
		t.Errorf("round trip: %+v, want %+v", *back, f)
	}
	empty := New(contract, profile, nil, nil)
	var e bytes.Buffer
	if err := empty.Encode(&e); err != nil || !strings.Contains(e.String(), `"failures": []`) {
		t.Errorf("a baseline of no failures encodes as %q (%v), want \"failures\": []", e.String(), err)
	}
}

func TestDecodeRefusesWhatIsNotABaselineInOneLine(t *testing.T) {
	valid := `{"format":1,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[]}`
	tests := []struct{ name, text, want string }{
		{"empty", "", "empty file"},
		{"not JSON", "hello", "not a baseline: invalid character"},
		{"a JSON report", `{"summary":{},"checks":[]}`, `not a baseline: unknown field "summary"`},
		{"no format", `{"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[]}`, `no "format"`},
		{"another format", `{"format":2,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[]}`, "format 2; this conform reads format 1"},
		{"no contract", `{"format":1,"profile":"sha256:00ff","failures":[]}`, `no "contract_version"`},
		{"no profile", `{"format":1,"contract_version":"CAPI v1","failures":[]}`, `"profile" is "", not a profile fingerprint`},
		{"an entry without id", `{"format":1,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[{"rule":"status"}]}`, `failure 1 has no "id"`},
		{"a bad date", `{"format":1,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[{"id":"A","expires":"31/12/2026"}]}`, `failure 1 (A): "expires" is "31/12/2026", not a date`},
		{"an unknown entry field", `{"format":1,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[{"id":"A","message":"x"}]}`, `unknown field "message"`},
		{"a repeated entry", `{"format":1,"contract_version":"CAPI v1","profile":"sha256:00ff","failures":[{"id":"A","rule":"status"},{"id":"A","rule":"status"}]}`, "failure 2 repeats failure 1 (A: status)"},
		{"two objects", valid + valid, "unexpected content after the baseline object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Decode: %v; want one line containing %q", err, tt.want)
			}
		})
	}
	if _, err := Decode([]byte(valid)); err != nil {
		t.Errorf("a valid baseline: %v", err)
	}
}

func TestCheckRefusesABaselineOfAnotherContractOrProfile(t *testing.T) {
	f := &File{Format: Format, ContractVersion: contract, Profile: profile}
	if err := f.Check(contract, profile); err != nil {
		t.Errorf("the same contract and profile: %v", err)
	}
	if err := f.Check("CAPI v2", profile); err == nil || !strings.Contains(err.Error(), `written for contract "CAPI v1", but this conform checks "CAPI v2"`) {
		t.Errorf("another contract: %v", err)
	}
	if err := f.Check(contract, "sha256:abcd"); err == nil || !strings.Contains(err.Error(), "written for another profile (sha256:00ff), this run's is sha256:abcd") {
		t.Errorf("another profile: %v", err)
	}
}

func TestProfileFingerprintIgnoresLayout(t *testing.T) {
	type p struct {
		Name string         `json:"name"`
		Body map[string]int `json:"body"`
	}
	a, err := ProfileFingerprint(p{"x", map[string]int{"a": 1, "b": 2}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ProfileFingerprint(p{"x", map[string]int{"b": 2, "a": 1}})
	c, _ := ProfileFingerprint(p{"y", map[string]int{"a": 1, "b": 2}})
	if a != b || a == c || !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+64 {
		t.Errorf("fingerprints %q, %q, %q: want the first two equal, the third different, each sha256:<64 hex>", a, b, c)
	}
}
