package report

import (
	"html/template"
	"strings"
	"testing"
)

// htmlTemplateEscapes is what html/template writes for s in each place the
// HTML report puts a value: element text, <title>, a quoted attribute
// value, a quoted href that s makes all of.
func htmlTemplateEscapes(t testing.TB, s string) (text, title, attr, href string) {
	t.Helper()
	in := func(prefix, suffix string) string {
		tm := template.Must(template.New("").Parse(prefix + "{{.}}" + suffix))
		var b strings.Builder
		if err := tm.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(strings.TrimPrefix(b.String(), prefix), suffix)
	}
	return in("<p>", "</p>"), in("<title>", "</title>"), in(`<td class="x `, `">`), in(`<a href="`, `">`)
}

var htmlEscapingCases = []string{
	"", "plain words", "GET /companies/{id} · sent with $CONFORM_TOKEN_READ",
	`<script>alert("x")</script>`, `it's "quoted" & <b>bold</b>`, "a+b", "nul\x00byte",
	"not utf-8: \xff\xfe\xc3", "é ü 漢字 \u2028 \ufdd0 \uffff", "tab\tnew\nline\r",
	"#check-auth-expired", "https://cornect.io/docs/api/errors#tokens", "https://x.test/a b?q=1&r=<2>",
	"javascript:alert(1)", "JavaScript:x", "data:text/html,x", "mailto:a@b.test", "HTTP://X",
	"/path:with/colon", "rel/a:b", "%41%zz%4", "%4z", "%z4", "%", "100%", "a%2Fb%2f", "{}|\\^`'()!*$,;=?@[]~",
}

// TestHTMLEscapingIsHTMLTemplates holds the report's escaping to
// html/template's, byte for byte, for every place the report puts a value.
func TestHTMLEscapingIsHTMLTemplates(t *testing.T) {
	for _, s := range htmlEscapingCases {
		checkHTMLEscaping(t, s)
	}
}

func FuzzHTMLEscaping(f *testing.F) {
	for _, s := range htmlEscapingCases {
		f.Add(s)
	}
	f.Fuzz(checkHTMLEscaping)
}

func checkHTMLEscaping(t *testing.T, s string) {
	text, title, attr, href := htmlTemplateEscapes(t, s)
	for _, c := range []struct{ where, got, want string }{
		{"text", escapeHTML(s), text},
		{"title", escapeHTML(s), title},
		{"attribute", escapeHTML(s), attr},
		{"href", escapeHref(s), href},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q escaped as %q, html/template writes %q", c.where, s, c.got, c.want)
		}
	}
}

// TestHTMLStylesheetGoesWithoutItsComments: the page carries the
// stylesheet as html/template wrote it, each comment one space.
func TestHTMLStylesheetGoesWithoutItsComments(t *testing.T) {
	for in, want := range map[string]string{
		"a { }\n/* one\n two */\nb { }": "a { }\n \nb { }",
		"/**/x/* y */z":                 " x z",
		"a /* never closed":             "a  ",
		"no comment":                    "no comment",
	} {
		if got := withoutCSSComments(in); got != want {
			t.Errorf("withoutCSSComments(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(htmlCSS, "/*") || !strings.Contains(htmlStylesheet, "/*") {
		t.Error("the stylesheet's comments are not left out of the page, or it has none to leave out")
	}
}
