package reference

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAuthorizationHeaderForms(t *testing.T) {
	e := newEnv(t)
	read := e.tokens[RoleRead]
	for _, tc := range []struct {
		name    string
		headers []string // Authorization values; nil sends none
		status  int
		code    string
	}{
		{"no header", nil, 401, "MISSING_AUTH_HEADER"},
		{"empty value", []string{""}, 401, "INVALID_TOKEN_FORMAT"},
		{"another scheme", []string{"Basic dXNlcjpwYXNz"}, 401, "INVALID_TOKEN_FORMAT"},
		{"scheme without credentials", []string{"Bearer"}, 401, "INVALID_TOKEN_FORMAT"},
		{"scheme and a space", []string{"Bearer "}, 401, "INVALID_TOKEN_FORMAT"},
		{"token without the cornect_ prefix", []string{"Bearer abc"}, 401, "INVALID_TOKEN_FORMAT"},
		{"bare token without scheme", []string{read}, 401, "INVALID_TOKEN_FORMAT"},
		{"prefix with nothing after it", []string{"Bearer cornect_"}, 401, "INVALID_TOKEN_FORMAT"},
		{"characters outside the token alphabet", []string{"Bearer cornect_abc.def"}, 401, "INVALID_TOKEN_FORMAT"},
		{"two Authorization headers", []string{"Bearer " + read, "Bearer " + read}, 401, "INVALID_TOKEN_FORMAT"},
		{"well-formed but unknown", []string{"Bearer cornect_" + strings.Repeat("x", 32)}, 401, "INVALID_TOKEN"},
		{"revoked", []string{"Bearer " + e.tokens[RoleRevoked]}, 401, "INVALID_TOKEN"},
		{"expired", []string{"Bearer " + e.tokens[RoleExpired]}, 401, "TOKEN_EXPIRED"},
		{"legacy, no workspace", []string{"Bearer " + e.tokens[RoleUnbound]}, 401, "TOKEN_NOT_WORKSPACE_BOUND"},
		{"owner removed", []string{"Bearer " + e.tokens[RoleNonMember]}, 401, "NOT_WORKSPACE_MEMBER"},
		{"valid", []string{"Bearer " + read}, 200, ""},
		{"scheme in lower case", []string{"bearer " + read}, 200, ""},
		{"scheme in upper case", []string{"BEARER " + read}, 200, ""},
		{"several spaces after the scheme", []string{"Bearer   " + read}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mods []modifier
			for _, h := range tc.headers {
				mods = append(mods, withHeader("Authorization", h))
			}
			r := e.get("/credits", "", mods...)
			if tc.code == "" {
				r.expectStatus(t, tc.status)
				return
			}
			r.expectError(t, tc.status, tc.code)
		})
	}
}

func TestChallengeCarriesErrorOnlyWhenACredentialWasPresented(t *testing.T) {
	e := newEnv(t)
	if got := e.get("/credits", "").header.Get("WWW-Authenticate"); got != `Bearer realm="cornect"` {
		t.Errorf("without a header: WWW-Authenticate %q", got)
	}
	for _, role := range []string{RoleExpired, RoleRevoked, RoleUnbound, RoleNonMember} {
		got := e.get("/credits", role).header.Get("WWW-Authenticate")
		if !strings.HasPrefix(got, `Bearer realm="cornect", error="invalid_token", error_description="`) || !strings.HasSuffix(got, `"`) {
			t.Errorf("%s: WWW-Authenticate %q", role, got)
		}
	}
	// RFC 6750 §3.1: a Bearer token presented and refused is invalid_token,
	// "Bearer" alone a malformed request, and another scheme (or none)
	// presents no Bearer credentials at all.
	for header, want := range map[string]string{
		"Bearer deadbeef":  `error="invalid_token"`,
		"Bearer":           `error="invalid_request"`,
		"Basic abc":        "",
		"cornect_deadbeef": "",
		"":                 "",
	} {
		got := e.get("/credits", "", withHeader("Authorization", header)).header.Get("WWW-Authenticate")
		if want == "" && got != `Bearer realm="cornect"` || want != "" && !strings.Contains(got, want) {
			t.Errorf("Authorization %q: WWW-Authenticate %q, want %s", header, got, want)
		}
	}
}

func TestTokensAreFreshPerServerAndWellFormed(t *testing.T) {
	a, b := New().Tokens(), New().Tokens()
	if len(a) != len(TokenRoles()) {
		t.Fatalf("Tokens() has %d entries, want %d", len(a), len(TokenRoles()))
	}
	for _, role := range TokenRoles() {
		if !tokenFormat.MatchString(a[role]) || len(a[role]) != len("cornect_")+32 {
			t.Errorf("%s: malformed token value (length %d)", role, len(a[role]))
		}
		if a[role] == b[role] {
			t.Errorf("%s: two servers share a token value", role)
		}
	}
}

func TestEveryRoleActsAsDocumented(t *testing.T) {
	e := newEnv(t)
	for role, want := range map[string]int{
		RoleRead: 200, RoleReadWrite: 200, RoleNoCredits: 200,
		RoleExpired: 401, RoleRevoked: 401, RoleUnbound: 401, RoleNonMember: 401,
	} {
		if got := e.get("/credits", role).status; got != want {
			t.Errorf("%s: GET /credits status %d, want %d", role, got, want)
		}
	}
	if a, b := e.credits(RoleRead).WorkspaceID, e.credits(RoleNoCredits).WorkspaceID; a == b {
		t.Errorf("READ and NO_CREDITS share workspace %s", a)
	}
}

func TestTokenExpiresByTheClock(t *testing.T) {
	e := newEnv(t)
	e.get("/credits", RoleRead).expectStatus(t, http.StatusOK)
	e.clock.Advance(366 * 24 * time.Hour)
	e.get("/credits", RoleRead).expectError(t, http.StatusUnauthorized, "TOKEN_EXPIRED")
}

func TestUnauthenticatedRequestsAreLimitedPerClientIP(t *testing.T) {
	e := newEnv(t, WithUnauthenticatedLimit(3), WithRateWindow(30*time.Second))
	bad := withHeader("Authorization", "Bearer cornect_guess")
	for i := range 3 {
		if r := e.get("/credits", "", bad, fromIP("203.0.113.7")); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, r.status)
		}
	}
	r := e.get("/credits", "", bad, fromIP("203.0.113.7"))
	r.expectError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After %q, want 10 (3 per 30s)", got)
	}
	if r.header.Get("WWW-Authenticate") != "" {
		t.Errorf("a 429 carries WWW-Authenticate")
	}
	e.get("/credits", "", fromIP("203.0.113.7")).expectStatus(t, http.StatusTooManyRequests) // missing header fails authentication too

	e.get("/credits", "", bad, fromIP("198.51.100.1")).expectStatus(t, http.StatusUnauthorized)
	e.get("/credits", RoleRead, fromIP("203.0.113.7")).expectStatus(t, http.StatusOK)

	e.clock.Advance(10 * time.Second)
	e.get("/credits", "", bad, fromIP("203.0.113.7")).expectStatus(t, http.StatusUnauthorized)
}

func TestScopeIsCheckedPerEndpoint(t *testing.T) {
	e := newEnv(t)
	ex := e.createExport(RoleReadWrite, `{"name":"s","search_filters":{"countries":["Poland"]}}`)
	for _, tc := range []struct {
		method, path, body string
	}{
		{http.MethodPost, "/companies/search", `{}`},
		{http.MethodGet, "/companies/" + companies().all[0].ID, ""},
		{http.MethodGet, "/credits", ""},
		{http.MethodGet, "/exports/" + ex.ExportJob.ID, ""},
		{http.MethodPost, "/exports/" + ex.ExportJob.ID + "/download", ""},
	} {
		if r := e.do(tc.method, v1+tc.path, RoleRead, tc.body); r.status == http.StatusForbidden {
			t.Errorf("read token refused on %s %s: %s", tc.method, tc.path, r.body)
		}
	}
	e.post("/exports", RoleRead, `{"name":"x"}`).expectError(t, http.StatusForbidden, "INSUFFICIENT_SCOPE")
}

// TestHeaderFormsSurviveRealHTTP checks that an empty Authorization value
// stays "present" through a real server's header parsing.
func TestHeaderFormsSurviveRealHTTP(t *testing.T) {
	ts := httptest.NewServer(New())
	defer ts.Close()
	for _, tc := range []struct {
		name   string
		header []string
		code   string
	}{
		{"no header", nil, "MISSING_AUTH_HEADER"},
		{"empty value", []string{""}, "INVALID_TOKEN_FORMAT"},
		{"whitespace value", []string{"   "}, "INVALID_TOKEN_FORMAT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+v1+"/credits", nil)
			if tc.header != nil {
				req.Header["Authorization"] = tc.header
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			r := &result{status: resp.StatusCode, header: resp.Header, body: body}
			r.expectError(t, http.StatusUnauthorized, tc.code)
		})
	}
}
