package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestNeedlesAreWhatEveryMatchHolds(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`abc`, []string{"abc"}},
		{`(?i)abc`, nil}, // case-folded: Contains would miss "ABC"
		{`a*`, nil},
		{``, nil},
		{`.+`, nil},
		{`x?yz`, []string{"yz"}},
		{`ab|c*`, nil}, // one alternative needs nothing
		{`(?:ab|cd)ef`, []string{"abef", "cdef"}},
		{`\d+ items`, []string{" items"}},
		{`\bpanic\b`, []string{"panic"}},
		{`a{0,3}b`, []string{"b"}},
		{`(?:ab){2,}`, []string{"ab"}},
		{`[a-z][a-z]x`, letters("", "x")}, // 676 pairs are too many: the last class and x
		{`goroutine \d+ \[|panic: `, []string{"goroutine ", "panic: "}},
		{`\bat [\w$.]+\([\w$]+\.java:\d+\)`, []string{".java:"}},
	}
	for _, tt := range tests {
		if got := needles(tt.expr); !slices.Equal(got, tt.want) {
			t.Errorf("needles(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// letters is prefix + c + suffix for every c in a-z.
func letters(prefix, suffix string) []string {
	var out []string
	for c := 'a'; c <= 'z'; c++ {
		out = append(out, prefix+string(c)+suffix)
	}
	return out
}

func TestEveryLeakPatternHasNeedles(t *testing.T) {
	// Without them, each error body is scanned by the regexp engine, byte
	// by byte, five times; a padded body must be ruled out by Contains.
	padded := `{"detail":{"code":"NOT_FOUND","message":"No company with id 42 (see https://cornect.io/docs/api/errors)."}}` + strings.Repeat(" ", 64<<10)
	for _, p := range leakPatterns {
		if p.needles == nil {
			t.Errorf("%s: no needles: every body is scanned by the regexp engine", p.what)
		}
		if p.mayMatch(padded) {
			t.Errorf("%s: a padded error envelope is not ruled out (needles %q)", p.what, p.needles)
		}
	}
}

func TestALeakPatternsNeedlesNeverHideAMatch(t *testing.T) {
	// Texts built from the patterns' own pieces: whenever the regexp
	// matches one, its needles must let it through.
	pieces := []string{
		"Traceback (most recent call last)", "Traceback", "goroutine ", "1", "42", " [", "[", "panic: ", "panic",
		"at ", "at", "com.acme.Api", "(", ")", "Api", ".java:", ".java", "at com.acme.Api(", "Api.java:42)", ".py", ".go", ".rb", ".php", ".cs", ".ts", ".js",
		":", `", line `, "/home/", "/app/", "/srv/", "/usr/src/", "/var/www/", `C:\\`, `Z:\\`, "C:", `\`, "x", " ", "/", ".", "-", "$", "\n", "https://", "é",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	matched := make([]int, len(leakPatterns))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		for i, p := range leakPatterns {
			if !p.re.MatchString(text) {
				continue
			}
			matched[i]++
			if !p.mayMatch(text) {
				t.Fatalf("%s matches %q, which holds none of its needles %q", p.what, text, p.needles)
			}
		}
	}
	for i, p := range leakPatterns {
		if matched[i] < 20 {
			t.Errorf("%s matched %d of the texts: the test proves little for it", p.what, matched[i])
		}
	}
}

func TestNotLeakFindsAWindowsPath(t *testing.T) {
	m := NotLeak()
	if ok, _ := m.Match(exchange(500, "application/json", `{"detail":{"code":"E","message":"cannot open C:\\srv\\capi\\config"}}`)); ok {
		t.Error("a Windows path was not flagged")
	}
}
