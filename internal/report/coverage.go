package report

import (
	"fmt"
	"strings"
)

// coverageLine is one operation of the coverage matrix in a sentence.
type coverageLine struct {
	Operation string
	Checked   int      // check IDs that judged it
	Failed    []string // IDs that failed on it
	Warned    []string // IDs that warned on it
}

func (l coverageLine) Summary() string {
	s := fmt.Sprintf("%d checks", l.Checked)
	switch {
	case len(l.Failed) > 0:
		s += ": FAILED " + strings.Join(l.Failed, ", ")
	case len(l.Warned) == 0:
		s += ": all passed"
	}
	if len(l.Warned) > 0 {
		s += "; warned " + strings.Join(l.Warned, ", ")
	}
	return s
}

func coverageLines(r Result) []coverageLine {
	rows, ids := r.Coverage()
	out := make([]coverageLine, 0, len(rows))
	for _, row := range rows {
		l := coverageLine{Operation: row.Operation, Checked: len(row.Checks)}
		for _, id := range ids {
			switch row.Checks[id] {
			case Failed:
				l.Failed = append(l.Failed, id)
			case Warning:
				l.Warned = append(l.Warned, id)
			}
		}
		out = append(out, l)
	}
	return out
}

// coverageCell is one cell of the HTML grid.
type coverageCell struct {
	Class, Sign, Title string
}

// coverageGrid is the operations × check IDs matrix for the HTML report.
type coverageGrid struct {
	IDs  []string
	Rows []coverageGridRow
}

type coverageGridRow struct {
	Operation string
	Cells     []coverageCell
	// Alike are the other operations with the same cells, none failed or
	// warned: a sweep of 5,000 operations that pass is a few rows.
	Alike []string
}

func newCoverageGrid(r Result) coverageGrid {
	rows, ids := r.Coverage()
	g := coverageGrid{IDs: ids}
	alike := map[string]int{} // the cells of a row with nothing to fix → its index in g.Rows
	for _, row := range rows {
		var sig strings.Builder
		clean := true
		for _, id := range ids {
			st, ok := row.Checks[id]
			clean = clean && (!ok || st != Failed && st != Warning)
			fmt.Fprintf(&sig, "%s,", st)
		}
		if i, ok := alike[sig.String()]; ok && clean {
			g.Rows[i].Alike = append(g.Rows[i].Alike, row.Operation)
			continue
		}
		gr := coverageGridRow{Operation: row.Operation}
		for _, id := range ids {
			st, ok := row.Checks[id]
			cell := coverageCell{Class: "none", Sign: "·", Title: id + ": not judged on " + row.Operation}
			if ok {
				cell = coverageCell{Class: string(st), Sign: htmlSign(st), Title: id + " on " + row.Operation + ": " + string(st)}
			}
			gr.Cells = append(gr.Cells, cell)
		}
		if clean {
			alike[sig.String()] = len(g.Rows)
		}
		g.Rows = append(g.Rows, gr)
	}
	return g
}

func htmlSign(s Status) string {
	switch s {
	case Passed:
		return "✓"
	case Failed:
		return "✗"
	case Warning:
		return "!"
	case Inconclusive:
		return "?"
	case Error:
		return "‼"
	}
	return "–"
}
