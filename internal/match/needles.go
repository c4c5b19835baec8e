package match

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// A leakPattern is a regular expression and the literal strings of which
// every match contains at least one (its needles, worked out from the
// expression itself). A body holding none of them cannot match, and
// strings.Contains rules that out far faster than the regexp engine, which
// steps through every byte: judging a sweep whose every error body is
// 64 KiB of padding spent most of its CPU in the leak patterns.
type leakPattern struct {
	what    string
	re      *regexp.Regexp
	needles []string // nil: none known, every text is scanned
}

func newLeakPattern(what, expr string) leakPattern {
	return leakPattern{what: what, re: regexp.MustCompile(expr), needles: needles(expr)}
}

// mayMatch is false only when the text holds none of the needles, so the
// pattern cannot match it.
func (p leakPattern) mayMatch(text string) bool {
	if p.needles == nil {
		return true
	}
	return slices.ContainsFunc(p.needles, func(n string) bool { return strings.Contains(text, n) })
}

// maxNeedles bounds the strings one set may hold: a larger set of
// alternatives costs more scans than it saves.
const maxNeedles = 64

// needles returns strings of which every match of expr contains one, or
// nil when it knows none (no non-empty literal every match must hold).
func needles(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl) // the flags regexp.Compile parses with
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

// exact returns every string re matches when they are few (at most
// maxNeedles) and known; ok is false otherwise. An empty-width assertion
// matches the empty string.
func exact(re *syntax.Regexp) (set []string, ok bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		// A case-folded literal matches forms Contains would not find;
		// U+FFFD in a pattern matches any invalid byte.
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(set) == maxNeedles || r == utf8.RuneError || r > utf8.MaxRune {
					return nil, false
				}
				set = append(set, string(r))
			}
		}
		return set, len(set) > 0
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpConcat:
		set = []string{""}
		for _, sub := range re.Sub {
			s, ok := exact(sub)
			if !ok {
				return nil, false
			}
			if set = cross(set, s); set == nil {
				return nil, false
			}
		}
		return set, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, ok := exact(sub)
			if !ok || len(set)+len(s) > maxNeedles {
				return nil, false
			}
			set = append(set, s...)
		}
		return set, true
	}
	return nil, false
}

// cross is every string of a followed by one of b, or nil when they are
// more than maxNeedles.
func cross(a, b []string) []string {
	if len(a)*len(b) > maxNeedles {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// required returns non-empty strings of which every match of re contains
// one, or nil when it knows none.
func required(re *syntax.Regexp) []string {
	if set, ok := exact(re); ok {
		if slices.Contains(set, "") {
			return nil
		}
		return set
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpAlternate:
		// A match is one alternative's: it holds one of that one's.
		var set []string
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				return nil
			}
			set = append(set, s...)
		}
		return set
	case syntax.OpConcat:
		// A match holds one string of each part's set; runs of parts
		// whose strings are all known join into longer strings. The best
		// set is the one whose shortest string is longest.
		var best []string
		consider := func(set []string) {
			if set != nil && !slices.Contains(set, "") && (best == nil || shortest(set) > shortest(best)) {
				best = set
			}
		}
		var run []string
		for _, sub := range re.Sub {
			if s, ok := exact(sub); ok {
				if run == nil {
					run = []string{""}
				}
				if joined := cross(run, s); joined != nil {
					run = joined
					continue
				}
				consider(run)
				run = s
				continue
			}
			consider(run)
			run = nil
			consider(required(sub))
		}
		consider(run)
		return best
	}
	return nil
}

func shortest(set []string) int {
	n := len(set[0])
	for _, s := range set[1:] {
		n = min(n, len(s))
	}
	return n
}
