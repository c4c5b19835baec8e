package report

import (
	"encoding/json"
	"io"
)

// JSON writes the whole Result, indented, under a computed summary, for
// tools: `jq .summary.conformant report.json`.
func JSON(w io.Writer, r Result) error {
	c := r.Count()
	doc := jsonReport{
		Summary: jsonSummary{
			Conformant: r.Conformant(),
			Verdict:    verdict(r),
			Total:      c.Total,
			Passed:     c.Passed,
			Failed:     c.Failed,
			Skipped:    c.Skipped,
			Warnings:   c.Warnings,
		},
		Result: r,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // bodies stay readable: "<" rather than "\u003c"
	return enc.Encode(doc)
}

// jsonReport is the document JSON writes: the summary first, then every
// field of Result, so fields added to Result appear without a change here.
type jsonReport struct {
	Summary jsonSummary `json:"summary"`
	Result
}

type jsonSummary struct {
	Conformant bool   `json:"conformant"`
	Verdict    string `json:"verdict"`
	Total      int    `json:"total"`
	Passed     int    `json:"passed"`
	Failed     int    `json:"failed"`
	Skipped    int    `json:"skipped"`
	Warnings   int    `json:"warnings"`
}
