package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain é ✓ text\twith a tab\nand a newline", "plain é ✓ text\twith a tab\nand a newline"},
		{"\x1b[2J", `\x1b[2J`},
		{"a\rb\x00c\x07", `a\x0db\x00c\x07`},
		{"\x7f", `\x7f`},
		{"\u0085 and \u009b31m", `\u0085 and \u009b31m`},     // C1 as UTF-8
		{"\x9b31m", `\x9b31m`},                               // C1 as a lone byte: CSI to some terminals
		{"\xff\xfe", `\xff\xfe`},                             // never UTF-8
		{"cut \xe2\x82", `cut \xe2\x82`},                     // a character cut short
		{"\xe2\x82\xac\xe2", `€\xe2`},                        // a valid one, then a cut one
		{"\ufffd is a character", "\ufffd is a character"},   // the replacement character itself is fine
		{"\u00a0 and \u200b pass", "\u00a0 and \u200b pass"}, // past C1: printable or harmless
		{"\xed\xa0\x80 surrogate", `\xed\xa0\x80 surrogate`}, // UTF-16 surrogates are not UTF-8
		{"\xc0\x80 overlong NUL", `\xc0\x80 overlong NUL`},   // nor overlong forms
	}
	for _, tt := range tests {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConsoleEscapesInvalidUTF8AndC1FromTheTarget(t *testing.T) {
	r := sampleResult()
	r.Checks[3].Violations[0].Got += "\x9b2J lone CSI \xc2\x9b2J C1 CSI \xff\n"
	r.Notes = append(r.Notes, "a note with \x9b")
	for _, verbose := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Console(&buf, r, ConsoleOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{"\x9b", "\xff"} {
			if strings.Contains(buf.String(), raw) {
				t.Errorf("Verbose=%v: %q reached the terminal", verbose, raw)
			}
		}
		if !strings.Contains(buf.String(), `\x9b2J lone CSI \u009b2J C1 CSI \xff`) {
			t.Errorf("Verbose=%v: the escaped bytes are not shown:\n%s", verbose, buf.String())
		}
	}
}

func TestTerminalWriterEscapesAStreamLineByLine(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"controls in a line", []string{"a\x1b[2Jb\n"}, `a\x1b[2Jb` + "\n"},
		{"a character split across writes", []string{"caf\xc3", "\xa9\n"}, "café\n"},
		{"a C1 split across writes", []string{"x\xc2", "\x9by\n"}, `x\u009by` + "\n"},
		{"several lines at once", []string{"one\r\ntwo\x07\nthr", "ee\n"}, `one\x0d` + "\n" + `two\x07` + "\nthree\n"},
		{"a partial line waits for Flush", []string{"done\n", "tail \xff"}, "done\n" + `tail \xff`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewTerminalWriter(&out)
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if strings.HasSuffix(tt.name, "Flush") && strings.Contains(out.String(), "tail") {
				t.Errorf("a partial line was written before Flush: %q", out.String())
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET /credits", "`GET /credits`"},
		{"a`b", "``a`b``"},
		{"a``b`c", "```a``b`c```"},
		{"`lead", "`` `lead ``"},
		{"trail`", "`` trail` ``"},
		{" both ", "`  both  `"},
		{"a|b", "`a\\|b`"},
		{"two\nlines", "`two lines`"},
		{"<b>&amp;</b>", "`<b>&amp;</b>`"}, // code spans show entities and tags as text
		{"", ""},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMdCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a | b", `a \| b`},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{"AT&T &amp;", "AT&amp;T &amp;amp;"},
		{"one\r\ntwo\nthree", "one two three"},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMarkdownLetsNoDataOutOfItsPlace puts hostile text in every field the
// Markdown summary shows from a run: none may open a tag or end a code span.
func TestMarkdownLetsNoDataOutOfItsPlace(t *testing.T) {
	const tag = "<img src=x onerror=alert(1)>"
	r := sampleResult()
	r.Target.BaseURL = "http://127.0.0.1:1/api/v1/`" + tag + "`"
	r.Target.Profile = "profile " + tag + ".json"
	r.Notes = append(r.Notes, "public operations not swept: GET /"+tag)
	r.Checks[0].Title = "title " + tag
	r.Checks[0].Operations[0].Path = "/a`b``c/" + tag
	r.Checks[3].Title = "failed title " + tag
	r.Checks[3].Sentence = "sentence " + tag
	for i := range r.Checks {
		if r.Checks[i].Status == Skipped {
			r.Checks[i].Reason = "skipped because " + tag
		}
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	codeSpans := []string{
		"```GET /a`b``c/" + tag + "```", // inside code the tag is text, and no backtick ends it
		"`` http://127.0.0.1:1/api/v1/`" + tag + "` ``",
	}
	text := out
	for _, span := range codeSpans {
		if !strings.Contains(out, span) {
			t.Errorf("the Markdown does not hold the code span %q:\n%s", span, out)
		}
		text = strings.ReplaceAll(text, span, "")
	}
	if i := strings.Index(text, "<img"); i >= 0 {
		t.Errorf("raw HTML from the data reached the Markdown: …%s…", text[max(0, i-80):i+10])
	}
	for _, want := range []string{"title &lt;img", "profile &lt;img", "GET /&lt;img", "sentence &lt;img", "skipped because &lt;img"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown does not hold %q:\n%s", want, out)
		}
	}
}
