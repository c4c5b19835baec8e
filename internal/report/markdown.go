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

	mark := "✅"
	if !r.Conformant() {
		mark = "❌"
	}
	fmt.Fprintf(&b, "## %s %s\n\n", mark, verdict(r))
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

	if lines := coverageLines(r); len(lines) > 0 {
		b.WriteString("\n| Operation | Coverage |\n|---|---|\n")
		for _, l := range lines {
			fmt.Fprintf(&b, "| %s | %s |\n", mdCode(l.Operation), mdCell(l.Summary()))
		}
	}

	fmt.Fprintf(&b, "\n**%s** · %d requests · %s\n", countsLine(c), r.Stats.Requests, roughly(r.Duration))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n> %s\n", mdText(n))
	}

	if c.Failed > 0 {
		b.WriteString("\n### Failures\n")
		mdDetails(&b, r.Checks, Failed)
	}
	if c.Warnings > 0 {
		b.WriteString("\n### Warnings\n")
		mdDetails(&b, r.Checks, Warning)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdDetails(b *strings.Builder, cs []Check, s Status) {
	for _, c := range cs {
		if c.Status != s {
			continue
		}
		fmt.Fprintf(b, "\n<details>\n<summary>%s <code>%s</code> — %s</summary>\n\n",
			mdEmoji(s), html.EscapeString(c.Name()), html.EscapeString(c.Title))
		source := mdText(c.Source)
		if strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://") {
			source = "[" + source + "](" + source + ")"
		}
		fmt.Fprintf(b, "**%s**: %s (%s)\n\n", c.Level, mdText(c.Sentence), source)
		msg := c.Explanation()
		fence := mdFence(msg)
		fmt.Fprintf(b, "%stext\n%s\n%s\n\n</details>\n", fence, strings.TrimRight(msg, "\n"), fence)
	}
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
