package match

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/probe"
)

// HaveStatus succeeds when every exchange has one of the statuses.
func HaveStatus(statuses ...int) types.GomegaMatcher {
	var names []string
	for _, s := range statuses {
		names = append(names, statusText(s))
	}
	want := strings.Join(names, " or ")
	return &exchangeMatcher{
		describe: "status " + want,
		violations: func(ex probe.Exchange) []Violation {
			if ex.Status == 0 {
				return []Violation{{Where: "response", Rule: "transport", Message: "no response: " + ex.Err}}
			}
			for _, s := range statuses {
				if ex.Status == s {
					return nil
				}
			}
			got := statusText(ex.Status)
			if code, ok := bodyCode(ex.Body); ok {
				got += " with code " + code
			}
			return []Violation{{Where: "status", Rule: "status", Expected: want, Got: got}}
		},
	}
}

// authParam is the start of an auth-param (name=value) inside a challenge.
var authParam = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+\s*=`)

// challenges splits WWW-Authenticate values into challenges: RFC 9110
// §11.6.1 lets several follow each other, separated by commas, as do their
// parameters; a part that is not name=value starts the next challenge.
func challenges(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range splitOutsideQuotes(v, ',') {
			part = strings.TrimSpace(part)
			switch {
			case part == "":
			case authParam.MatchString(part) && len(out) > 0:
				out[len(out)-1] += ", " + part
			default:
				out = append(out, part)
			}
		}
	}
	return out
}

// splitOutsideQuotes splits s at sep, except inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case c == '\\' && quoted:
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// bearerChallenge returns the Bearer challenge with its parameters, or "".
func bearerChallenge(vals []string) string {
	for _, c := range challenges(vals) {
		scheme, _, _ := strings.Cut(c, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return c
		}
	}
	return ""
}

var challengeError = regexp.MustCompile(`(?i)(?:^|[\s,])error\s*=\s*"?([A-Za-z_]+)"?`)

// HaveBearerChallenge succeeds when every 401 carries a WWW-Authenticate
// challenge with the Bearer scheme (RFC 9110 §11.6.1, RFC 6750 §3) whose
// error parameter is what RFC 6750 §3.1 gives for the credentials sent:
// error="invalid_token" for a Bearer token presented and refused;
// invalid_token, invalid_request or none for "Bearer" with no credentials,
// a case §3.1 does not decide (invalid_request is "a malformed request",
// invalid_token a token "malformed" among others), so none is refused;
// none at all when no Bearer credentials were sent (no header, an empty
// one, another scheme). Exchanges that are not 401s are not judged.
func HaveBearerChallenge() types.GomegaMatcher {
	return &exchangeMatcher{
		describe: "a Bearer challenge in WWW-Authenticate",
		violations: func(ex probe.Exchange) []Violation {
			return challengeViolations(ex, bearerCredentials(ex.ReqHeader.Get("Authorization")))
		},
	}
}

// credentials is what a request presented, as RFC 6750 §3.1 tells them apart.
type credentials int

const (
	noBearerCredentials credentials = iota // no header, an empty one, another scheme
	malformedBearer                        // "Bearer" without a token
	bearerToken                            // "Bearer <token>"
)

// bearerCredentials classifies an Authorization header value.
func bearerCredentials(authorization string) credentials {
	scheme, token, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return noBearerCredentials
	case strings.TrimSpace(token) == "":
		return malformedBearer
	}
	return bearerToken
}

func challengeViolations(ex probe.Exchange, sent credentials) []Violation {
	if ex.Status != 401 {
		return nil // only a 401 owes a challenge; its status is a MUST check's business
	}
	vals := ex.Header.Values("WWW-Authenticate")
	if len(vals) == 0 {
		return []Violation{{Where: "header WWW-Authenticate", Rule: "challenge", Expected: `a Bearer challenge (e.g. Bearer realm="…")`, Got: "no WWW-Authenticate header on a 401"}}
	}
	bearer := bearerChallenge(vals)
	if bearer == "" {
		return []Violation{{Where: "header WWW-Authenticate", Rule: "challenge", Expected: "the Bearer scheme", Got: fmt.Sprintf("%q", strings.Join(vals, ", "))}}
	}
	m := challengeError.FindStringSubmatch(bearer)
	got := "no error parameter"
	if m != nil {
		got = fmt.Sprintf("error=%q", m[1])
	}
	switch {
	case sent == bearerToken && (m == nil || m[1] != "invalid_token"):
		return []Violation{{Where: "header WWW-Authenticate", Rule: "challenge-error", Expected: `error="invalid_token" for a Bearer token that was presented and refused (RFC 6750 §3.1)`, Got: got}}
	case sent == malformedBearer && m != nil && m[1] != "invalid_request" && m[1] != "invalid_token":
		return []Violation{{Where: "header WWW-Authenticate", Rule: "challenge-error", Expected: `error="invalid_token", error="invalid_request" or no error for "Bearer" with no credentials (RFC 6750 §3.1 does not decide between them)`, Got: got}}
	case sent == noBearerCredentials && m != nil:
		return []Violation{{Where: "header WWW-Authenticate", Rule: "challenge-error", Expected: "no error parameter when no Bearer credentials were sent (RFC 6750 §3.1)", Got: got}}
	}
	return nil
}

// HaveAllowedMethods succeeds when every exchange is a 405 error envelope
// whose Allow header lists every method the path is documented with
// (RFC 9110 §15.5.6: "a list of the target resource's currently supported
// methods"); allowed maps a path template to those methods. Values may be
// spread over several Allow fields (RFC 9110 §5.3).
func HaveAllowedMethods(allowed map[string][]string) types.GomegaMatcher {
	return &exchangeMatcher{
		describe: "405 with Allow and the error envelope",
		violations: func(ex probe.Exchange) []Violation {
			vs := ErrorViolations(ex, ErrorExpectation{Status: 405})
			if ex.Status != 405 {
				return vs
			}
			want := allowed[ex.Path]
			fields := ex.Header.Values("Allow")
			if len(fields) == 0 {
				return append(vs, Violation{Where: "header Allow", Rule: "allow", Expected: "the allowed methods, " + strings.Join(want, ", "), Got: "no Allow header"})
			}
			listed := map[string]bool{}
			for _, f := range fields {
				for _, m := range strings.Split(f, ",") {
					listed[strings.ToUpper(strings.TrimSpace(m))] = true
				}
			}
			var absent []string
			for _, m := range want {
				if !listed[strings.ToUpper(m)] {
					absent = append(absent, m)
				}
			}
			if len(absent) > 0 {
				vs = append(vs, Violation{Where: "header Allow", Rule: "allow", Expected: "a list containing " + strings.Join(want, ", "),
					Got: fmt.Sprintf("%q, without %s", strings.Join(fields, ", "), strings.Join(absent, ", "))})
			}
			return vs
		},
	}
}

// leakPatterns are signs of an internal error leaking to the client.
var leakPatterns = []leakPattern{
	newLeakPattern("a Python traceback", `Traceback \(most recent call last\)`),
	newLeakPattern("a Go panic or goroutine dump", `goroutine \d+ \[|panic: `),
	newLeakPattern("a Java stack frame", `\bat [\w$.]+\([\w$]+\.java:\d+\)`),
	newLeakPattern("a source file and line", `[\w/\\-]+\.(?:py|go|js|ts|rb|php|java|cs)(?::\d+|", line \d+)`),
	newLeakPattern("an internal file path", `(?:/home/|/usr/src/|/var/www/|/app/|/srv/|[A-Z]:\\\\)[\w./\\-]+`),
}

// NotLeak succeeds when no error response echoes a presented token (the
// probe has replaced known tokens by $CONFORM_TOKEN_…; others are passed in)
// nor carries a stack trace or an internal file path.
func NotLeak(otherSecrets ...string) types.GomegaMatcher { return NotLeaking(otherSecrets...)() }

// NotLeaking makes NotLeak matchers for the same secrets, their forms
// worked out once: a matcher keeps its findings, so a run judging every
// exchange on arrival wants one per exchange.
func NotLeaking(otherSecrets ...string) func() types.GomegaMatcher {
	// An unknown token echoed encoded or escaped leaks as surely as one
	// echoed as sent: look for every form the redactor would replace.
	var forms [][]string
	for _, s := range otherSecrets {
		if f := probe.SecretForms(s); len(f) > 0 {
			forms = append(forms, f)
		}
	}
	return func() types.GomegaMatcher { return notLeak(forms) }
}

func notLeak(forms [][]string) types.GomegaMatcher {
	return &exchangeMatcher{
		describe: "error responses that leak neither tokens nor internals",
		violations: func(ex probe.Exchange) []Violation {
			if ex.Status < 400 {
				return nil
			}
			var vs []Violation
			texts := map[string]string{"body": ex.BodyText}
			for k, v := range ex.Header {
				texts["header "+k] = strings.Join(v, ", ")
			}
			for where, text := range texts {
				if i := strings.Index(text, "$CONFORM_TOKEN_"); i >= 0 {
					vs = append(vs, Violation{Where: where, Rule: "token-echo", Message: "echoes the presented token (shown here as " + tokenVarAt(text, i) + ")"})
				}
				for _, sf := range forms {
					if slices.ContainsFunc(sf, func(f string) bool { return strings.Contains(text, f) }) {
						vs = append(vs, Violation{Where: where, Rule: "token-echo", Message: "echoes the presented token"})
					}
				}
			}
			for _, p := range leakPatterns {
				if !p.mayMatch(ex.BodyText) {
					continue
				}
				if loc := findOutsideURLs(p.re, ex.BodyText); loc != "" {
					vs = append(vs, Violation{Where: "body", Rule: "internal-leak", Message: fmt.Sprintf("carries %s: %q", p.what, clip(loc, 80))})
				}
			}
			sortViolations(vs)
			return vs
		},
	}
}

// urlDelimiters end the word a URL is part of.
const urlDelimiters = " \t\n\"'(<>="

// findOutsideURLs returns the first match of re that is not part of a URL:
// "/app/settings" in https://cornect.io/app/settings is a link, not a leak.
// A match is part of a URL when a "://" lies between the start of its word
// (just after the last delimiter before it) and its end. Matches come in
// order, so one forward pass keeps both positions: looking back from each
// match instead took minutes on a body of one long URL-like word.
func findOutsideURLs(re *regexp.Regexp, text string) string {
	wordStart, lastScheme := 0, -1 // lastScheme: the last "://" ending by the current match's end
	delimScan, schemeScan := 0, 0  // how far each has looked
	for _, m := range re.FindAllStringIndex(text, -1) {
		for ; delimScan < m[0]; delimScan++ {
			if strings.IndexByte(urlDelimiters, text[delimScan]) >= 0 {
				wordStart = delimScan + 1
			}
		}
		for ; schemeScan+len("://") <= m[1]; schemeScan++ {
			if strings.HasPrefix(text[schemeScan:], "://") {
				lastScheme = schemeScan
			}
		}
		if lastScheme < wordStart {
			return text[m[0]:m[1]]
		}
	}
	return ""
}

func tokenVarAt(text string, i int) string {
	end := i + 1
	for end < len(text) && (text[end] == '_' || text[end] >= 'A' && text[end] <= 'Z') {
		end++
	}
	return text[i:end]
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sortViolations(vs []Violation) {
	slices.SortFunc(vs, func(a, b Violation) int { return strings.Compare(a.String(), b.String()) })
}

// HaveValidRetryAfter succeeds when every Retry-After present parses as
// delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
func HaveValidRetryAfter() types.GomegaMatcher {
	return &exchangeMatcher{
		describe: "Retry-After values that parse per RFC 9110 §10.2.3",
		violations: func(ex probe.Exchange) []Violation {
			var vs []Violation
			for _, v := range ex.Header.Values("Retry-After") {
				if _, ok := probe.ParseRetryAfter(v, time.Now()); !ok {
					vs = append(vs, Violation{Where: "header Retry-After", Rule: "retry-after", Expected: "delay-seconds or an HTTP-date", Got: fmt.Sprintf("%q", v)})
				}
			}
			return vs
		},
	}
}

// SameCodes succeeds when each pair of exchanges (the same failure provoked
// twice) carries the same detail.code. The actual value is a [][2]probe.Exchange.
func SameCodes() types.GomegaMatcher {
	return &pairMatcher{first: "the first time", second: "the second", expect: "the same failure to get the same code each time"}
}

// Indistinguishable succeeds when each pair (another workspace's resource,
// a missing one) got the same status and code, so a caller cannot tell
// that the first exists. The actual value is a [][2]probe.Exchange.
func Indistinguishable() types.GomegaMatcher {
	return &pairMatcher{first: "for another workspace's resource", second: "for a missing one", expect: "another workspace's resource to be answered exactly like a missing one", refusals: true}
}

type pairMatcher struct {
	first, second, expect string
	// refusals: each answer must be a 4xx refusal. Indistinguishable
	// needs it (another workspace's resource served is the leak, even
	// twice alike); SameCodes does not: a request served twice was not
	// the failure it compares, which its check leaves out unjudged, and
	// served once and refused once is a status that changed.
	refusals bool
	findings []Finding
}

func (m *pairMatcher) found() []Finding { return m.findings }

func (m *pairMatcher) Match(actual any) (bool, error) {
	m.findings = nil // a Match that cannot judge finds nothing
	pairs, ok := actual.([][2]probe.Exchange)
	if !ok {
		return false, fmt.Errorf("match: SameCodes expects [][2]probe.Exchange, got %T", actual)
	}
	for _, p := range pairs {
		a, _ := bodyCode(p[0].Body)
		b, _ := bodyCode(p[1].Body)
		var vs []Violation
		// Each answer must be the refusal the request provokes: two 200s
		// (a cache serving a stored answer to anyone) are not alike.
		for i, ex := range p {
			if m.refusals && !isRefusal(ex.Status) {
				when := m.first
				if i == 1 {
					when = m.second
				}
				vs = append(vs, Violation{Rule: "provoked-refusal", Where: "status",
					Message: fmt.Sprintf("got %s %s, to a request that must be refused with a 4xx and an error code: there is no code to compare", statusText(ex.Status), when)})
			}
		}
		if len(vs) > 0 {
			m.findings = append(m.findings, Finding{Exchange: p[1], Violations: vs})
			continue
		}
		if p[0].Status != p[1].Status {
			vs = append(vs, Violation{Rule: "same-status", Where: "status",
				Message: fmt.Sprintf("got %s %s and %s %s", statusText(p[0].Status), m.first, statusText(p[1].Status), m.second)})
		}
		// A code is compared only between two refusals: a served answer
		// has none, and its status already differs.
		if a != b && isRefusal(p[0].Status) && isRefusal(p[1].Status) {
			vs = append(vs, Violation{Rule: "same-code", Where: "body", Pointer: "/detail/code",
				Message: fmt.Sprintf("got %q %s and %q %s", a, m.first, b, m.second)})
		}
		if len(vs) > 0 {
			m.findings = append(m.findings, Finding{Exchange: p[1], Violations: vs})
		}
	}
	return len(m.findings) == 0, nil
}

func (m *pairMatcher) FailureMessage(actual any) string {
	pairs, _ := actual.([][2]probe.Exchange)
	return summary(m.expect, m.findings, len(pairs))
}

func (m *pairMatcher) NegatedFailureMessage(any) string {
	return "expected the codes to differ"
}

// isRefusal says whether a status is a 4xx, the refusals that carry a code.
func isRefusal(status int) bool { return status >= 400 && status <= 499 }
