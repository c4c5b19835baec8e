package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
)

// sweepFailure is a check that failed on n operations: on each, a 200
// instead of the 401, and on every third a body without its envelope too.
func sweepFailure(n int) Check {
	c := Check{ID: "AUTH-MISSING", Level: Must, Status: Failed, Judged: n}
	for i := range n {
		path := fmt.Sprintf("/extra/op%04d/{item_id}", i)
		c.Exchanges = append(c.Exchanges, probe.Exchange{Method: "GET", Path: path, URL: "http://t" + path, Auth: "no Authorization header", Status: 200, BodyText: fmt.Sprintf(`{"item":%d}`, i)})
		op := "GET " + path
		c.Violations = append(c.Violations, Violation{Exchange: i, Operation: op, Rule: "status", Where: "status", Expected: "401", Got: "200 OK"})
		if i%3 == 0 {
			c.Violations = append(c.Violations, Violation{Exchange: i, Operation: op, Rule: "schema", Where: "body", Pointer: "/detail", Keyword: "required", Message: "missing property detail"})
		}
	}
	return c
}

// TestAnExplanationSpellsOutTheFirstResponsesAndCountsTheRest: a check
// failing on 5,000 operations spells out ExplainedResponses of them with
// their evidence, then counts the rest by violation, the most frequent
// first, naming a few operations of each; the HTML report shows each
// distinct violation once, and names and shows the responses alike up to
// a bound, saying how many more the JSON report holds.
func TestAnExplanationSpellsOutTheFirstResponsesAndCountsTheRest(t *testing.T) {
	c := sweepFailure(5000)
	e := c.Explanation()
	for _, want := range []string{
		"5000 of 5000 responses break the contract (6667 violations)",
		"GET /extra/op0019/{item_id}",
		"and 4980 more responses (every violation, with its operation, is in the JSON report):",
		"  ✗ status: expected 401, got 200 OK [status] — 4980× (GET /extra/op0020/{item_id}, GET /extra/op0021/{item_id}, GET /extra/op0022/{item_id}, …)",
		"— 1660× (GET /extra/op0021/{item_id}, GET /extra/op0024/{item_id}, GET /extra/op0027/{item_id}, …)",
	} {
		if !strings.Contains(e, want) {
			t.Errorf("the explanation lacks %q:\n%s", want, e[len(e)-600:])
		}
	}
	if strings.Contains(e, "GET /extra/op0020/{item_id}\n  sent with") {
		t.Error("the 21st response is spelled out")
	}
	if len(e) > 20<<10 {
		t.Errorf("the explanation of 5,000 failures is %d bytes, want it to read in a screen or two", len(e))
	}

	small := sweepFailure(ExplainedResponses)
	if strings.Contains(small.Explanation(), "more responses") {
		t.Errorf("%d failures are all spelled out, yet the explanation counts more", ExplainedResponses)
	}

	var b bytes.Buffer
	if err := HTML(&b, Result{Checks: []Check{c}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	// Two distinct violations (the status alone; the status and the
	// envelope, on every third operation), each shown once with its
	// evidence; of the responses alike, the first 100 are named, 20 with
	// their evidence, and the rest counted.
	for _, want := range []string{"and 1666 more like it", "and 3332 more like it", "and 1566 more, in the JSON report.", "and 3232 more, in the JSON report."} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if n := strings.Count(html, "<pre>"); n != 2+2*ExplainedResponses {
		t.Errorf("the HTML report shows %d pieces of evidence, want %d: each distinct violation's and %d alike of each", n, 2+2*ExplainedResponses, ExplainedResponses)
	}
	if b.Len() > 200<<10 {
		t.Errorf("the HTML report of one check failing on 5,000 operations is %d bytes", b.Len())
	}
}

// TestTheCoverageGridFoldsOperationsThatPassAlike: 5,000 operations with
// the same passing results are one row of the grid, naming the others in
// a fold; an operation that failed keeps a row of its own.
func TestTheCoverageGridFoldsOperationsThatPassAlike(t *testing.T) {
	c := Check{ID: "AUTH-MISSING", Level: Must, Status: Failed}
	for i := range 5000 {
		st := Passed
		if i == 4321 {
			st = Failed
		}
		c.Operations = append(c.Operations, OperationResult{Method: "GET", Path: fmt.Sprintf("/extra/op%04d", i), Status: st})
	}
	g := newCoverageGrid(Result{Checks: []Check{c}})
	if len(g.Rows) != 2 {
		t.Fatalf("%d rows, want 2: the 4,999 that passed and the one that failed", len(g.Rows))
	}
	if g.Rows[0].Operation != "GET /extra/op0000" || len(g.Rows[0].Alike) != 4998 {
		t.Errorf("first row %s with %d alike, want GET /extra/op0000 with 4998", g.Rows[0].Operation, len(g.Rows[0].Alike))
	}
	if g.Rows[1].Operation != "GET /extra/op4321" || g.Rows[1].Alike != nil || g.Rows[1].Cells[0].Class != string(Failed) {
		t.Errorf("second row %+v, want the failed operation alone", g.Rows[1])
	}
	var b bytes.Buffer
	if err := HTML(&b, Result{Checks: []Check{c}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<summary>and 4998 more alike</summary>") {
		t.Error("the HTML grid does not fold the operations alike")
	}
}
