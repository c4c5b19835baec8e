// Package selftest proves the suite against the embedded reference server:
// one run of conform per deliberate fault (which the check meant to catch
// it must fail) and per conforming variation (which must pass), each
// against a reference of its own on loopback. Its table of expectations is
// the one conform selftest runs, the matrix test asserts, and
// docs/deviations.md and the numbers of docs/reference.md are generated from.
//
// Ginkgo's RunSpecs runs once per process, so each suite run is a child
// process: the conform binary itself, re-executed as `conform run
// --base-url … --json-report …`, while this process serves the references.
package selftest

import (
	"fmt"
	"slices"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// Kind is what an entry of the table proves.
type Kind string

// The kinds of entries.
const (
	// Deviation breaks a documented MUST: the default run fails (exit 1),
	// with every check of Catch among the failed.
	Deviation Kind = "deviation"
	// ShouldDeviation breaks an HTTP or security SHOULD: the default run
	// passes (exit 0) with a warning in Catch's check and no failure, and a
	// --strict run fails (exit 1) in it.
	ShouldDeviation Kind = "should-deviation"
	// Variation is conforming: a --strict run passes with no failure and no
	// warning, as many checks as the plain reference's, and no check left
	// without a verdict but those NoVerdict names.
	Variation Kind = "variation"
	// Control is the plain reference: a --strict run passes every check.
	Control Kind = "reference"
)

// deviations maps each deliberate fault of the reference that breaks a
// MUST to the checks that must catch it: "ID" or "ID [variant]", as
// report.Check.Name gives them. A fault can break more.
var deviations = map[string][]string{
	"validation-array-detail":        {"VALIDATION-422 [missing required name on POST /exports]"},
	"not-found-plain-text":           {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]"},
	"not-found-detail-string":        {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"expired-accepted":               {"AUTH-EXPIRED"},
	"expired-as-invalid-token":       {"AUTH-EXPIRED"},
	"revoked-accepted":               {"AUTH-REVOKED"},
	"unbound-accepted":               {"AUTH-UNBOUND"},
	"non-member-403":                 {"AUTH-NON-MEMBER"},
	"missing-auth-as-invalid-token":  {"AUTH-MISSING"},
	"prefix-unchecked":               {"AUTH-FORMAT [bearer token without the cornect_ prefix]"},
	"empty-header-as-missing":        {"AUTH-FORMAT [empty header value]"},
	"credits-no-auth":                {"AUTH-MISSING", "AUTH-UNKNOWN", "AUTH-EXPIRED"},
	"scope-not-enforced":             {"SCOPE-INSUFFICIENT", "SCOPE-NO-CHARGE"},
	"scope-after-charge":             {"SCOPE-NO-CHARGE"},
	"codes-unstable":                 {"HTTP-STABLE-CODE"},
	"cross-workspace-other-code":     {"NOTFOUND-OTHER-WORKSPACE"},
	"rate-limit-shared-bucket":       {"RATE-LIMIT-PER-TOKEN"},
	"scope-as-401":                   {"SCOPE-INSUFFICIENT"},
	"scope-details-swapped":          {"SCOPE-INSUFFICIENT"},
	"read-endpoint-needs-write":      {"SCOPE-READ-ACCEPTED"},
	"balance-uppercase":              {"CREDITS-INSUFFICIENT"},
	"balance-as-403":                 {"CREDITS-INSUFFICIENT"},
	"balance-not-checked":            {"CREDITS-INSUFFICIENT", "CREDITS-NO-CHARGE"},
	"charge-on-402":                  {"CREDITS-NO-CHARGE"},
	"rate-limit-missing":             {"RATE-LIMIT-429"},
	"retry-after-missing":            {"RATE-LIMIT-429"},
	"retry-after-http-date":          {"RATE-LIMIT-429"},
	"retry-after-zero":               {"RATE-LIMIT-429"},
	"rate-limit-sticky":              {"RATE-LIMIT-RECOVERY"},
	"errors-as-200":                  {"AUTH-MISSING", "SCOPE-INSUFFICIENT", "VALIDATION-422 [malformed JSON in a search on POST /companies/search]"},
	"json-as-html":                   {"AUTH-MISSING", "NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"html-for-any-accept":            {"ENVELOPE-ANY-ACCEPT [401 with no Accept]", "ENVELOPE-ANY-ACCEPT [404 with Accept: */*]", "ENVELOPE-ANY-ACCEPT [422 with a browser's Accept]", "AUTH-MISSING"},
	"envelope-flat":                  {"AUTH-MISSING", "CREDITS-INSUFFICIENT"},
	"message-missing":                {"AUTH-MISSING", "RATE-LIMIT-429"},
	"unknown-id-500":                 {"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"},
	"validation-as-400":              {"VALIDATION-422 [name of the wrong type on POST /exports]"},
	"malformed-json-500":             {"VALIDATION-422 [malformed JSON in a search on POST /companies/search]"},
	"list-id-unchecked":              {"VALIDATION-422 [list_id that is not a UUID on POST /exports]"},
	"export-format-unchecked":        {"VALIDATION-422 [export_format outside its enum on POST /exports]"},
	"sort-order-unchecked":           {"VALIDATION-422 [sort_order outside its enum on POST /exports]"},
	"source-type-unchecked":          {"VALIDATION-422 [source_type outside its enum on POST /exports]"},
	"json-scalars-400":               {"VALIDATION-422 [a number as the body on POST /companies/search]", "VALIDATION-422 [a string as the body on POST /companies/search]", "VALIDATION-422 [true as the body on POST /companies/search]", "VALIDATION-422 [null as the body on POST /companies/search]"},
	"download-unfinished-200":        {"EXPORT-NOT-READY"},
	"cross-workspace-403":            {"NOTFOUND-OTHER-WORKSPACE"},
	"string-filter-types-unchecked":  {"VALIDATION-422 [a list filter of the wrong type on POST /companies/search]"},
	"integer-filter-types-unchecked": {"VALIDATION-422 [an integer filter of the wrong type on POST /companies/search]"},
}

// alone are the deviations that uncheck one rule of validation each: their
// run must fail the probe that isolates that rule and no other check, which
// proves every other probe is refused for its own rule.
var alone = map[string]bool{
	"list-id-unchecked":              true,
	"export-format-unchecked":        true,
	"sort-order-unchecked":           true,
	"source-type-unchecked":          true,
	"json-scalars-400":               true,
	"string-filter-types-unchecked":  true,
	"integer-filter-types-unchecked": true,
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

// alwaysNoVerdict are the checks the default profile leaves nothing to
// judge for in any run: its only read_write operation is the charged one,
// which SCOPE-NO-CHARGE judges, so SCOPE-NO-SIDE-EFFECT is not applicable.
var alwaysNoVerdict = []string{"SCOPE-NO-SIDE-EFFECT"}

// noVerdict are the checks a variation leaves nothing to judge for
// (skipped or inconclusive: no verdict).
var noVerdict = map[string][]string{
	// The export is ready at once: there is no not-ready download to provoke.
	"instant-exports": {"EXPORT-NOT-READY"},
}

// window is a shortened rate window of an entry's run, and why it is
// legitimate. A run of such an entry waits, honestly, on the target's
// limits: on 429s it did not provoke (their Retry-After), or on its own
// pacing within a bucket its probes use up. Those waits are in the
// minute of the documented limits, so the reference serves the same
// limits per a shorter window, and the run is told the window through its
// profile (rate_limit.refill_seconds): the same requests, the same waits,
// the same verdicts, in seconds.
type window struct {
	d   time.Duration
	why string
}

// windows are the entries that wait on the rate limits, with a window each.
var windows = map[string]window{
	// One bucket for every token: POST /exports is out of room for the
	// whole run. Not 5 s: RATE-LIMIT-PER-TOKEN catches the shared bucket
	// only while GET /credits has no room for the other token's three
	// requests, and a bucket of 60 per 5 s gains room every 83 ms, which a
	// loaded machine lets pass before they are answered.
	"rate-limit-shared-bucket": {10 * time.Second, "one POST /exports bucket for every token is out of room for the whole run: conform honestly waits out a Retry-After per request past the fifth"},
	// Each read_write token's POST /exports bucket is used up by the
	// run's own probes; the 405 probe of PATCH /exports spends one more.
	"method-after-scope": {5 * time.Second, "the 405 probe of PATCH /exports spends the POST /exports bucket, which the run's own probes use up: one 429 conform did not provoke, waited out"},
	// The sort_order probe goes with the zero-balance token and gets 402,
	// which says nothing of validation: it is sent again with the
	// read_write token, a sixth POST /exports of that token.
	"sort-order-unchecked": {5 * time.Second, "the unchecked body gets 402 for the zero-balance token and is sent again with the read_write token, whose five POST /exports a window the run already spent: conform paces it a refill later"},
	// With the documented minute, 60 refused requests a minute cost about
	// 20 s of Retry-After; the same limit of 60 in a shorter window still
	// refuses some of conform's failed-authentication burst.
	"low-unauthenticated-limit": {5 * time.Second, "the limit of 60 unauthenticated requests is below conform's assumed pace of failed authentication: the run waits out 429s it did not provoke"},
}

// Entry is one row of the table: a server to run the suite against, and
// what the runs must show.
type Entry struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name"` // the fault or variation; "reference" for the control
	// Catch are the checks a deviation must fail (a SHOULD deviation's one
	// check: warn by default, fail under --strict).
	Catch []string `json:"catch,omitempty"`
	// Alone says the deviation must fail Catch and nothing else.
	Alone bool `json:"alone,omitempty"`
	// NoVerdict are the checks a variation leaves without a verdict.
	NoVerdict []string `json:"no_verdict,omitempty"`
	// Window shortens the rate window of the reference and of the run's
	// profile, when not zero; WindowWhy says why the entry needs it.
	Window    time.Duration `json:"window_ns,omitempty"`
	WindowWhy string        `json:"-"`
}

// Options are the reference options of the entry's server.
func (e Entry) Options() []reference.Option {
	var opts []reference.Option
	switch e.Kind {
	case Deviation, ShouldDeviation:
		opts = append(opts, reference.WithFaults(e.Name))
	case Variation:
		opts = append(opts, reference.WithVariations(e.Name))
	}
	if e.Window > 0 {
		opts = append(opts, reference.WithRateWindow(e.Window))
	}
	return opts
}

// Runs are the entry's suite runs: false for a default run, true for --strict.
func (e Entry) Runs() []bool {
	switch e.Kind {
	case Deviation:
		return []bool{false}
	case ShouldDeviation:
		return []bool{false, true}
	}
	return []bool{true}
}

// Table is every entry, in the order reports show them: the MUST
// deviations and the SHOULD deviations in the reference's order of
// faults, the variations in its order, the plain reference last.
func Table() []Entry {
	var t []Entry
	for _, f := range reference.Faults() {
		if want, ok := deviations[f.Name]; ok {
			t = append(t, withWindow(Entry{Kind: Deviation, Name: f.Name, Catch: want, Alone: alone[f.Name]}))
		}
	}
	for _, f := range reference.Faults() {
		if want, ok := shouldDeviations[f.Name]; ok {
			t = append(t, withWindow(Entry{Kind: ShouldDeviation, Name: f.Name, Catch: []string{want}}))
		}
	}
	for _, v := range reference.Variations() {
		t = append(t, withWindow(Entry{Kind: Variation, Name: v.Name, NoVerdict: append(slices.Clone(alwaysNoVerdict), noVerdict[v.Name]...)}))
	}
	return append(t, Entry{Kind: Control, Name: "reference", NoVerdict: alwaysNoVerdict})
}

func withWindow(e Entry) Entry {
	if w, ok := windows[e.Name]; ok {
		e.Window, e.WindowWhy = w.d, w.why
	}
	return e
}

// Count is how many entries of a kind the table has.
func Count(k Kind) int {
	n := 0
	for _, e := range Table() {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// CheckTable reports what is wrong with the table against the reference:
// a fault in neither table or in both, a name the reference does not know,
// an expectation for a variation it does not have.
func CheckTable() []string {
	var problems []string
	faults := map[string]bool{}
	for _, f := range reference.Faults() {
		faults[f.Name] = true
		_, must := deviations[f.Name]
		_, should := shouldDeviations[f.Name]
		if must == should {
			problems = append(problems, fmt.Sprintf("fault %q must be in exactly one of the tables (deviations, shouldDeviations)", f.Name))
		}
	}
	for name := range alone {
		if _, ok := deviations[name]; !ok {
			problems = append(problems, fmt.Sprintf("the table expects %q to fail its checks alone, but it is no MUST deviation", name))
		}
	}
	var names []string
	for name := range deviations {
		names = append(names, name)
	}
	for name := range shouldDeviations {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !faults[name] {
			problems = append(problems, fmt.Sprintf("the table lists %q, which the reference does not know", name))
		}
	}
	variations := map[string]bool{}
	for _, v := range reference.Variations() {
		variations[v.Name] = true
	}
	for name := range noVerdict {
		if !variations[name] {
			problems = append(problems, fmt.Sprintf("the table expects no verdict of checks under %q, which is no variation of the reference", name))
		}
	}
	wnames := make([]string, 0, len(windows))
	for name := range windows {
		wnames = append(wnames, name)
	}
	slices.Sort(wnames)
	for _, name := range wnames {
		if !faults[name] && !variations[name] {
			problems = append(problems, fmt.Sprintf("the table shortens the window of %q, which is neither a fault nor a variation of the reference", name))
		}
		if w := windows[name].d; w < time.Second || w%time.Second != 0 {
			problems = append(problems, fmt.Sprintf("the window of %q is %s: a profile's refill_seconds takes whole seconds", name, w))
		}
	}
	return problems
}
