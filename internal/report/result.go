// Package report holds the one result model of a conform run and the pure
// writers that render it: console, JUnit XML, JSON, Markdown and HTML.
//
// Writers never see a token value: the probe redacts every exchange before it
// reaches a Result, and Config is already masked.
package report

import (
	"time"

	"github.com/cornect/conform/internal/probe"
)

// Status is the verdict of one check.
type Status string

// The verdicts. A warning is a failed SHOULD-level check in a non-strict run.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	Warning Status = "warning"
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
}

// Target says what was checked.
type Target struct {
	BaseURL   string `json:"base_url"`
	Reference bool   `json:"reference"` // the embedded reference server
	Profile   string `json:"profile"`   // "embedded default" or a path
}

// Check is the outcome of one check (one spec).
type Check struct {
	ID       string   `json:"id"`                // stable, e.g. AUTH-EXPIRED
	Variant  string   `json:"variant,omitempty"` // table entry within the check, e.g. "Basic scheme"
	Title    string   `json:"title"`             // the spec text, contains the code or status
	Level    Level    `json:"level"`
	Sentence string   `json:"sentence"` // RFC 2119 sentence
	Source   string   `json:"source"`   // doc page or RFC section
	Labels   []string `json:"labels"`
	Since    string   `json:"since"` // suite version that added the check
	Status   Status   `json:"status"`
	// Message is the skip reason, or the failure with every violation and its evidence.
	Message   string           `json:"message,omitempty"`
	Exchanges []probe.Exchange `json:"exchanges,omitempty"`
	// Operations are the verdicts per operation (method and path template)
	// this check judged, for the coverage matrix.
	Operations []OperationResult `json:"operations,omitempty"`
	Duration   time.Duration     `json:"duration_ns"`
}

// OperationResult is one operation's verdict within a check.
type OperationResult struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status Status `json:"status"`
}

// Key names the operation: "GET /credits".
func (o OperationResult) Key() string { return o.Method + " " + o.Path }

// CoverageRow is one operation and its verdict per check ID.
type CoverageRow struct {
	Operation string
	Checks    map[string]Status
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
			prev, had := rows[i].Checks[c.ID]
			if !had {
				rows[i].Checks[c.ID] = o.Status
			} else {
				rows[i].Checks[c.ID] = worst([]Check{{Status: prev}, {Status: o.Status}})
			}
		}
	}
	return rows, ids
}

// Name is the check's display name: ID and variant.
func (c Check) Name() string {
	if c.Variant == "" {
		return c.ID
	}
	return c.ID + " [" + c.Variant + "]"
}

// Counts tallies checks by status.
type Counts struct {
	Passed, Failed, Skipped, Warnings, Total int
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
		case Skipped:
			c.Skipped++
		case Warning:
			c.Warnings++
		}
	}
	return c
}

// Conformant is true when the run completed and no check failed.
func (r Result) Conformant() bool { return r.Incomplete == "" && r.Count().Failed == 0 }

// skippedMust counts the MUST checks that did not run.
func (r Result) skippedMust() int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == Skipped && c.Level == Must {
			n++
		}
	}
	return n
}

// Group is the checks of one ID, for summaries "per documented failure".
type Group struct {
	ID     string
	Title  string
	Level  Level
	Status Status // failed if any failed, else warning, else passed, else skipped
	Checks []Check
}

// Groups returns the checks grouped by ID, in run order.
func (r Result) Groups() []Group {
	var out []Group
	idx := map[string]int{}
	for _, c := range r.Checks {
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

func worst(cs []Check) Status {
	rank := map[Status]int{Skipped: 0, Passed: 1, Warning: 2, Failed: 3}
	s := Skipped
	for _, c := range cs {
		if rank[c.Status] > rank[s] {
			s = c.Status
		}
	}
	return s
}
