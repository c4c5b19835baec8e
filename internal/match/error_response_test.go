package match

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
)

func exchange(status int, contentType, body string, headers ...string) probe.Exchange {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Add(headers[i], headers[i+1])
	}
	return probe.Exchange{Method: "GET", Path: "/credits", URL: "http://t/api/v1/credits", Status: status, Header: h, Body: []byte(body), BodyText: body}
}

const expired = `{"detail":{"code":"TOKEN_EXPIRED","message":"Token expired."}}`

func TestErrorViolations(t *testing.T) {
	tests := []struct {
		name string
		ex   probe.Exchange
		exp  ErrorExpectation
		want []string // each a substring of one violation, in any order; nil: conforming
	}{
		{"the documented response", exchange(401, "application/json", expired), ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"}, nil},
		{"charset and problem+json are JSON", exchange(401, "application/problem+json; charset=utf-8", expired), ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"}, nil},
		{"every violation at once",
			exchange(200, "text/html", `{"detail":{"code":7,"message":""}}`), ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"},
			[]string{"status: expected 401 Unauthorized, got 200 OK", "header Content-Type: expected application/json", "/detail/code", "/detail/message"}},
		{"FastAPI's default 422", exchange(422, "application/json", `{"detail":[{"loc":["body","name"],"msg":"field required","type":"value_error.missing"}]}`), ErrorExpectation{Status: 422},
			[]string{"body /detail: expected object, got array"}},
		{"a plain-text 404", exchange(404, "text/plain", "Not Found"), ErrorExpectation{Status: 404},
			[]string{"header Content-Type", "not valid JSON"}},
		{"a documented code with another status", exchange(403, "application/json", expired), ErrorExpectation{Status: 403},
			[]string{"code TOKEN_EXPIRED is documented with status 401, the response has 403"}},
		{"a documented code in another case", exchange(402, "application/json", `{"detail":{"code":"INSUFFICIENT_BALANCE","message":"x"}}`), ErrorExpectation{Status: 402},
			[]string{`"INSUFFICIENT_BALANCE" differs only in case from the documented "insufficient_balance"`}},
		{"details that say the wrong scope",
			exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x","details":{"token_scope":"read_write","required":"read"}}}`),
			ErrorExpectation{Status: 403, Code: "INSUFFICIENT_SCOPE", Details: map[string]string{"token_scope": "read", "required": "read_write"}},
			[]string{`/detail/details/required: expected "read_write", got "read"`, `/detail/details/token_scope: expected "read", got "read_write"`}},
		{"absent details are fine", exchange(403, "application/json", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"x"}}`),
			ErrorExpectation{Status: 403, Code: "INSUFFICIENT_SCOPE", Details: map[string]string{"token_scope": "read"}}, nil},
		{"Retry-After in seconds", exchange(429, "application/json", `{"detail":{"code":"RATE_LIMITED","message":"x"}}`, "Retry-After", "2"), ErrorExpectation{Status: 429, RetryAfter: true}, nil},
		{"Retry-After missing", exchange(429, "application/json", `{"detail":{"code":"RATE_LIMITED","message":"x"}}`), ErrorExpectation{Status: 429, RetryAfter: true},
			[]string{"no Retry-After header"}},
		{"Retry-After zero", exchange(429, "application/json", `{"detail":{"code":"RATE_LIMITED","message":"x"}}`, "Retry-After", "0"), ErrorExpectation{Status: 429, RetryAfter: true},
			[]string{"at least 1 second"}},
		{"Retry-After as a date", exchange(429, "application/json", `{"detail":{"code":"RATE_LIMITED","message":"x"}}`, "Retry-After", "Wed, 25 Nov 2026 14:00:00 GMT"), ErrorExpectation{Status: 429, RetryAfter: true},
			[]string{"whole seconds"}},
		{"a redirect", exchange(302, "", "", "Location", "https://elsewhere.example/login"), ErrorExpectation{Status: 401},
			[]string{"a redirect to https://elsewhere.example/login; not followed", "no Content-Type", "not valid JSON"}},
		{"no response", probe.Exchange{Err: "no answer within 10s"}, ErrorExpectation{Status: 401}, []string{"no response: no answer within 10s"}},
		{"a body cut short", func() probe.Exchange {
			ex := exchange(401, "application/json", expired)
			ex.Err = "reading the body: unexpected EOF"
			return ex
		}(), ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"}, []string{"incomplete: reading the body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := ErrorViolations(tt.ex, tt.exp)
			if len(vs) != len(tt.want) {
				t.Fatalf("%d violations, want %d: %v", len(vs), len(tt.want), vs)
			}
			all := ""
			for _, v := range vs {
				all += v.String() + "\n"
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no violation says %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestBeErrorFailsWithEveryFindingAndTheEvidence(t *testing.T) {
	ok := exchange(401, "application/json", expired)
	bad := exchange(200, "text/html", `{"balance":3}`)
	bad.Path, bad.Curl = "/exports", "curl -sS -X GET 'http://t/api/v1/exports'"
	m := BeError(ErrorExpectation{Status: 401, Code: "TOKEN_EXPIRED"})
	passed, err := m.Match([]probe.Exchange{ok, bad})
	if err != nil || passed {
		t.Fatalf("passed=%v err=%v, want a failure", passed, err)
	}
	msg := m.FailureMessage(nil)
	for _, want := range []string{"1 of 2 responses break the contract", "GET /exports", "status: expected 401", "header Content-Type"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure message lacks %q:\n%s", want, msg)
		}
	}
	if len(Findings(m)) != 1 || Findings(m)[0].Exchange.Path != "/exports" {
		t.Errorf("findings %+v, want the /exports exchange only", Findings(m))
	}
}

func TestBearerChallenge(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		presented bool
		bad       bool
	}{
		{"no credentials, no error", `Bearer realm="cornect"`, false, false},
		{"presented, invalid_token", `Bearer realm="cornect", error="invalid_token"`, true, false},
		{"scheme in another case", `bearer realm="cornect"`, false, false},
		{"missing header", "", false, true},
		{"another scheme", `Basic realm="cornect"`, false, true},
		{"error without credentials", `Bearer realm="cornect", error="invalid_token"`, false, true},
		{"no error with credentials", `Bearer realm="cornect"`, true, true},
		{"two challenges, Bearer second", `Basic realm="cornect", Bearer realm="cornect", error="invalid_token"`, true, false},
		{"two challenges, the error belongs to Basic", `Bearer realm="cornect", Basic realm="x", error="invalid_token"`, true, true},
		{"a comma inside a quoted realm", `Bearer realm="a, b", error="invalid_token"`, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := exchange(401, "application/json", expired)
			sent := noBearerCredentials
			if tt.presented {
				ex.ReqHeader = http.Header{"Authorization": {"Bearer $CONFORM_TOKEN_EXPIRED"}}
				sent = bearerToken
			}
			if tt.header != "" {
				ex.Header.Set("WWW-Authenticate", tt.header)
			}
			if ok, _ := HaveBearerChallenge().Match(ex); ok == tt.bad {
				t.Errorf("HaveBearerChallenge: match %v, want %v", ok, !tt.bad)
			}
			if got := len(challengeViolations(ex, sent)) > 0; got != tt.bad {
				t.Errorf("violation = %v, want %v", got, tt.bad)
			}
		})
	}
}

func TestNotLeakFindsEchoedTokensAndTracebacks(t *testing.T) {
	clean := exchange(401, "application/json", expired)
	echoed := exchange(401, "application/json", `{"detail":{"code":"TOKEN_EXPIRED","message":"token $CONFORM_TOKEN_EXPIRED expired"}}`)
	trace := exchange(404, "application/json", `{"detail":{"code":"NOT_FOUND","message":"x","details":{"trace":"Traceback (most recent call last):\n  File \"/app/capi/routers/companies.py\", line 88"}}}`)
	success := exchange(200, "application/json", `{"path":"/app/data"}`)
	link := exchange(401, "application/json", `{"detail":{"code":"TOKEN_EXPIRED","message":"See https://cornect.io/app/settings/api-tokens to mint one."}}`)
	m := NotLeak("cornect_other")
	if ok, _ := m.Match([]probe.Exchange{clean, success, link}); !ok {
		t.Errorf("a clean error, a success or a help link were flagged: %v", Findings(m))
	}
	if ok, _ := m.Match([]probe.Exchange{echoed, trace}); ok || len(Findings(m)) != 2 {
		t.Errorf("want both the echo and the traceback flagged, got %v", Findings(m))
	}
}

func TestSameCodes(t *testing.T) {
	a := exchange(404, "application/json", `{"detail":{"code":"NOT_FOUND","message":"x"}}`)
	b := exchange(404, "application/json", `{"detail":{"code":"RESOURCE_NOT_FOUND","message":"x"}}`)
	if ok, _ := SameCodes().Match([][2]probe.Exchange{{a, a}}); !ok {
		t.Error("the same code twice was flagged")
	}
	if ok, _ := SameCodes().Match([][2]probe.Exchange{{a, b}}); ok {
		t.Error("two codes for the same failure passed")
	}
}
