package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed html.tmpl
var htmlSource string

//go:embed baseline.tmpl
var htmlBaselineSource string

// htmlTemplate is parsed once; a broken template fails every test at start.
var htmlTemplate = template.Must(template.Must(template.New("report").Parse(htmlSource)).Parse(htmlBaselineSource))

// HTML writes the run as one self-contained page (inline CSS, no scripts,
// no external assets) that can be attached to a CI run or mailed: the
// verdict, a grid of the documented failures, then every check, folded,
// with its message and the evidence of each exchange. The grid and the
// checks come in reading order (failed, errors of conform, warnings,
// inconclusive, not run, skipped, passed); variants that broke a rule the
// same way are one entry that says so, the others' evidence folded inside
// it. Failed checks are unfolded. Nothing scrolls inside the page: long
// lines wrap, and a coverage matrix wider than the page widens the page.
func HTML(w io.Writer, r Result) error {
	return htmlTemplate.Execute(w, newHTMLPage(r))
}

// htmlPage is what the template sees: the Result plus everything worded or
// computed in Go, so the template only lays out.
type htmlPage struct {
	Result
	Verdict   string
	Passes    bool // the verdict is a pass (Result.Passes)
	Counts    Counts
	Started   string
	Took      string
	RetryWait string
	PaceWait  string
	Groups    []htmlGroup
	Checks    []htmlCheck
	Coverage  coverageGrid
}

type htmlGroup struct {
	Group
	Class  string // status class for colour
	Word   string // the status in words, so colour is never the only signal
	Note   string // "1 of 2 variants failed"
	Reason string // why it was skipped
	Anchor string // the check to jump to
}

type htmlCheck struct {
	Check
	Display      string      // the name shown: the check's, or its ID for a block of variants
	Same         string      // "3 variants, same violation: …", for a block of variants
	More         []htmlCheck // the block's other variants, each with its evidence
	Variants     int         // how many variants the block holds
	Class        string
	Word         string
	Anchor       string
	Open         bool
	SourceURL    string // Source when it is a web address
	Explain      string // the violations with their evidence, or the reason
	ExplainTitle string
	Took         string
	Exchanges    []htmlExchange
	// MoreExchanges are those past the first ExplainedResponses, left to the JSON report.
	MoreExchanges int
}

type htmlExchange struct {
	Line     string
	Outcome  string
	Evidence string
}

func newHTMLPage(r Result) htmlPage {
	p := htmlPage{
		Result:    r,
		Verdict:   r.verdict().Headline,
		Passes:    r.verdict().Passes(),
		Counts:    r.Count(),
		Started:   r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Took:      roughly(r.Duration).String(),
		RetryWait: roughly(r.Stats.RetryWall).String(),
		PaceWait:  roughly(r.Stats.PaceWaited).String(),
		Coverage:  newCoverageGrid(r),
	}
	anchors := map[string]int{}
	type idStatus struct {
		id     string
		status Status
	}
	first := map[idStatus]string{} // anchor of the first check with that ID and status
	newCheck := func(c Check) htmlCheck {
		a := slug(c.Name())
		if n := anchors[a]; n > 0 {
			a = fmt.Sprintf("%s-%d", a, n+1)
		}
		anchors[slug(c.Name())]++
		if _, ok := first[idStatus{c.ID, c.Status}]; !ok {
			first[idStatus{c.ID, c.Status}] = a
		}
		hc := htmlCheck{
			Check:   c,
			Display: c.Name(),
			Class:   string(c.Status),
			Word:    htmlWord(c.Status),
			Anchor:  a,
			Open:    c.Status == Failed,
		}
		hc.Explain = c.Explanation()
		hc.ExplainTitle = map[Status]string{Failed: "Violations", Warning: "Violations", Skipped: "Why skipped", Inconclusive: "Why inconclusive", NotRun: "Why not run", Error: "What went wrong in conform"}[c.Status]
		if c.Duration > 0 {
			hc.Took = roughly(c.Duration).String()
		}
		if strings.HasPrefix(c.Source, "https://") || strings.HasPrefix(c.Source, "http://") {
			hc.SourceURL = c.Source
		}
		for i, e := range c.Exchanges {
			if i == ExplainedResponses {
				hc.MoreExchanges = len(c.Exchanges) - i
				break
			}
			hc.Exchanges = append(hc.Exchanges, htmlExchange{Line: e.Line(), Outcome: e.Outcome(), Evidence: e.Evidence("")})
		}
		return hc
	}
	for _, b := range blocks(byReadingOrder(r.Checks, func(c Check) Status { return c.Status })) {
		hc := newCheck(b.First())
		if len(b.Checks) > 1 {
			hc.Display, hc.Same, hc.Variants = b.First().ID, b.Summary(), len(b.Checks)
			for _, c := range b.Checks[1:] {
				hc.More = append(hc.More, newCheck(c))
			}
		}
		p.Checks = append(p.Checks, hc)
	}
	for _, g := range byReadingOrder(r.Groups(), func(g Group) Status { return g.Status }) {
		hg := htmlGroup{
			Group:  g,
			Class:  string(g.Status),
			Word:   htmlGroupWord(g.Status),
			Note:   variantsNote(g),
			Anchor: first[idStatus{g.ID, g.Status}],
		}
		if g.Status == Skipped {
			hg.Reason = shorten(g.Checks[0].Headline(), 160)
		}
		p.Groups = append(p.Groups, hg)
	}
	return p
}

// htmlWord is a status in words with a sign, readable without colour.
func htmlWord(s Status) string {
	switch s {
	case Passed:
		return "✓ passed"
	case Failed:
		return "✗ failed"
	case Warning:
		return "! warning"
	case Inconclusive:
		return "? inconclusive"
	case NotRun:
		return "– not run"
	case Error:
		return "‼ error of conform"
	default:
		return "– skipped"
	}
}

// htmlGroupWord is a group's status in words: a documented failure is
// verified, not passed.
func htmlGroupWord(s Status) string {
	if s == Passed {
		return "✓ verified"
	}
	return htmlWord(s)
}

// slug turns a check name into an HTML id: "AUTH-EXPIRED [Basic scheme]" →
// "auth-expired-basic-scheme".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return "check-" + strings.TrimSuffix(b.String(), "-")
}
