package reference

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cornect/conform/schemas"
)

// documentedErrorCases provoke every code of the Errors page's table.
var documentedErrorCases = []struct {
	code    string
	provoke func(e *env) *result
}{
	{"MISSING_AUTH_HEADER", func(e *env) *result { return e.get("/credits", "") }},
	{"INVALID_TOKEN_FORMAT", func(e *env) *result {
		return e.get("/credits", "", withHeader("Authorization", "Basic dXNlcjpwYXNz"))
	}},
	{"INVALID_TOKEN", func(e *env) *result {
		return e.get("/credits", "", withHeader("Authorization", "Bearer cornect_unknownTokenValue"))
	}},
	{"TOKEN_EXPIRED", func(e *env) *result { return e.get("/credits", RoleExpired) }},
	{"TOKEN_NOT_WORKSPACE_BOUND", func(e *env) *result { return e.get("/credits", RoleUnbound) }},
	{"NOT_WORKSPACE_MEMBER", func(e *env) *result { return e.get("/credits", RoleNonMember) }},
	{"INSUFFICIENT_SCOPE", func(e *env) *result { return e.post("/exports", RoleRead, `{"name":"x"}`) }},
	{"insufficient_balance", func(e *env) *result {
		return e.post("/exports", RoleNoCredits, `{"name":"x","search_filters":{"countries":["Germany"]}}`)
	}},
}

func TestEveryDocumentedCodeIsAnsweredWithItsDocumentedStatus(t *testing.T) {
	for _, tc := range documentedErrorCases {
		t.Run(tc.code, func(t *testing.T) {
			r := tc.provoke(newEnv(t))
			r.expectError(t, schemas.StatusOf(tc.code), tc.code)
			if got := r.header.Get("WWW-Authenticate"); (r.status == http.StatusUnauthorized) != (got != "") {
				t.Errorf("WWW-Authenticate %q on a %d", got, r.status)
			}
		})
	}
}

func TestEveryDocumentedCodeHasACase(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range documentedErrorCases {
		covered[tc.code] = true
	}
	for _, c := range schemas.Codes() {
		if !covered[c.Code] {
			t.Errorf("documented code %s has no case in documentedErrorCases", c.Code)
		}
	}
}

func TestDocumentedDetails(t *testing.T) {
	e := newEnv(t)
	scope := e.post("/exports", RoleRead, `{"name":"x"}`).envelope(t)
	if got := string(scope.Detail.Details); got != `{"token_scope":"read","required":"read_write"}` {
		t.Errorf("INSUFFICIENT_SCOPE details %s", got)
	}
	r := e.post("/exports", RoleNoCredits, `{"name":"x","search_filters":{"countries":["Germany"]}}`)
	var d balanceDetails
	if err := json.Unmarshal(r.envelope(t).Detail.Details, &d); err != nil || d.Balance != 0 || d.Required <= 0 {
		t.Errorf("insufficient_balance details %s (err %v)", r.envelope(t).Detail.Details, err)
	}
}

func TestStatusesWithoutDocumentedCodeStillCarryTheEnvelope(t *testing.T) {
	e := newEnv(t)
	pending := e.createExport(RoleReadWrite, `{"name":"pending","search_filters":{"countries":["Poland"]}}`)
	for _, tc := range []struct {
		name   string
		r      *result
		status int
		code   string
	}{
		{"unknown path", e.get("/nothing-here", RoleRead), 404, codeNotFound},
		{"path outside the API", e.do(http.MethodGet, "/", "", ""), 404, codeNotFound},
		{"unknown company", e.get("/companies/"+nameUUID("nope"), RoleRead), 404, codeNotFound},
		{"unknown export", e.get("/exports/"+nameUUID("nope"), RoleRead), 404, codeNotFound},
		{"download of an unknown export", e.post("/exports/"+nameUUID("nope")+"/download", RoleRead, ""), 404, codeNotFound},
		{"wrong method", e.do(http.MethodDelete, v1+"/credits", RoleRead, ""), 405, codeMethodNotAllowed},
		{"invalid body", e.post("/exports", RoleReadWrite, `{}`), 422, codeValidation},
		{"unfinished download", e.post("/exports/"+pending.ExportJob.ID+"/download", RoleRead, ""), 400, codeExportNotReady},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.r.expectError(t, tc.status, tc.code) })
	}
}

func TestMethodNotAllowedListsTheAllowedMethods(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodPost, "/credits", "GET"},
		{http.MethodGet, "/exports", "POST"},
		{http.MethodPut, "/exports/" + nameUUID("x"), "GET"},
		{http.MethodGet, "/exports/" + nameUUID("x") + "/download", "POST"},
		{http.MethodPut, "/companies/search", "POST, GET"}, // the literal path and /companies/{id}
		{http.MethodDelete, "/companies/" + nameUUID("x"), "GET"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.do(tc.method, v1+tc.path, "", "")
			r.expectError(t, http.StatusMethodNotAllowed, codeMethodNotAllowed)
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestEnvelopeIsTheOnlyTopLevelMember(t *testing.T) {
	r := newEnv(t).get("/credits", "")
	if !strings.HasPrefix(string(r.body), `{"detail":{"code":"MISSING_AUTH_HEADER","message":`) {
		t.Errorf("body %s", r.body)
	}
}
