package report

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cornect/conform/internal/probe"
)

const base = "http://127.0.0.1:41823/api/v1"

// exchange builds a captured exchange as the probe would record it.
func exchange(method, path, auth string, status int, contentType, body string) probe.Exchange {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Date", "Mon, 02 Mar 2026 09:30:01 GMT")
	h.Set("X-Request-Id", "req-7f3a")
	curl := fmt.Sprintf("curl -sS -X %s '%s%s'", method, base, path)
	if strings.HasPrefix(auth, "$") {
		curl = fmt.Sprintf("curl -sS -X %s -H \"Authorization: Bearer %s\" '%s%s'", method, auth, base, path)
	}
	return probe.Exchange{
		Method:    method,
		URL:       base + path,
		Path:      path,
		Auth:      auth,
		ReqHeader: http.Header{"Accept": {"application/json"}, "User-Agent": {"conform/0.4.0"}},
		Curl:      curl,
		Status:    status,
		Header:    h,
		Body:      []byte(body),
		BodyText:  body,
		Duration:  23 * time.Millisecond,
	}
}

// sampleResult is a run with every kind of outcome: passed checks, a check
// that failed with two exchanges (one body over 2 KiB, holding markup), a
// group where one of two variants failed, a skipped check and a warning.
func sampleResult() Result {
	missing := exchange("GET", "/credits", "no Authorization header", 401, "application/json",
		`{"detail":{"code":"MISSING_AUTH_HEADER","message":"Missing Authorization header"}}`)
	missing.Header.Set("WWW-Authenticate", `Bearer realm="cornect"`)

	basic := exchange("GET", "/credits", "Basic scheme", 401, "application/json",
		`{"detail":{"code":"INVALID_TOKEN_FORMAT","message":"Expected a Bearer token"}}`)
	prefix := exchange("GET", "/credits", "token without cornect_ prefix", 401, "application/json",
		`{"detail":{"code":"INVALID_TOKEN_FORMAT","message":"Expected a Bearer token"}}`)

	expiredJSON := exchange("GET", "/credits", "$CONFORM_TOKEN_EXPIRED", 200, "application/json",
		`{"workspace_id":"ws_1","balance":120,"recent_transactions":[]}`)
	bigBody := "<!doctype html>\n<html><head><title>500</title><script>alert(\"pwned\")</script></head>\n<body>" +
		strings.Repeat("Internal Server Error | upstream timed out. ", 70) + "</body></html>\n"
	expiredHTML := exchange("POST", "/companies/search", "$CONFORM_TOKEN_EXPIRED", 500, "text/html; charset=utf-8", bigBody)
	expiredHTML.ReqBody = `{"query":"acme"}`
	expiredHTML.Duration = 1204 * time.Millisecond

	companyNotFound := exchange("GET", "/companies/00000000-0000-0000-0000-000000000000", "$CONFORM_TOKEN_READ", 404, "application/json",
		`{"detail":"Not Found"}`)
	exportNotFound := exchange("GET", "/exports/00000000-0000-0000-0000-000000000000", "$CONFORM_TOKEN_READ", 404, "application/json",
		`{"detail":{"code":"NOT_FOUND","message":"No export with that id in your workspace"}}`)

	noChallenge := exchange("GET", "/credits", "$CONFORM_TOKEN_REVOKED", 401, "application/json",
		`{"detail":{"code":"INVALID_TOKEN","message":"Invalid token"}}`)

	errorsPage := "https://cornect.io/docs/api/errors"
	return Result{
		Tool:            "conform",
		Version:         "0.4.0",
		ContractVersion: "CAPI v1",
		Target:          Target{BaseURL: base, Reference: true, Profile: "embedded default"},
		Config: map[string]string{
			"base_url":         base,
			"token_read":       "cornect_****",
			"token_read_write": "(not set)",
			"timeout":          "10s",
			"strict":           "false",
		},
		StartedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		Duration:  12340 * time.Millisecond,
		Stats:     probe.Stats{Requests: 37, Retries: 2, RetryWaited: 3 * time.Second, PaceWaited: 1500 * time.Millisecond},
		Notes:     []string{"waited 3s on Retry-After for 2 429 answers conform did not provoke"},
		Checks: []Check{
			{
				ID: "AUTH-MISSING", Title: "a request without Authorization gets 401 MISSING_AUTH_HEADER",
				Level: Must, Sentence: "A request without an Authorization header MUST get 401 with code MISSING_AUTH_HEADER.",
				Source: errorsPage, Labels: []string{"auth"}, Since: "0.1.0", Status: Passed,
				Exchanges: []probe.Exchange{missing}, Duration: 25 * time.Millisecond,
				Operations: []OperationResult{
					{Method: "GET", Path: "/credits", Status: Passed},
					{Method: "POST", Path: "/companies/search", Status: Passed},
				},
			},
			{
				ID: "AUTH-FORMAT", Variant: "Basic scheme", Title: "a malformed Authorization header gets 401 INVALID_TOKEN_FORMAT",
				Level: Must, Sentence: "A request whose Authorization header is not a cornect_ bearer token MUST get 401 with code INVALID_TOKEN_FORMAT.",
				Source: errorsPage, Labels: []string{"auth"}, Since: "0.1.0", Status: Passed,
				Exchanges: []probe.Exchange{basic}, Duration: 24 * time.Millisecond,
			},
			{
				ID: "AUTH-FORMAT", Variant: "no cornect_ prefix", Title: "a malformed Authorization header gets 401 INVALID_TOKEN_FORMAT",
				Level: Must, Sentence: "A request whose Authorization header is not a cornect_ bearer token MUST get 401 with code INVALID_TOKEN_FORMAT.",
				Source: errorsPage, Labels: []string{"auth"}, Since: "0.1.0", Status: Passed,
				Exchanges: []probe.Exchange{prefix}, Duration: 22 * time.Millisecond,
			},
			{
				ID: "AUTH-EXPIRED", Title: "an expired token gets 401 TOKEN_EXPIRED",
				Level: Must, Sentence: "A request with a token past its expiry date MUST get 401 with code TOKEN_EXPIRED.",
				Source: errorsPage, Labels: []string{"auth", "tokens"}, Since: "0.1.0", Status: Failed,
				Operations: []OperationResult{
					{Method: "GET", Path: "/credits", Status: Failed},
					{Method: "POST", Path: "/companies/search", Status: Failed},
				},
				Violations: []Violation{
					{Exchange: 0, Operation: "GET /credits", Role: probe.RoleExpired, Rule: "status", Where: "status", Expected: "401 Unauthorized", Got: "200 OK"},
					{Exchange: 0, Operation: "GET /credits", Role: probe.RoleExpired, Rule: "schema", Where: "body", Pointer: "/detail", Keyword: "required", Message: "missing property 'detail'"},
					{Exchange: 1, Operation: "POST /companies/search", Role: probe.RoleExpired, Rule: "status", Where: "status", Expected: "401 Unauthorized", Got: "500 Internal Server Error"},
					{Exchange: 1, Operation: "POST /companies/search", Role: probe.RoleExpired, Rule: "content-type", Where: "header Content-Type", Expected: "application/json", Got: "\"text/html; charset=utf-8\""},
					{Exchange: 1, Operation: "POST /companies/search", Role: probe.RoleExpired, Rule: "schema", Where: "body", Message: "not valid JSON: invalid character '<' looking for beginning of value"},
				},
				Judged:    2,
				Exchanges: []probe.Exchange{expiredJSON, expiredHTML}, Duration: 1240 * time.Millisecond,
			},
			{
				ID: "NOT-FOUND", Variant: "GET /companies/{id}", Title: "an unknown id gets 404 with the error envelope",
				Level: Must, Sentence: "Every error response MUST be the JSON envelope {\"detail\": {\"code\", \"message\"}}.",
				Source: errorsPage, Labels: []string{"not_found"}, Since: "0.2.0", Status: Failed,
				Violations: []Violation{
					{Exchange: 0, Operation: "GET /companies/{id}", Role: probe.RoleRead, Rule: "schema", Where: "body", Pointer: "/detail", Keyword: "type", Message: "expected object, got string"},
				},
				Exchanges: []probe.Exchange{companyNotFound}, Duration: 21 * time.Millisecond,
			},
			{
				ID: "NOT-FOUND", Variant: "GET /exports/{export_id}", Title: "an unknown id gets 404 with the error envelope",
				Level: Must, Sentence: "Every error response MUST be the JSON envelope {\"detail\": {\"code\", \"message\"}}.",
				Source: errorsPage, Labels: []string{"not_found"}, Since: "0.2.0", Status: Passed,
				Exchanges: []probe.Exchange{exportNotFound}, Duration: 20 * time.Millisecond,
			},
			{
				ID: "CREDITS-402", Title: "an export the balance cannot cover gets 402 insufficient_balance and charges nothing",
				Level: Must, Sentence: "When the balance cannot cover the new rows, POST /exports MUST return 402 insufficient_balance, create no export and charge no credits.",
				Source: "https://cornect.io/docs/api/credits", Labels: []string{"credits"}, Since: "0.3.0", Status: Skipped,
				Skip: SkipMissingToken, Reason: "CONFORM_TOKEN_READ_WRITE not set; export it to run this check",
			},
			{
				ID: "AUTH-CHALLENGE", Title: "a 401 carries a WWW-Authenticate challenge",
				Level: Should, Sentence: "A 401 response SHOULD carry a WWW-Authenticate header field with a Bearer challenge.",
				Source: "RFC 9110 §11.6.1", Labels: []string{"auth", "headers"}, Since: "0.3.0", Status: Warning,
				Violations: []Violation{
					{Exchange: 0, Operation: "GET /credits", Role: probe.RoleRevoked, Rule: "challenge", Where: "header WWW-Authenticate", Expected: "a Bearer challenge", Got: "no WWW-Authenticate header on a 401"},
				},
				Exchanges: []probe.Exchange{noChallenge}, Duration: 19 * time.Millisecond,
			},
		},
	}
}

// everyOutcome is sampleResult with a check of every outcome a report
// shows: passed, failed, a known failure (the baseline lists it),
// warning, skipped, inconclusive, not run and an error of conform.
func everyOutcome() Result {
	r := sampleResult()
	known := r.Checks[3] // AUTH-EXPIRED, failed
	known.ID, known.Title = "AUTH-REVOKED", "a revoked token gets 401 INVALID_TOKEN"
	throttled := exchange("GET", "/credits", "$CONFORM_TOKEN_READ", 429, "application/json",
		`{"detail":{"code":"RATE_LIMITED","message":"Too many requests"}}`)
	r.Checks = append(r.Checks, known,
		Check{
			ID: "RATE-LIMIT-429", Title: "past the limit, 429 with Retry-After", Level: Must,
			Sentence: "A request past the per-token limit MUST get 429 with a Retry-After header.", Source: "https://cornect.io/docs/api/rate-limits",
			Status: Inconclusive, Reason: "the limit could not be provoked: 60 requests in a row were all answered 200",
			Exchanges: []probe.Exchange{throttled},
		},
		Check{
			ID: "RATE-LIMIT-RECOVERY", Title: "served again after Retry-After", Level: Must,
			Sentence: "A request after waiting Retry-After MUST be served.", Source: "https://cornect.io/docs/api/rate-limits",
			Status: NotRun, Reason: "the run stopped (--suite-timeout 5m) before this check ran",
		},
		Check{
			ID: "HTTP-STABLE-CODE", Title: "the same failure gets the same code", Level: Must,
			Sentence: "The same failure MUST get the same status and code.", Source: "https://cornect.io/docs/api/errors",
			Status: Error, Reason: "conform: comparing the two answers: unexpected nil exchange",
		},
	)
	r.Baseline = &Baseline{File: "conform-baseline.json", Known: []BaselineEntry{
		{ID: "AUTH-REVOKED", Operation: "GET /credits", Rule: "status", Reason: "a fix ships in 2.4"},
		{ID: "AUTH-REVOKED", Operation: "POST /companies/search", Rule: "status", Reason: "a fix ships in 2.4"},
	}}
	return r
}
