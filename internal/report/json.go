package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/cornect/conform/internal/probe"
)

// JSONSchemaVersion is the version of the JSON report's shape, its
// "schema_version"; schemas/report.schema.json describes it. Members may be
// added within a version; removing, renaming or retyping one is a new one.
const JSONSchemaVersion = "1"

// JSON writes the whole Result, indented, under its schema version and a
// computed summary, for tools: `jq .summary.conformant report.json`.
func JSON(w io.Writer, r Result) error {
	c := r.Count()
	v := r.verdict()
	doc := jsonReport{
		SchemaVersion: JSONSchemaVersion,
		Summary: jsonSummary{
			Conformant: v.Conformant(),
			Verdict:    v.Headline,
			Outcome:    v.Outcome,
			ExitCode:   v.ExitCode,
			FailedIDs:  v.Failed,
			KnownIDs:   v.Known,
			Total:      c.Total,
			Passed:     c.Passed,
			Failed:     c.Failed,
			Skipped:    c.Skipped,
			Warnings:   c.Warnings,
		},
		Result: capBodies(r),
	}
	// The document without its checks, then each check in its place: a
	// report of thousands of exchanges is never in memory twice over as
	// one encoding; the bytes are those of encoding the whole at once.
	checks := doc.Checks
	doc.Checks = []Check{}
	var skeleton bytes.Buffer
	if err := encodeJSON(&skeleton, doc, ""); err != nil {
		return err
	}
	const empty = "\n  \"checks\": [],\n"
	head, tail, ok := bytes.Cut(skeleton.Bytes(), []byte(empty))
	if !ok || len(checks) == 0 {
		_, err := w.Write(skeleton.Bytes())
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(head)
	bw.WriteString("\n  \"checks\": [")
	var one bytes.Buffer
	for i, c := range checks {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		one.Reset()
		if err := encodeJSON(&one, c, "    "); err != nil {
			return err
		}
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ],\n")
	bw.Write(tail)
	return bw.Flush()
}

// encodeJSON writes v indented by two spaces after prefix, bodies
// readable ("<" rather than "\u003c").
func encodeJSON(w io.Writer, v any, prefix string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonReport is the document JSON writes: the schema version and the
// summary first, then every field of Result, so fields added to Result
// appear without a change here (and fail the schema test until the schema
// declares them).
type jsonReport struct {
	SchemaVersion string      `json:"schema_version"`
	Summary       jsonSummary `json:"summary"`
	Result
}

type jsonSummary struct {
	Conformant bool    `json:"conformant"`
	Verdict    string  `json:"verdict"`
	Outcome    Outcome `json:"outcome"`
	ExitCode   int     `json:"exit_code"`
	// FailedIDs and KnownIDs count the failed checks by ID, with their
	// variants: those the baseline does not list, and those it does.
	FailedIDs Tally `json:"failed_checks"`
	KnownIDs  Tally `json:"known_failed_checks"`
	Total     int   `json:"total"`
	Passed    int   `json:"passed"`
	Failed    int   `json:"failed"`
	Skipped   int   `json:"skipped"`
	Warnings  int   `json:"warnings"`
}

// capBodies cuts response bodies to what reports show (2 KiB), marking them
// truncated: a JSON report with a 1 MiB body per exchange helps nobody.
func capBodies(r Result) Result {
	checks := make([]Check, len(r.Checks))
	for i, c := range r.Checks {
		if len(c.Exchanges) == 0 {
			checks[i] = c
			continue
		}
		exs := make([]probe.Exchange, len(c.Exchanges))
		for j, ex := range c.Exchanges {
			if len(ex.BodyText) > probe.EvidenceBodyLimit {
				ex.BodyText, ex.Truncated = ex.BodyText[:probe.EvidenceBodyLimit], true
			}
			exs[j] = ex
		}
		c.Exchanges = exs
		checks[i] = c
	}
	r.Checks = checks
	return r
}
