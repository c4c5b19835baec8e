package report

import (
	"sort"
	"strconv"
	"strings"
)

// htmlWriter lays out an htmlPage. raw writes the page's own markup; text
// writes a value, escaped for element text or a quoted attribute value;
// href a value that is a whole href. The four writing methods are not
// inlined: the page calls them from some 230 places, and inlining
// strings.Builder's append at each one costs 86 KB of the release binary
// for a page written once a run.
type htmlWriter struct{ strings.Builder }

//go:noinline
func (b *htmlWriter) raw(s ...string) {
	for _, x := range s {
		b.WriteString(x)
	}
}

//go:noinline
func (b *htmlWriter) text(s string) { b.WriteString(escapeHTML(s)) }

//go:noinline
func (b *htmlWriter) href(s string) { b.WriteString(escapeHref(s)) }

//go:noinline
func (b *htmlWriter) int(n int64) { b.WriteString(strconv.FormatInt(n, 10)) }

// page is the whole document.
func (b *htmlWriter) page(p htmlPage) {
	b.raw("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	b.text(p.Verdict)
	b.raw(" — conform report for ")
	b.text(p.Result.Target.BaseURL)
	b.raw("</title>\n<style>\n", htmlCSS, "</style>\n</head>\n<body>\n<main>\n\n")
	b.header(p)
	b.tiles(p)
	for _, sec := range p.Sections {
		b.raw("\n<h2 id=\"")
		b.text(sec.ID)
		b.raw("\">")
		b.text(sec.Title)
		b.raw("</h2>\n<p class=\"section-legend\">")
		b.text(sec.Legend)
		b.raw("</p>\n")
		for _, c := range sec.Checks {
			b.check(c)
		}
	}
	b.raw("\n")
	b.baseline(p.Result.Baseline)
	b.raw("\n")
	b.coverage(p.Coverage)
	b.raw("\n")
	b.config(p.Config)
	b.raw("\n\n<footer>\nconform ")
	b.text(p.Version)
	b.raw(" · contract ")
	b.text(p.ContractVersion)
	b.raw(" · started ")
	b.text(p.Started)
	b.raw(" · took ")
	b.text(p.Took)
	b.raw(" ·\n")
	b.int(p.Stats.Requests)
	b.raw(" requests (")
	b.int(p.Stats.Retries)
	b.raw(" retried after 429, ")
	b.text(p.RetryWait)
	b.raw(" waited on Retry-After, ")
	b.text(p.PaceWait)
	b.raw(" pacing)\n</footer>\n\n</main>\n</body>\n</html>\n")
}

// header is the verdict and what was checked.
func (b *htmlWriter) header(p htmlPage) {
	class, sign := "failed", "✗"
	if p.Passes {
		class, sign = "passed", "✓"
	}
	b.raw("<header class=\"verdict ", class, "\">\n<h1>", sign, " ")
	b.text(p.Verdict)
	b.raw("</h1>\n<dl class=\"meta\">\n<dt>Target</dt><dd><code>")
	b.text(p.Result.Target.BaseURL)
	b.raw("</code>")
	if p.Result.Target.Reference {
		b.raw(" (embedded reference server)")
	}
	b.raw("</dd>\n<dt>Profile</dt><dd>")
	b.text(p.Result.Target.Profile)
	b.raw("</dd>\n<dt>Contract</dt><dd>")
	b.text(p.ContractVersion)
	b.raw(", checked by conform ")
	b.text(p.Version)
	b.raw("</dd>\n<dt>Strict</dt><dd>")
	if p.Strict {
		b.raw("yes: a failed SHOULD fails the run")
	} else {
		b.raw("no: a failed SHOULD is a warning")
	}
	b.raw("</dd>\n</dl>\n</header>\n\n")
}

// tiles are the counts under the verdict, and the run's notes.
func (b *htmlWriter) tiles(p htmlPage) {
	b.raw("<p class=\"counted\">")
	b.text(p.Counted)
	b.raw(" · ")
	b.int(p.Stats.Requests)
	b.raw(" requests · ")
	b.text(p.Took)
	b.raw("</p>\n<nav class=\"counts\" aria-label=\"Counts of checks\">\n")
	for _, t := range p.Tiles {
		if t.Anchor != "" {
			b.raw("<a class=\"count ")
			b.text(t.Class)
			b.raw("\" href=\"")
			b.href(t.Anchor)
			b.raw("\">")
		} else {
			b.raw("<div class=\"count ")
			b.text(t.Class)
			b.raw("\">")
		}
		b.raw("<b>")
		b.int(int64(t.N))
		b.raw("</b><span>")
		b.text(t.Word)
		b.raw("</span>")
		if t.Anchor != "" {
			b.raw("</a>\n")
		} else {
			b.raw("</div>\n")
		}
	}
	b.raw("</nav>\n")
	if len(p.Notes) > 0 {
		b.raw("\n<ul class=\"notes\">")
		b.items(p.Notes)
		b.raw("</ul>\n")
	}
	b.raw("\n")
}

// items are list items, one a value.
func (b *htmlWriter) items(list []string) {
	for _, s := range list {
		b.raw("<li>")
		b.text(s)
		b.raw("</li>")
	}
}

// check is one check ID of a section, folded or open.
func (b *htmlWriter) check(c htmlCheck) {
	b.checkSummary(c)
	b.checkFacts(c)
	for _, f := range c.Findings {
		b.finding(f)
	}
	b.checkSections(c)
	b.raw("</div>\n</details>\n")
}

// checkSummary opens a check's <details> and writes its one-line summary.
func (b *htmlWriter) checkSummary(c htmlCheck) {
	b.raw("<details class=\"check ")
	b.text(c.Class)
	b.raw("\" id=\"")
	b.text(c.Anchor)
	b.raw("\"")
	if c.Open {
		b.raw(" open")
	}
	b.raw(">\n<summary><span class=\"badge\">")
	b.text(c.Word)
	b.raw("</span><span class=\"name id\">")
	b.text(c.ID)
	b.raw("</span><span class=\"title\">")
	b.text(c.Title)
	b.raw("</span>")
	switch {
	case c.Note != "":
		b.raw("<span class=\"note\">")
		b.text(c.Note)
		if c.Headline != "" {
			b.raw(": ")
			b.text(c.Headline)
		}
		b.raw("</span>")
	case c.Headline != "":
		b.raw("<span class=\"note\">")
		b.text(c.Headline)
		b.raw("</span>")
	}
}

// checkFacts opens the check's body and writes its definition list: the
// requirement, its source, the baseline's reason, labels, since.
func (b *htmlWriter) checkFacts(c htmlCheck) {
	b.raw("</summary>\n<div class=\"body\">\n<dl class=\"facts\">\n<dt>Requirement</dt><dd><span class=\"level\">")
	b.text(string(c.Level))
	b.raw("</span>: ")
	b.text(c.Sentence)
	b.raw("</dd>\n<dt>Source</dt><dd>")
	if c.SourceURL != "" {
		b.raw("<a href=\"")
		b.href(c.SourceURL)
		b.raw("\">")
		b.text(c.Source)
		b.raw("</a>")
	} else {
		b.text(c.Source)
	}
	b.raw("</dd>\n")
	if c.Reason != "" {
		b.raw("<dt>Baseline</dt><dd>")
		b.text(c.Reason)
		b.raw("</dd>")
	}
	b.raw("\n")
	if len(c.Labels) > 0 {
		b.raw("<dt>Labels</dt><dd>")
		for i, l := range c.Labels {
			if i > 0 {
				b.raw(", ")
			}
			b.text(l)
		}
		b.raw("</dd>")
	}
	b.raw("\n")
	if c.Since != "" {
		b.raw("<dt>Since</dt><dd>conform ")
		b.text(c.Since)
		b.raw("</dd>")
	}
	b.raw("\n</dl>\n")
}

// checkSections writes what follows a check's findings: its other
// variants, why each ended as it did, and the requests it judged.
func (b *htmlWriter) checkSections(c htmlCheck) {
	if len(c.Variants) > 0 {
		b.raw("<h3>Other variants</h3>\n<ul class=\"others\">")
		for _, v := range c.Variants {
			b.raw("<li><span class=\"")
			b.text(v.Class)
			b.raw("\"><b class=\"badge\">")
			b.text(v.Word)
			b.raw("</b></span> <code>")
			b.text(v.Name)
			b.raw("</code>")
			if v.Text != "" {
				b.raw(": ")
				b.text(v.Text)
			}
			b.raw("</li>")
		}
		b.raw("</ul>\n")
	}
	if len(c.Why) > 0 {
		b.raw("<h3>Why</h3>\n")
		for _, v := range c.Why {
			b.raw("<h4>")
			b.text(v.Name)
			b.raw(" <span class=\"outcome\">")
			b.text(v.Word)
			b.raw("</span></h4><pre>")
			b.text(v.Text)
			b.raw("</pre>\n")
		}
	}
	if len(c.Exchanges) > 0 {
		b.raw("<h3>Requests judged</h3>\n<ul class=\"exchanges\">")
		b.items(c.Exchanges)
		b.raw("</ul>\n")
	}
	if c.MoreExchanges != 0 {
		b.raw("<p>")
		b.int(int64(c.MoreExchanges))
		b.raw(" more exchanges are in the JSON report.</p>\n")
	}
}

// finding is one distinct violation with its evidence, and the responses
// alike folded under it.
func (b *htmlWriter) finding(f htmlFinding) {
	b.raw("<section class=\"finding\">\n")
	if f.Label != "" {
		b.raw("<h3>")
		b.text(f.Label)
		if f.Auth != "" {
			b.raw(" <span class=\"auth\">· sent with ")
			b.text(f.Auth)
			b.raw("</span>")
		}
		b.raw("</h3>")
	}
	b.raw("\n")
	if len(f.Violations) > 0 {
		b.raw("<ul class=\"violations\">")
		b.items(f.Violations)
		b.raw("</ul>")
	}
	b.raw("\n")
	b.pre(f.Reason)
	b.raw("\n")
	b.pre(f.Evidence)
	b.raw("\n")
	if f.More != "" {
		b.raw("<details class=\"alike\"><summary>")
		b.text(f.More)
		b.raw("</summary>\n<ul>")
		for _, a := range f.Alike {
			b.raw("<li>")
			if a.Evidence != "" {
				b.raw("<details><summary>")
				b.sentWith(a.Label, a.Auth)
				b.raw("</summary><pre>")
				b.text(a.Evidence)
				b.raw("</pre></details>")
			} else {
				b.sentWith(a.Label, a.Auth)
			}
			b.raw("</li>")
		}
		b.raw("</ul>\n")
		if f.AlikeLeft != 0 {
			b.raw("<p>and ")
			b.int(int64(f.AlikeLeft))
			b.raw(" more, in the JSON report.</p>")
		}
		b.raw("\n</details>")
	}
	b.raw("\n</section>\n")
}

// pre is a block of evidence; nothing when there is none.
func (b *htmlWriter) pre(s string) {
	if s != "" {
		b.raw("<pre>")
		b.text(s)
		b.raw("</pre>")
	}
}

// sentWith is a response alike: where, and the credential it was sent with.
func (b *htmlWriter) sentWith(label, auth string) {
	b.text(label)
	if auth != "" {
		b.raw(" · sent with ")
		b.text(auth)
	}
}

// baseline is the comparison with the baseline; nothing without one.
func (b *htmlWriter) baseline(bl *Baseline) {
	if bl == nil {
		return
	}
	b.raw("<h2 id=\"baseline\">Baseline</h2>\n<p><b>")
	b.text(bl.Verdict())
	b.raw("</b></p>\n")
	for _, g := range bl.Groups() {
		b.raw("<h3>")
		b.text(g.Title)
		b.raw(" (")
		b.int(int64(len(g.Entries)))
		b.raw(")</h3>\n")
		if len(g.Entries) > 0 {
			b.raw("<ul>")
			for _, e := range g.Entries {
				b.raw("<li><code>")
				b.text(e.Name())
				b.raw("</code>: ")
				b.text(e.Detail())
				b.raw("</li>")
			}
			b.raw("</ul>\n")
		}
	}
	if len(bl.Unchecked) > 0 {
		b.raw("<p class=\"legend\">")
		b.int(int64(len(bl.Unchecked)))
		b.raw(" more entries this run cannot call fixed: their check did not reach a verdict, or warned.</p>\n")
	}
	b.raw("\n")
}

// coverage is the operations × check IDs matrix; nothing without rows.
func (b *htmlWriter) coverage(g coverageGrid) {
	if len(g.Rows) == 0 {
		return
	}
	b.raw("\n<h2 id=\"coverage\">Coverage: operations × checks</h2>\n",
		"<div class=\"coverage-wrap\" role=\"region\" aria-label=\"Coverage matrix, scrolls sideways\" tabindex=\"0\"><table class=\"coverage\">\n",
		"<thead><tr><th>operation</th>")
	for _, id := range g.IDs {
		b.raw("<th><span>")
		b.text(id)
		b.raw("</span></th>")
	}
	b.raw("</tr></thead>\n<tbody>")
	for _, row := range g.Rows {
		b.raw("<tr><th class=\"op\">")
		b.text(row.Operation)
		if len(row.Alike) > 0 {
			b.raw("<details class=\"alike\"><summary>and ")
			b.int(int64(len(row.Alike)))
			b.raw(" more alike</summary>")
			for _, a := range row.Alike {
				b.raw("<div>")
				b.text(a)
				b.raw("</div>")
			}
			b.raw("</details>")
		}
		b.raw("</th>")
		for _, c := range row.Cells {
			b.raw("<td class=\"")
			b.text(c.Class)
			b.raw("\" title=\"")
			b.text(c.Title)
			b.raw("\">")
			b.text(c.Sign)
			b.raw("</td>")
		}
		b.raw("</tr>\n")
	}
	b.raw("</tbody></table></div>\n",
		"<p class=\"legend\">✓ passed · ✗ failed · ! warning · · not judged on that operation · “and N more alike”: operations with the same results, none failed or warned</p>\n")
}

// config is the run's configuration, its keys in order; nothing without one.
func (b *htmlWriter) config(cfg map[string]string) {
	if len(cfg) == 0 {
		return
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.raw("\n<details class=\"config\">\n<summary>Run configuration</summary>\n<table>")
	for _, k := range keys {
		b.raw("<tr><td><code>")
		b.text(k)
		b.raw("</code></td><td><code>")
		b.text(cfg[k])
		b.raw("</code></td></tr>")
	}
	b.raw("</table>\n</details>\n")
}
