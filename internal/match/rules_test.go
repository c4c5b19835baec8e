package match

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/probe"
)

var update = flag.Bool("update", false, "rewrite testdata/rules.golden")

// A rule row breaks exactly one rule of one matcher: the matcher must
// find that rule and no other, and its violation is pinned, word for word,
// in testdata/rules.golden. A rule no row breaks would not be noticed
// gone; TestEveryRuleHasARow lists the rules.
type ruleRow struct {
	name    string
	matcher func() types.GomegaMatcher
	actual  any
	// rule is the rule it breaks; "" for a conforming row (no violation at
	// all). "a+b" where the response cannot break a alone: exactly those.
	rule string
}

const (
	envelope401 = `{"detail":{"code":"TOKEN_EXPIRED","message":"Token expired."}}`
	envelope404 = `{"detail":{"code":"NOT_FOUND","message":"No such export."}}`
	envelope429 = `{"detail":{"code":"RATE_LIMITED","message":"Slow down."}}`
	envelope405 = `{"detail":{"code":"METHOD_NOT_ALLOWED","message":"Use GET."}}`
)

func with(ex probe.Exchange, f func(*probe.Exchange)) probe.Exchange {
	f(&ex)
	return ex
}

func credits(balance int, txs string) probe.Exchange {
	return exchange(200, "application/json", fmt.Sprintf(`{"workspace_id":"ws_1","balance":%d,"recent_transactions":[%s]}`, balance, txs))
}

func ruleRows() []ruleRow {
	expired := func() types.GomegaMatcher { return BeError(ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"}) }
	notFound := func() types.GomegaMatcher { return BeError(ErrorExpectation{Status: 404}) }
	limited := func() types.GomegaMatcher { return BeError(ErrorExpectation{Status: 429, RetryAfter: true}) }
	scope := func() types.GomegaMatcher {
		return BeError(ErrorExpectation{Status: 403, Code: "INSUFFICIENT_SCOPE", Details: map[string]string{"token_scope": "read", "required": "read_write"}})
	}
	allow := func() types.GomegaMatcher {
		return HaveAllowedMethods(map[string][]string{"/credits": {"GET", "POST"}})
	}
	leak := func() types.GomegaMatcher { return NotLeak("cornect_madeupsecret0123") }
	sent := func(authorization string) func(probe.Exchange) probe.Exchange {
		return func(ex probe.Exchange) probe.Exchange {
			return with(ex, func(e *probe.Exchange) { e.ReqHeader = http.Header{"Authorization": {authorization}} })
		}
	}
	presented := sent("Bearer $CONFORM_TOKEN_EXPIRED")
	absent := func(ex probe.Exchange) probe.Exchange { return ex }
	malformed := sent("Bearer")
	basic := sent("Basic Y29uZm9ybTpjb25mb3Jt")
	tx := `{"id":"t1","amount":-3,"reason":"export_charge"}`
	tx2 := `{"id":"t2","amount":-1,"reason":"export_charge"}`
	refused := exchange(402, "application/json", `{"detail":{"code":"insufficient_balance","message":"x"}}`)
	return []ruleRow{
		// BeError: the error envelope.
		{"BeError: the documented response", expired, exchange(401, "application/json", envelope401), ""},
		{"BeError: no response at all", expired, probe.Exchange{Method: "GET", Path: "/credits", Err: "connection reset by peer"}, "transport"},
		{"BeError: a documented code with another status", notFound, exchange(404, "application/json", envelope401), "code-status"},
		{"BeError: the status alone is wrong", notFound, exchange(410, "application/json", envelope404), "status"},
		{"BeError: not JSON's media type", expired, exchange(401, "text/plain", envelope401), "content-type"},
		{"BeError: a body cut off mid-way", expired, with(exchange(401, "application/json", envelope401), func(e *probe.Exchange) { e.Err = "reading the body: unexpected EOF" }), "incomplete-body"},
		{"BeError: a body past the read limit", expired, with(exchange(401, "application/json", envelope401), func(e *probe.Exchange) { e.Truncated = true }), "size"},
		{"BeError: the envelope lacks its message", notFound, exchange(404, "application/json", `{"detail":{"code":"NOT_FOUND"}}`), "schema"},
		{"BeError: another code than the one documented", expired, exchange(401, "application/json", `{"detail":{"code":"INVALID_TOKEN","message":"x"}}`), "schema"},
		{"BeError: a documented code in another case", notFound, exchange(404, "application/json", `{"detail":{"code":"Insufficient_Balance","message":"x"}}`), "case"},
		{"BeError: details that say the wrong scope", scope, exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x","details":{"token_scope":"read_write","required":"read_write"}}}`), "details"},
		{"BeError: details without a member", scope, exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x","details":{"token_scope":"read"}}}`), "schema+details"},
		{"BeError: no details at all is fine", scope, exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x"}}`), ""},
		{"BeError: Retry-After in seconds", limited, exchange(429, "application/json", envelope429, "Retry-After", "2"), ""},
		{"BeError: no Retry-After", limited, exchange(429, "application/json", envelope429), "retry-after"},
		{"BeError: two Retry-After values", limited, exchange(429, "application/json", envelope429, "Retry-After", "2", "Retry-After", "3"), "retry-after"},
		{"BeError: Retry-After as a date", limited, exchange(429, "application/json", envelope429, "Retry-After", "Wed, 25 Nov 2026 14:00:00 GMT"), "retry-after"},
		{"BeError: Retry-After zero", limited, exchange(429, "application/json", envelope429, "Retry-After", "0"), "retry-after"},

		// BeAccepted and HaveStatus.
		{"BeAccepted: a 404 is past authentication", BeAccepted, exchange(404, "application/json", envelope404), ""},
		{"BeAccepted: refused with 403", BeAccepted, exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x"}}`), "accepted"},
		{"BeAccepted: no response", BeAccepted, probe.Exchange{Method: "GET", Path: "/credits", Err: "timeout"}, "transport"},
		{"HaveStatus: another status", func() types.GomegaMatcher { return HaveStatus(401) }, exchange(422, "application/json", envelope404), "status"},
		{"HaveStatus: no response", func() types.GomegaMatcher { return HaveStatus(401) }, probe.Exchange{Method: "GET", Path: "/credits", Err: "timeout"}, "transport"},

		// HaveBearerChallenge (RFC 6750 §3, §3.1).
		{"challenge: presented and refused, invalid_token", HaveBearerChallenge, presented(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_token"`)), ""},
		{"challenge: none on a 401", HaveBearerChallenge, absent(exchange(401, "application/json", envelope401)), "challenge"},
		{"challenge: another scheme only", HaveBearerChallenge, absent(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Basic realm="cornect"`)), "challenge"},
		{"challenge: a presented token without invalid_token", HaveBearerChallenge, presented(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect"`)), "challenge-error"},
		{"challenge: an error without credentials", HaveBearerChallenge, absent(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_token"`)), "challenge-error"},
		{"challenge: another scheme, no error", HaveBearerChallenge, basic(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect"`)), ""},
		{"challenge: an error for another scheme", HaveBearerChallenge, basic(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_token"`)), "challenge-error"},
		{"challenge: a malformed Bearer header, invalid_request", HaveBearerChallenge, malformed(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_request"`)), ""},
		{"challenge: a malformed Bearer header, invalid_token (RFC 6750 §3.1 does not decide)", HaveBearerChallenge, malformed(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_token"`)), ""},
		{"challenge: a malformed Bearer header, no error", HaveBearerChallenge, malformed(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect"`)), ""},
		{"challenge: a malformed Bearer header, insufficient_scope", HaveBearerChallenge, malformed(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="insufficient_scope"`)), "challenge-error"},
		{"challenge: an empty header, invalid_token", HaveBearerChallenge, sent("")(exchange(401, "application/json", envelope401, "WWW-Authenticate", `Bearer realm="cornect", error="invalid_token"`)), "challenge-error"},

		// HaveAllowedMethods (RFC 9110 §15.5.6).
		{"405: Allow names every method", allow, exchange(405, "application/json", envelope405, "Allow", "GET, HEAD, POST"), ""},
		{"405: Allow over two fields", allow, exchange(405, "application/json", envelope405, "Allow", "GET", "Allow", "post"), ""},
		{"405: Allow naming only the first route's methods", allow, exchange(405, "application/json", envelope405, "Allow", "GET, HEAD"), "allow"},
		{"405: another status", allow, exchange(404, "application/json", envelope404), "status"},
		{"405: no Allow", allow, exchange(405, "application/json", envelope405), "allow"},
		{"405: Allow without the method", allow, exchange(405, "application/json", envelope405, "Allow", "POST"), "allow"},

		// NotLeak.
		{"leak: a help link is no path", leak, exchange(401, "application/json", `{"detail":{"code":"TOKEN_EXPIRED","message":"See https://cornect.io/app/settings/api-tokens"}}`), ""},
		{"leak: a success is not judged", leak, exchange(200, "application/json", `{"path":"/app/data.py:12"}`), ""},
		{"leak: a known token echoed", leak, exchange(401, "application/json", `{"detail":{"code":"TOKEN_EXPIRED","message":"token $CONFORM_TOKEN_EXPIRED expired"}}`), "token-echo"},
		{"leak: the made-up token echoed", leak, exchange(401, "application/json", `{"detail":{"code":"INVALID_TOKEN","message":"no token cornect_madeupsecret0123"}}`), "token-echo"},
		{"leak: a Python traceback", leak, exchange(500, "application/json", `{"detail":{"code":"E","message":"Traceback (most recent call last): boom"}}`), "internal-leak"},
		{"leak: a Go panic", leak, exchange(500, "application/json", `{"detail":{"code":"E","message":"panic: runtime error"}}`), "internal-leak"},
		{"leak: a Java frame", leak, exchange(500, "application/json", `{"detail":{"code":"E","message":"at com.acme.Api(Api.java:42)"}}`), "internal-leak+internal-leak"},
		{"leak: a source file and line", leak, exchange(500, "application/json", `{"detail":{"code":"E","message":"handlers.rb:88 failed"}}`), "internal-leak"},
		{"leak: an internal path", leak, exchange(500, "application/json", `{"detail":{"code":"E","message":"cannot open /srv/capi/config"}}`), "internal-leak"},

		// HaveValidRetryAfter (RFC 9110 §10.2.3).
		{"Retry-After: an HTTP-date is valid", HaveValidRetryAfter, exchange(503, "application/json", envelope404, "Retry-After", "Wed, 25 Nov 2026 14:00:00 GMT"), ""},
		{"Retry-After: garbage", HaveValidRetryAfter, exchange(429, "application/json", envelope429, "Retry-After", "soon"), "retry-after"},

		// Pairs: the same failure twice, another workspace's export and a missing one.
		{"SameCodes: the same answer twice", SameCodes, [][2]probe.Exchange{{exchange(404, "application/json", envelope404), exchange(404, "application/json", envelope404)}}, ""},
		{"SameCodes: another status the second time", SameCodes, [][2]probe.Exchange{{exchange(404, "application/json", envelope404), exchange(410, "application/json", envelope404)}}, "same-status"},
		{"SameCodes: served the first time", SameCodes, [][2]probe.Exchange{{exchange(200, "application/json", `{"balance":1}`), exchange(404, "application/json", envelope404)}}, "same-status"},
		{"Indistinguishable: a missing one served 200", Indistinguishable, [][2]probe.Exchange{{exchange(404, "application/json", envelope404), exchange(200, "application/json", `{"id":"x"}`)}}, "provoked-refusal"},
		{"SameCodes: another code the second time", SameCodes, [][2]probe.Exchange{{exchange(404, "application/json", envelope404), exchange(404, "application/json", `{"detail":{"code":"NO_SUCH_ID","message":"x"}}`)}}, "same-code"},
		{"Indistinguishable: another status than for a missing one", Indistinguishable, [][2]probe.Exchange{{exchange(403, "application/json", `{"detail":{"code":"NOT_FOUND","message":"x"}}`), exchange(404, "application/json", envelope404)}}, "same-status"},

		// LeaveCreditsUnchanged: a refused request charges nothing.
		{"credits: refused, nothing changed", LeaveCreditsUnchanged, Around{Before: credits(0, tx), Actions: []probe.Exchange{refused}, After: credits(0, tx)}, ""},
		{"credits: the request was carried out", LeaveCreditsUnchanged, Around{Before: credits(0, tx), Actions: []probe.Exchange{exchange(201, "application/json", `{"export_job":{"id":"e1"}}`)}, After: credits(0, tx)}, "refused"},
		{"credits: the balance changed", LeaveCreditsUnchanged, Around{Before: credits(10, tx), Actions: []probe.Exchange{refused}, After: credits(7, tx)}, "no-charge"},
		{"credits: a transaction was added", LeaveCreditsUnchanged, Around{Before: credits(0, tx), Actions: []probe.Exchange{refused}, After: credits(0, tx2+","+tx)}, "no-transaction"},
		{"credits: a transaction was replaced", LeaveCreditsUnchanged, Around{Before: credits(0, tx), Actions: []probe.Exchange{refused}, After: credits(0, tx2)}, "no-transaction"},
	}
}

func TestEveryRuleRowFindsItsRuleAlone(t *testing.T) {
	var golden bytes.Buffer
	for _, row := range ruleRows() {
		t.Run(row.name, func(t *testing.T) {
			m := row.matcher()
			ok, err := m.Match(row.actual)
			if err != nil {
				t.Fatalf("match error: %v", err)
			}
			var got []string
			var rules []string
			for _, f := range Findings(m) {
				for _, v := range f.Violations {
					got = append(got, v.String())
					rules = append(rules, v.Rule)
				}
			}
			switch {
			case row.rule == "" && (!ok || len(rules) > 0):
				t.Errorf("a conforming response was flagged: %v", got)
			case row.rule != "" && (ok || strings.Join(rules, "+") != row.rule):
				t.Errorf("want exactly one violation of rule %q, got %v (matched=%v)", row.rule, got, ok)
			}
			fmt.Fprintf(&golden, "%s\n", row.name)
			for _, g := range got {
				fmt.Fprintf(&golden, "  %s\n", g)
			}
		})
	}
	path := filepath.Join("testdata", "rules.golden")
	if *update {
		if err := os.WriteFile(path, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/match -run Rule -update writes it)", err)
	}
	if !bytes.Equal(golden.Bytes(), want) {
		gl, wl := strings.Split(golden.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d (review, then -update):\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length (review, then -update)", path)
	}
}

// TestEveryRuleHasARow lists every rule the matchers can report: a rule
// added without a row breaking it fails here.
func TestEveryRuleHasARow(t *testing.T) {
	covered := map[string]bool{}
	for _, row := range ruleRows() {
		for _, r := range strings.Split(row.rule, "+") {
			covered[r] = true
		}
	}
	src, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range src {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(b), `Rule: "`)[1:] {
			rule := part[:strings.IndexByte(part, '"')]
			if !covered[rule] {
				t.Errorf("%s: rule %q has no row in ruleRows that breaks it", f, rule)
			}
		}
	}
}
