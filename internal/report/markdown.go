package report

import (
	"fmt"
	"io"
	"strings"
)

// Markdown writes a GitHub-flavoured summary, for $GITHUB_STEP_SUMMARY, in
// the order a reader fixes things: the verdict and the counts, then each
// failed check, its evidence folded in a <details> (each distinct
// violation once, variants folded), the errors of conform likewise, the
// warnings and known failures one line each (their evidence is in the
// HTML report), then every other check in a few lines, and the coverage
// per operation folded. Folded, it reads in one screen.
func Markdown(w io.Writer, r Result) error {
	var b strings.Builder
	v := r.verdict()
	s := sectionsOf(r)

	mark := "✅"
	if !v.Passes() {
		mark = "❌"
	}
	fmt.Fprintf(&b, "## %s %s\n\n", mark, mdText(v.Headline))
	target := mdCode(r.Target.BaseURL)
	if r.Target.Reference {
		target += " (embedded reference server)"
	}
	fmt.Fprintf(&b, "**%s** · %d requests · %s  \n", mdText(idCountsLine(r, s)), r.Stats.Requests, roughly(r.Duration))
	fmt.Fprintf(&b, "Target %s · profile %s · conform %s · contract %s · strict: %s\n",
		target, mdCell(r.Target.Profile), mdCell(r.Version), mdCell(r.ContractVersion), yesNo(r.Strict))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n> %s\n", mdText(n))
	}

	// What comes next is cut to keep the summary within what GitHub shows:
	// the failures first, then the warnings, then the coverage table.
	left := 0
	if len(s.Failed) > 0 {
		fmt.Fprintf(&b, "\n### ❌ Failures: %s\n", mdText(tallyOf(s.Failed)))
		left += mdSets(&b, s.Failed, "❌")
	}
	if len(s.Errors) > 0 {
		fmt.Fprintf(&b, "\n### 🛑 Errors of conform: %s (a defect of conform, please report it)\n", mdText(tallyOf(s.Errors)))
		left += mdSets(&b, s.Errors, "🛑")
	}
	mdLines(&b, "⚠️ Warnings", s.Warned, nil)
	mdLines(&b, "Known failures, listed in the baseline", s.Known, func(c Check) string {
		reason, _ := v.KnownFailure(c)
		return reason
	})
	mdBaseline(&b, r)
	mdRest(&b, s.Rest)
	if lines := coverageLines(r); len(lines) > 0 {
		b.WriteString("\n<details>\n<summary>Coverage per operation</summary>\n\n| Operation | Coverage |\n|---|---|\n")
		for _, l := range lines {
			row := fmt.Sprintf("| %s | %s |\n", mdCode(l.Operation), mdCell(l.Summary()))
			if b.Len()+len(row) > MarkdownLimit-markdownReserve {
				left++
				continue
			}
			b.WriteString(row)
		}
		b.WriteString("\n</details>\n")
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n> %d more entries (failures, warnings or coverage rows) are left out to keep this summary under %d KiB, the most GitHub shows; the JSON and HTML reports hold everything.\n", left, MarkdownLimit>>10)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdLines lists a section one line per check: its first violation, how
// many variants, and why when why is given.
func mdLines(b *strings.Builder, title string, sets []checkSet, why func(Check) string) {
	if len(sets) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### %s: %s\n\n", title, mdText(tallyOf(sets)))
	for _, set := range sets {
		c, line := set.First(), set.line(why)
		fmt.Fprintf(b, "- %s: %s\n", mdCode(c.ID), mdText(shorten(line, 200)))
	}
}

// mdRest lists the checks with nothing to fix: the verified ones in one
// paragraph, each other status in one, each check with its reason.
func mdRest(b *strings.Builder, groups []Group) {
	if len(groups) == 0 {
		return
	}
	b.WriteString("\n### Other checks\n\n")
	groups = byReadingOrder(groups, func(g Group) Status { return g.Status })
	for i := 0; i < len(groups); {
		st := groups[i].Status
		j := i
		for j < len(groups) && groups[j].Status == st {
			j++
		}
		var names []string
		for _, g := range groups[i:j] {
			name := mdCode(g.ID)
			if n := variantCounts(g); n != "" {
				name += " (" + mdText(n) + ")"
			}
			if st != Passed {
				name += ": " + mdText(shorten(g.Checks[0].Headline(), 120))
			}
			names = append(names, name)
		}
		sep := ", "
		if st != Passed {
			sep = "; "
		}
		fmt.Fprintf(b, "%s **%s (%d):** %s\n\n", mdEmoji(st), groupWord(st), j-i, strings.Join(names, sep))
		i = j
	}
}

// MarkdownLimit is the most a summary may hold: GitHub shows a job's step
// summary up to 1 MiB and drops a larger one whole.
const MarkdownLimit = 1 << 20

// markdownReserve keeps room for the closing line and for other steps'
// summaries in the same job.
const markdownReserve = 64 << 10

// markdownCheckLimit bounds one check's block: a check that failed on
// thousands of operations says how many and shows the first.
const markdownCheckLimit = 32 << 10

// mdSets writes a folded block per check of a section, while the
// summary has room, and returns how many it left out.
func mdSets(b *strings.Builder, sets []checkSet, mark string) (left int) {
	for _, set := range sets {
		var block strings.Builder
		mdSet(&block, set, mark)
		if b.Len()+block.Len() > MarkdownLimit-markdownReserve {
			left++
			continue
		}
		b.WriteString(block.String())
	}
	return left
}

// mdSet is one check: its first violation in the summary line, then,
// folded, the requirement and each distinct violation with its evidence.
func mdSet(b *strings.Builder, set checkSet, mark string) {
	c := set.First()
	fs := set.Findings()
	var facts []string
	if n := set.Note(); n != "" {
		facts = append(facts, n)
	}
	if len(fs) > 1 {
		facts = append(facts, Plural(len(fs), "distinct violation"))
	}
	note := ""
	if len(facts) > 0 {
		note = " (" + strings.Join(facts, ", ") + ")"
	}
	// mdText makes each part one line of HTML-safe text.
	fmt.Fprintf(b, "\n<details>\n<summary>%s <code>%s</code> — %s: <i>%s</i>%s</summary>\n\n",
		mark, mdText(c.ID), mdText(c.Title), mdText(shorten(c.Headline(), 160)), mdText(note))
	source := mdText(c.Source)
	if strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://") {
		source = "[" + source + "](" + source + ")"
	}
	fmt.Fprintf(b, "**%s**: %s (%s)\n\n", c.Level, mdText(c.Sentence), source)
	var lines []string
	for i, f := range fs {
		if i > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, findingText(f, "", false)...)
	}
	msg := strings.Join(lines, "\n")
	if len(msg) > markdownCheckLimit {
		msg = strings.ToValidUTF8(msg[:markdownCheckLimit], "") + fmt.Sprintf("\n… [cut at %d KiB of %d KiB; the JSON and HTML reports hold all of it]", markdownCheckLimit>>10, len(msg)>>10)
	}
	fence := mdFence(msg)
	fmt.Fprintf(b, "%stext\n%s\n%s\n\n</details>\n", fence, strings.TrimRight(msg, "\n"), fence)
}

func mdEmoji(s Status) string {
	switch s {
	case Passed:
		return "✅"
	case Failed:
		return "❌"
	case Warning:
		return "⚠️"
	case Inconclusive:
		return "❔"
	case Error:
		return "🛑"
	default:
		return "⏭️"
	}
}

// mdCell makes s safe inside a table cell: one line, no raw HTML (see
// mdText), pipes escaped.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(s), "|", `\|`)
}

// mdFence is a code fence longer than any run of backticks in s, so a body
// that contains ``` cannot close the block early.
func mdFence(s string) string {
	return strings.Repeat("`", max(3, longestRun(s, '`')+1))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
