package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The HTML report is written by plain code, not html/template: executing
// any text/template reaches reflect.Value.MethodByName, and then the
// linker keeps every exported method of every type the binary holds,
// 3.4 MB of the release binary (docs/releasing.md). The report only puts
// values in three places, and escapes them as html/template does there,
// byte for byte (TestHTMLEscapingIsHTMLTemplates holds them to it):
// element text (and <title>), a quoted attribute value, and a quoted
// href.

// htmlReplacement is html/template's replacement table for text and
// quoted attribute values: NUL, the quotes, &, <, > and + (which some
// old browsers read as the start of a UTF-7 sequence).
var htmlReplacement = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// escapeHTML escapes s for element text or a quoted attribute value, as
// html/template does a plain string there. Bytes that are not UTF-8 pass
// through, as they do in html/template.
func escapeHTML(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if int(r) < len(htmlReplacement) {
			if repl := htmlReplacement[r]; repl != "" {
				if written == 0 {
					b.Grow(len(s) + 16)
				}
				b.WriteString(s[written:i])
				b.WriteString(repl)
				written = i + w
			}
		}
		i += w
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// escapeHref escapes s for a quoted href that it makes all of, as
// html/template does: a scheme other than http, https and mailto is
// replaced by "#ZgotmplZ"; every byte but the letters, the digits, the
// RFC 3986 unreserved and reserved characters and a valid %XX escape is
// percent-encoded; then the result is escaped as an attribute value.
func escapeHref(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		fmt.Fprintf(&b, "%%%02x", c)
		written = i + 1
	}
	if written > 0 {
		b.WriteString(s[written:])
		s = b.String()
	}
	return escapeHTML(s)
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
