// Package report holds the one result model of a conform run and the pure
// writers that render it: console, JUnit XML, JSON, Markdown and HTML.
//
// A check's result is data: its status, the reason it did not reach a
// verdict, and every violation with the exchange it was found in. Writers
// render that data; none of them parses text to recover an ID, a status or a
// level. Writers never see a token value: the probe redacts every exchange
// before it reaches a Result, and Config is already masked.
package report

import (
	"time"

	"github.com/cornect/conform/internal/probe"
)

// Status is the outcome of one check. The same taxonomy is used in every
// report and decides the exit code.
type Status string

// The outcomes.
const (
	// Passed: the check ran and the target met the rule.
	Passed Status = "passed"
	// Failed: the target broke the rule (a MUST, or a SHOULD under --strict).
	Failed Status = "failed"
	// Warning: the target broke a SHOULD, and the run is not --strict.
	Warning Status = "warning"
	// Skipped: the check did not run; Skip says why (a missing token, not
	// applicable to this target, or left out by the filters).
	Skipped Status = "skipped"
	// Inconclusive: the target could not be brought into the state the
	// check needs (the credits could not be read around a request, a
	// request got no answer, the limit could not be provoked, the server
	// stayed overloaded). A refusal that did not happen is a failure.
	Inconclusive Status = "inconclusive"
	// NotRun: the run stopped (Ctrl-C, --suite-timeout) before or while
	// this check ran, so it has no verdict.
	NotRun Status = "not-run"
	// Error: conform itself failed while running the check (a defect of
	// conform, never of the target).
	Error Status = "error"
)

// SkipKind says why a check was skipped.
type SkipKind string

// The reasons a check is skipped.
const (
	SkipMissingToken  SkipKind = "missing-token"
	SkipNotApplicable SkipKind = "not-applicable"
	SkipFiltered      SkipKind = "filtered"
)

// Level is the requirement level of a check (RFC 2119).
type Level string

// The levels in use.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Result is everything a run found.
type Result struct {
	Tool            string            `json:"tool"`             // "conform"
	Version         string            `json:"version"`          // suite version
	ContractVersion string            `json:"contract_version"` // "CAPI v1"
	Target          Target            `json:"target"`
	Config          map[string]string `json:"config"` // the run's configuration, token values masked
	StartedAt       time.Time         `json:"started_at"`
	Duration        time.Duration     `json:"duration_ns"`
	Strict          bool              `json:"strict"`
	Checks          []Check           `json:"checks"`
	Stats           probe.Stats       `json:"stats"`
	Notes           []string          `json:"notes,omitempty"` // run-level remarks (waits, preflight)
	// Incomplete says why the run stopped early (Ctrl-C, --suite-timeout);
	// empty when it ran to the end.
	Incomplete string `json:"incomplete,omitempty"`
	// TargetLost says when the target stopped answering during the run
	// (and after how many requests); empty when it answered to the end.
	TargetLost string `json:"target_lost,omitempty"`
	// RequireAll says MUST checks skipped for a token not set fail the run
	// (in CI, or --require-all): the verdict then says so. UnsetTokens
	// are the variables that would let them run.
	RequireAll  bool     `json:"require_all,omitempty"`
	UnsetTokens []string `json:"unset_tokens,omitempty"`
	// RequireVerified says MUST checks that end inconclusive fail the run
	// (in CI, or --require-all, unless --allow-inconclusive).
	RequireVerified bool `json:"require_verified,omitempty"`
	// RequiredBy names what set the CI rules: "CI=true" or "--require-all".
	RequiredBy string `json:"required_by,omitempty"`
	// RecordedBaseline is the file --write-baseline records this run's
	// failures in, when the run has no --baseline: they are known from now on.
	RecordedBaseline string `json:"recorded_baseline,omitempty"`
	// Baseline compares the failures with a baseline of known ones; nil
	// when the run had none.
	Baseline *Baseline `json:"baseline,omitempty"`
	// Verdict is the run's verdict, decided once (Decide) from all of the
	// above; every writer prints it. The JSON report holds it in its summary.
	Verdict Verdict `json:"-"`
}

// Target says what was checked.
type Target struct {
	BaseURL   string `json:"base_url"`
	Reference bool   `json:"reference"` // the embedded reference server
	Profile   string `json:"profile"`   // "embedded default" or a path
}

// Check is the outcome of one check (one spec: a check ID, or one variant
// of it).
type Check struct {
	ID       string   `json:"id"`                // stable, e.g. AUTH-EXPIRED
	Variant  string   `json:"variant,omitempty"` // table entry within the check, e.g. "Basic scheme"
	Title    string   `json:"title"`             // names the code or status verified
	Level    Level    `json:"level"`
	Sentence string   `json:"sentence"` // RFC 2119 sentence
	Source   string   `json:"source"`   // doc page or RFC section
	Labels   []string `json:"labels"`
	Since    string   `json:"since"` // suite version that added the check
	Status   Status   `json:"status"`
	// Skip is why a skipped check did not run.
	Skip SkipKind `json:"skip,omitempty"`
	// Reason explains every status but passed, failed and warning: why it
	// was skipped, why it is inconclusive, where the run stopped, or what
	// went wrong inside conform.
	Reason string `json:"reason,omitempty"`
	// Violations are every way the target broke the rule, each naming the
	// exchange it was found in.
	Violations []Violation      `json:"violations,omitempty"`
	Exchanges  []probe.Exchange `json:"exchanges,omitempty"`
	// Judged is how many exchanges the verdict looked at (a passing
	// exchange may not be kept as evidence).
	Judged int `json:"judged,omitempty"`
	// Operations are the verdicts per operation (method and path template)
	// this check judged, for the coverage matrix.
	Operations []OperationResult `json:"operations,omitempty"`
	Duration   time.Duration     `json:"duration_ns"`
}

// Violation is one way a response broke a check's rule.
type Violation struct {
	// Exchange is the index in Check.Exchanges of the exchange it was found in.
	Exchange int `json:"exchange"`
	// Operation is the operation of that exchange: "GET /credits".
	Operation string `json:"operation"`
	// Role is the token role the request presented; empty when it carried
	// no valid token of the run (no header, a made-up token).
	Role probe.Role `json:"role,omitempty"`
	// Rule names the rule that was broken: "status", "content-type",
	// "schema", "code-status", "retry-after", "no-charge", …
	Rule string `json:"rule"`
	// Where is the part of the response: "status", "header Retry-After", "body".
	Where string `json:"where"`
	// Pointer is the JSON pointer into the body, for body violations.
	Pointer string `json:"pointer,omitempty"`
	// Keyword is the JSON Schema keyword that failed, for schema violations.
	Keyword  string `json:"keyword,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Message replaces Expected and Got when the rule reads better as a sentence.
	Message string `json:"message,omitempty"`
}

// OperationResult is one operation's verdict within a check.
type OperationResult struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status Status `json:"status"`
}

// Key names the operation: "GET /credits".
func (o OperationResult) Key() string { return probe.OperationKey(o.Method, o.Path) }

// Name is the check's display name: ID and variant.
func (c Check) Name() string {
	if c.Variant == "" {
		return c.ID
	}
	return c.ID + " [" + c.Variant + "]"
}

// Counts tallies checks by status.
type Counts struct {
	Passed, Failed, Warnings, Skipped, Inconclusive, NotRun, Errors, Total int
	// Filtered counts the skipped checks the filters left out.
	Filtered int
}

// Count tallies the checks.
func (r Result) Count() Counts {
	var c Counts
	for _, ch := range r.Checks {
		c.Total++
		switch ch.Status {
		case Passed:
			c.Passed++
		case Failed:
			c.Failed++
		case Warning:
			c.Warnings++
		case Skipped:
			c.Skipped++
			if ch.Skip == SkipFiltered {
				c.Filtered++
			}
		case Inconclusive:
			c.Inconclusive++
		case NotRun:
			c.NotRun++
		case Error:
			c.Errors++
		}
	}
	return c
}

// Selected lists the checks the filters chose (every status but a
// filtered skip).
func (r Result) Selected() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Skip != SkipFiltered {
			out = append(out, c)
		}
	}
	return out
}

// Group is the checks of one ID, for summaries "per documented failure".
type Group struct {
	ID     string
	Title  string
	Level  Level
	Status Status // the worst status of its checks
	Checks []Check
}

// Groups returns the selected checks grouped by ID, in run order.
func (r Result) Groups() []Group {
	var out []Group
	idx := map[string]int{}
	for _, c := range r.Selected() {
		i, ok := idx[c.ID]
		if !ok {
			i = len(out)
			idx[c.ID] = i
			out = append(out, Group{ID: c.ID, Title: c.Title, Level: c.Level})
		}
		out[i].Checks = append(out[i].Checks, c)
	}
	for i := range out {
		out[i].Status = worst(out[i].Checks)
	}
	return out
}

// rank orders the statuses from least to most urgent for a reader.
var rank = map[Status]int{Skipped: 0, Passed: 1, NotRun: 2, Inconclusive: 3, Warning: 4, Failed: 5, Error: 6}

// Worse reports whether a is more urgent than b.
func Worse(a, b Status) bool { return rank[a] > rank[b] }

func worst(cs []Check) Status {
	s := Skipped
	for _, c := range cs {
		if Worse(c.Status, s) {
			s = c.Status
		}
	}
	return s
}

// Coverage is the operations × checks matrix: for every operation any check
// judged, the worst verdict of each check ID on it. ids lists the check IDs
// that judged at least one operation, in run order.
func (r Result) Coverage() (rows []CoverageRow, ids []string) {
	idx := map[string]int{}
	seenID := map[string]bool{}
	for _, c := range r.Checks {
		for _, o := range c.Operations {
			if !seenID[c.ID] {
				seenID[c.ID] = true
				ids = append(ids, c.ID)
			}
			i, ok := idx[o.Key()]
			if !ok {
				i = len(rows)
				idx[o.Key()] = i
				rows = append(rows, CoverageRow{Operation: o.Key(), Checks: map[string]Status{}})
			}
			if prev, had := rows[i].Checks[c.ID]; !had || Worse(o.Status, prev) {
				rows[i].Checks[c.ID] = o.Status
			}
		}
	}
	return rows, ids
}

// CoverageRow is one operation and its verdict per check ID.
type CoverageRow struct {
	Operation string
	Checks    map[string]Status
}
