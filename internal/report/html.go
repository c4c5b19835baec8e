package report

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
)

//go:embed html.css
var htmlStylesheet string

// htmlCSS is the page's stylesheet without its comments, which are for
// whoever edits it: each is one space on the page.
var htmlCSS = withoutCSSComments(htmlStylesheet)

func withoutCSSComments(css string) string {
	var b strings.Builder
	for {
		start := strings.Index(css, "/*")
		if start < 0 {
			b.WriteString(css)
			return b.String()
		}
		b.WriteString(css[:start])
		b.WriteByte(' ')
		end := strings.Index(css[start+2:], "*/")
		if end < 0 {
			return b.String()
		}
		css = css[start+2+end+2:]
	}
}

// HTML writes the run as one self-contained page (inline CSS, no scripts,
// no external assets) that can be attached to a CI run or mailed, in the
// order a reader fixes things: the verdict and the counts, then the
// failures unfolded (each check once; each distinct violation once with
// its evidence, the responses alike named and their evidence folded),
// the errors of conform, the warnings, the known failures, the checks
// not judged, the verified checks, and last the coverage matrix. Each
// exchange is shown once. The page never grows wider than the screen:
// long lines wrap, and the coverage matrix scrolls inside its own box.
// Every value on it is escaped (htmlescape.go).
func HTML(w io.Writer, r Result) error {
	var b htmlWriter
	b.page(newHTMLPage(r))
	_, err := io.WriteString(w, b.String())
	return err
}

// htmlPage is what the page shows: the Result plus everything worded or
// computed for it, so htmlWriter only lays out.
type htmlPage struct {
	Result
	Verdict   string
	Passes    bool // the verdict is a pass
	Counted   string
	Tiles     []htmlTile
	Started   string
	Took      string
	RetryWait string
	PaceWait  string
	Sections  []htmlSection
	Coverage  coverageGrid
}

// htmlTile is one count at the top of the page, linking to its section.
type htmlTile struct {
	Class, Word, Anchor string
	N                   int
}

// htmlSection is one part of the page: failures, warnings, verified …
type htmlSection struct {
	ID, Title, Legend string
	Checks            []htmlCheck
}

// htmlCheck is one check ID within a section.
type htmlCheck struct {
	Check               // the first variant: ID, title, requirement, source
	Class, Word, Anchor string
	Note                string // "14 of 16 variants failed"
	Headline            string // the first violation, or the reason, in one line
	Reason              string // the baseline's reason for a known failure
	Open                bool
	SourceURL           string // Source when it is a web address
	Findings            []htmlFinding
	// Variants are the check's variants with another status, each with
	// its reason or its exchanges in one line.
	Variants []htmlVariant
	// Why are the reasons of checks not judged, by variant.
	Why []htmlVariant
	// Exchanges are those of checks that passed, one line each.
	Exchanges []string
	// MoreExchanges are those past the ones listed, left to the JSON report.
	MoreExchanges int
}

type htmlVariant struct {
	Name, Word, Class, Text string
}

// htmlFinding is one distinct violation with its evidence.
type htmlFinding struct {
	Label, Auth string
	Violations  []string
	Reason      string
	Evidence    string
	More        string // "and 13 more like it"
	Alike       []htmlAlike
	AlikeLeft   int // the responses alike not listed
}

// htmlAlike is a response alike: where, and its evidence when kept.
type htmlAlike struct {
	Label, Auth, Evidence string
}

// htmlAlikeListed bounds the responses alike a finding lists, and
// htmlAlikeEvidence those of them shown with their evidence.
const htmlAlikeListed, htmlAlikeEvidence = 100, ExplainedResponses

func newHTMLPage(r Result) htmlPage {
	v := r.verdict()
	s := sectionsOf(r)
	p := htmlPage{
		Result:    r,
		Verdict:   v.Headline,
		Passes:    v.Passes(),
		Counted:   idCountsLine(r, s),
		Started:   r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Took:      roughly(r.Duration).String(),
		RetryWait: roughly(r.Stats.RetryWall).String(),
		PaceWait:  roughly(r.Stats.PaceWaited).String(),
		Coverage:  newCoverageGrid(r),
	}
	anchors := map[string]int{}
	unique := func(hc *htmlCheck) {
		a := hc.Anchor
		if n := anchors[a]; n > 0 {
			hc.Anchor = fmt.Sprintf("%s-%d", a, n+1)
		}
		anchors[a]++
	}
	sets := func(id, title, legend string, status Status, sets []checkSet, open bool, why func(Check) string) {
		if len(sets) == 0 {
			return
		}
		sec := htmlSection{ID: id, Title: title + ": " + tallyOf(sets), Legend: legend}
		for _, set := range sets {
			hc := newHTMLCheck(set.First(), status, open)
			unique(&hc)
			hc.Note = set.Note()
			hc.Headline = set.First().Headline()
			if why != nil { // a known failure: it does not fail the run, nor reads as if it did
				hc.Reason = why(set.First())
				hc.Class, hc.Word = "known", "– known failure"
			}
			for _, f := range set.Findings() {
				hc.Findings = append(hc.Findings, newHTMLFinding(f))
			}
			hc.Variants = otherVariants(r, set)
			sec.Checks = append(sec.Checks, hc)
		}
		p.Sections = append(p.Sections, sec)
	}
	sets("failures", "Failures", "Each distinct violation once, with the evidence to reproduce it; the responses that broke the rule the same way are listed under it.", Failed, s.Failed, true, nil)
	sets("errors", "Errors of conform", "A defect of conform, not of the target: please report it.", Error, s.Errors, true, nil)
	sets("warnings", "Warnings", "SHOULDs the target broke; they fail the run only with --strict.", Warning, s.Warned, false, nil)
	sets("known", "Known failures", "Failures the baseline lists: they do not fail the run.", Failed, s.Known, false, func(c Check) string {
		reason, _ := v.KnownFailure(c)
		return reason
	})

	unjudged, verified := restChecks(s.Rest, unique)
	if len(unjudged) > 0 {
		p.Sections = append(p.Sections, htmlSection{ID: "not-judged", Title: fmt.Sprintf("Not judged: %s", Plural(len(unjudged), "check")),
			Legend: "Skipped (a token not set, not applicable, not selected), inconclusive (the target could not be brought into the state the check needs) or not run (the run stopped).", Checks: unjudged})
	}
	if len(verified) > 0 {
		p.Sections = append(p.Sections, htmlSection{ID: "verified", Title: fmt.Sprintf("Verified: %s", Plural(len(verified), "check")),
			Legend: "Each with the requests it judged.", Checks: verified})
	}
	p.Tiles = newHTMLTiles(s, p.Sections)
	return p
}

// restChecks are the checks with nothing to fix: those not judged, with
// the reason of each variant, and the verified ones, with the requests
// they judged one line each.
func restChecks(rest []Group, unique func(*htmlCheck)) (unjudged, verified []htmlCheck) {
	for _, g := range byReadingOrder(rest, func(g Group) Status { return g.Status }) {
		hc := newHTMLCheck(g.Checks[0], g.Status, false)
		unique(&hc)
		hc.Note = variantCounts(g)
		if g.Status == Passed {
			for _, c := range g.Checks {
				for i, e := range c.Exchanges {
					if len(hc.Exchanges) == ExplainedResponses {
						hc.MoreExchanges += len(c.Exchanges) - i
						break
					}
					hc.Exchanges = append(hc.Exchanges, e.Line()+" → "+e.Outcome())
				}
			}
			verified = append(verified, hc)
			continue
		}
		hc.Headline = shorten(g.Checks[0].Headline(), 160)
		for _, c := range g.Checks {
			hc.Why = append(hc.Why, htmlVariant{Name: c.Name(), Word: htmlWord(c.Status), Class: string(c.Status), Text: c.Explanation()})
		}
		unjudged = append(unjudged, hc)
	}
	return unjudged, verified
}

// newHTMLCheck is the parts of a check every section shows.
func newHTMLCheck(c Check, status Status, open bool) htmlCheck {
	hc := htmlCheck{Check: c, Class: string(status), Word: htmlGroupWord(status), Anchor: slug(c.ID), Open: open}
	if strings.HasPrefix(c.Source, "https://") || strings.HasPrefix(c.Source, "http://") {
		hc.SourceURL = c.Source
	}
	return hc
}

// newHTMLFinding words a finding for the page.
func newHTMLFinding(f finding) htmlFinding {
	hf := htmlFinding{Label: f.Label(), More: f.MoreLikeIt()}
	if len(f.Violations) == 0 {
		hf.Reason = f.Check.Reason
	}
	for _, v := range f.Violations {
		hf.Violations = append(hf.Violations, v.String())
	}
	if ref, ok := f.Exchanged(); ok {
		e := ref.Check.Exchanges[ref.Index]
		hf.Auth, hf.Evidence = e.Auth, e.Evidence("")
	}
	for i, s := range f.Alike {
		if i == htmlAlikeListed {
			hf.AlikeLeft = len(f.Alike) - i
			break
		}
		a := htmlAlike{Label: s.Label}
		if s.Exchange >= 0 && s.Exchange < len(s.Check.Exchanges) {
			a.Auth = s.Check.Exchanges[s.Exchange].Auth
			if i < htmlAlikeEvidence {
				a.Evidence = s.Check.Exchanges[s.Exchange].Evidence("")
			}
		}
		hf.Alike = append(hf.Alike, a)
	}
	return hf
}

// otherVariants are the variants of a set's check ID outside the set:
// those that passed, were skipped or are in another section.
func otherVariants(r Result, set checkSet) []htmlVariant {
	if set.Of < 2 {
		return nil
	}
	in := map[string]bool{}
	for _, c := range set.Checks {
		in[c.Name()] = true
	}
	var out []htmlVariant
	for _, c := range r.Selected() {
		if c.ID != set.First().ID || in[c.Name()] {
			continue
		}
		text := firstLine(c.Reason)
		if text == "" && len(c.Exchanges) > 0 {
			text = c.Exchanges[0].Line() + " → " + c.Exchanges[0].Outcome()
		}
		out = append(out, htmlVariant{Name: c.Variant, Word: htmlWord(c.Status), Class: string(c.Status), Text: text})
	}
	return out
}

// newHTMLTiles counts the check IDs of each section, for the top of the page.
func newHTMLTiles(s sections, secs []htmlSection) []htmlTile {
	anchor := map[string]bool{}
	for _, sec := range secs {
		anchor[sec.ID] = true
	}
	link := func(id string) string {
		if anchor[id] {
			return "#" + id
		}
		return ""
	}
	rest := map[Status]int{}
	for _, g := range s.Rest {
		rest[g.Status]++
	}
	tiles := []htmlTile{
		{Class: "failed", Word: "failed", N: len(s.Failed), Anchor: link("failures")},
		{Class: "warning", Word: "warned", N: len(s.Warned), Anchor: link("warnings")},
		{Class: "passed", Word: "verified", N: rest[Passed], Anchor: link("verified")},
		{Class: "skipped", Word: "skipped", N: rest[Skipped], Anchor: link("not-judged")},
	}
	for _, t := range []htmlTile{
		{Class: "error", Word: "errors of conform", N: len(s.Errors), Anchor: link("errors")},
		{Class: "known", Word: "known failures", N: len(s.Known), Anchor: link("known")},
		{Class: "inconclusive", Word: "inconclusive", N: rest[Inconclusive], Anchor: link("not-judged")},
		{Class: "not-run", Word: "not run", N: rest[NotRun], Anchor: link("not-judged")},
	} {
		if t.N > 0 {
			tiles = append(tiles, t)
		}
	}
	return tiles
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
