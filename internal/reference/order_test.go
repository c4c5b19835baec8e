package reference

import (
	"net/http"
	"testing"
)

// TestOrderOfChecks proves each check runs before the next: route,
// authentication, rate limit, scope, validation, resource, charge.
func TestOrderOfChecks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		arrange func(e *env)
		act     func(e *env) *result
		status  int
		code    string
	}{
		{"route before authentication: unknown path", nil,
			func(e *env) *result { return e.get("/nowhere", "") }, 404, codeNotFound},
		{"route before authentication: wrong method", nil,
			func(e *env) *result { return e.do(http.MethodPatch, v1+"/exports", "", `{}`) }, 405, codeMethodNotAllowed},
		{"authentication before rate limit", func(e *env) { exhaust(e, RoleRead, "/credits", 60) },
			func(e *env) *result { return e.get("/credits", RoleExpired) }, 401, "TOKEN_EXPIRED"},
		{"rate limit before scope", func(e *env) { exhaustExports(e, RoleRead) },
			func(e *env) *result { return e.post("/exports", RoleRead, `{"name":"x"}`) }, 429, codeRateLimited},
		{"scope before validation", nil,
			func(e *env) *result { return e.post("/exports", RoleRead, `{"name":42`) }, 403, "INSUFFICIENT_SCOPE"},
		{"authentication before validation", nil,
			func(e *env) *result { return e.post("/exports", RoleRevoked, `{"name":42}`) }, 401, "INVALID_TOKEN"},
		{"missing header before validation", nil,
			func(e *env) *result { return e.post("/exports", "", `not json`) }, 401, "MISSING_AUTH_HEADER"},
		{"validation before resource", nil,
			func(e *env) *result {
				return e.post("/exports", RoleReadWrite, `{"name":"x","source_type":"list","list_id":"`+nameUUID("nope")+`","export_format":"xml"}`)
			}, 422, codeValidation},
		{"resource before charge", nil,
			func(e *env) *result {
				return e.post("/exports", RoleNoCredits, `{"name":"x","source_type":"list","list_id":"`+ListTargetAccounts+`"}`)
			}, 404, codeNotFound},
		{"validation before charge", nil,
			func(e *env) *result {
				return e.post("/exports", RoleNoCredits, `{"name":"","search_filters":{"countries":["Germany"]}}`)
			}, 422, codeValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.arrange != nil {
				tc.arrange(e)
			}
			tc.act(e).expectError(t, tc.status, tc.code)
		})
	}
}

func exhaust(e *env, role, path string, n int) {
	for range n {
		e.get(path, role)
	}
}

func exhaustExports(e *env, role string) {
	for range 5 {
		e.post("/exports", role, `{}`)
	}
}
