package report

import "strings"

// Text from the target (paths from an OpenAPI document, messages quoting a
// response) reaches the Markdown summary, which GitHub renders as HTML.
// These helpers keep such text in its place: no raw HTML, and no backtick
// that closes a code span early.

// mdText makes s plain Markdown inline text on one line, with <, > and &
// as entities, so data cannot open a tag or spell an entity.
func mdText(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdCode makes s an inline code span for a table cell. Its delimiter is a
// backtick run longer than any in s, so none inside closes it; a space pads
// s where a backtick would touch the delimiter or CommonMark would strip
// one of s's own spaces. Code spans show entities and tags as text, so
// only the pipe (the cell's end) and line breaks are replaced.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	delim := strings.Repeat("`", longestRun(s, '`')+1)
	return delim + s + delim
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
