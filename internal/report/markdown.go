package report

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// Markdown writes a GitHub-flavoured summary, for $GITHUB_STEP_SUMMARY: the
// verdict, one table row per documented failure, then each failed check (and
// each warning) folded in a <details> with its message.
func Markdown(w io.Writer, r Result) error {
	var b strings.Builder
	c := r.Count()

	v := r.verdict()
	mark := "✅"
	if !v.Passes() {
		mark = "❌"
	}
	fmt.Fprintf(&b, "## %s %s\n\n", mark, mdText(v.Headline))
	target := mdCode(r.Target.BaseURL)
	if r.Target.Reference {
		target += " (embedded reference server)"
	}
	fmt.Fprintf(&b, "Target %s · profile %s · conform %s · contract %s · strict: %s\n\n",
		target, mdCell(r.Target.Profile), mdCell(r.Version), mdCell(r.ContractVersion), yesNo(r.Strict))
	mdBaseline(&b, r)

	b.WriteString("| Status | ID | Documented failure | Level |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, g := range r.Groups() {
		title := mdCell(g.Title)
		if n := variantsNote(g); n != "" {
			title += " (" + mdCell(n) + ")"
		}
		if g.Status == Skipped {
			title += "<br>_skipped: " + mdCell(shorten(g.Checks[0].Headline(), 120)) + "_"
		}
		fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", mdEmoji(g.Status), groupWord(g.Status), mdCode(g.ID), title, g.Level)
	}

	fmt.Fprintf(&b, "\n**%s** · %d requests · %s\n", countsLine(c), r.Stats.Requests, roughly(r.Duration))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n> %s\n", mdText(n))
	}

	// What comes next is cut to keep the summary within what GitHub shows:
	// the failures first, then the warnings, then the coverage table.
	left := 0
	if c.Failed > 0 {
		b.WriteString("\n### Failures\n")
		left += mdDetails(&b, r.Checks, Failed)
	}
	if c.Warnings > 0 {
		b.WriteString("\n### Warnings\n")
		left += mdDetails(&b, r.Checks, Warning)
	}
	if lines := coverageLines(r); len(lines) > 0 {
		b.WriteString("\n| Operation | Coverage |\n|---|---|\n")
		for _, l := range lines {
			row := fmt.Sprintf("| %s | %s |\n", mdCode(l.Operation), mdCell(l.Summary()))
			if b.Len()+len(row) > MarkdownLimit-markdownReserve {
				left++
				continue
			}
			b.WriteString(row)
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n> %d more entries (failures, warnings or coverage rows) are left out to keep this summary under %d KiB, the most GitHub shows; the JSON and HTML reports hold everything.\n", left, MarkdownLimit>>10)
	}
	_, err := io.WriteString(w, b.String())
	return err
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

// mdDetails writes a folded block per check with status s, while the
// summary has room, and returns how many it left out.
func mdDetails(b *strings.Builder, cs []Check, s Status) (left int) {
	for _, c := range cs {
		if c.Status != s {
			continue
		}
		var block strings.Builder
		mdCheck(&block, c, s)
		if b.Len()+block.Len() > MarkdownLimit-markdownReserve {
			left++
			continue
		}
		b.WriteString(block.String())
	}
	return left
}

func mdCheck(b *strings.Builder, c Check, s Status) {
	fmt.Fprintf(b, "\n<details>\n<summary>%s <code>%s</code> — %s</summary>\n\n",
		mdEmoji(s), html.EscapeString(c.Name()), html.EscapeString(c.Title))
	source := mdText(c.Source)
	if strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://") {
		source = "[" + source + "](" + source + ")"
	}
	fmt.Fprintf(b, "**%s**: %s (%s)\n\n", c.Level, mdText(c.Sentence), source)
	msg := c.Explanation()
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
