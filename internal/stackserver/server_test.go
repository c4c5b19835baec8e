package stackserver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// TestDefaultServerKeepsTheErrorContract: without options, the reference's
// errors come through unchanged and the router's own carry the envelope.
func TestDefaultServerKeepsTheErrorContract(t *testing.T) {
	s := start(t, fastWindow())
	c := client(t)
	missing := send(c, s, "GET", "/api/v1/credits", "", "")
	missing.expectError(t, 401, "MISSING_AUTH_HEADER")
	if got := missing.header.Get("WWW-Authenticate"); got != `Bearer realm="cornect"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
	send(c, s, "POST", "/api/v1/exports", reference.RoleRead, exportBody).expectError(t, 403, "INSUFFICIENT_SCOPE")
	send(c, s, "POST", "/api/v1/exports", reference.RoleNoCredits, `{"name":"all of Germany","search_filters":{"countries":["Germany"]}}`).
		expectError(t, 402, "insufficient_balance")
	send(c, s, "GET", "/api/v1/companies/6a0f3c4e-0000-4000-8000-000000000000", reference.RoleRead, "").expectError(t, 404, "NOT_FOUND")
	send(c, s, "POST", "/api/v1/exports", reference.RoleReadWrite, `{}`).expectError(t, 422, "VALIDATION_ERROR")
	send(c, s, "GET", "/api/v1/nowhere", reference.RoleRead, "").expectError(t, 404, "NOT_FOUND")
	send(c, s, "GET", "/api/v1/credits/", reference.RoleRead, "").expectError(t, 404, "NOT_FOUND")

	var limited result
	for range 200 {
		if limited = send(c, s, "GET", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000", reference.RoleRead, ""); limited.status == 429 {
			break
		}
	}
	limited.expectError(t, 429, "RATE_LIMITED")
	if n, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After %q, want whole seconds", limited.header.Get("Retry-After"))
	}
}

// TestRelayedResponsesHaveALength: answers carry Content-Length, as
// uvicorn sends a finished response, and HEAD answers a GET route.
func TestRelayedResponsesHaveALength(t *testing.T) {
	s := start(t)
	c := client(t)
	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, s.BaseURL()+"/credits", nil)
		req.Header.Set("Authorization", "Bearer "+s.Tokens()[reference.RoleRead])
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") == "" {
			t.Errorf("%s /credits: status %d, Content-Length %q", method, resp.StatusCode, resp.Header.Get("Content-Length"))
		}
	}
}

// TestNewRejectsInvalidOptions: New panics, naming each problem.
func TestNewRejectsInvalidOptions(t *testing.T) {
	cases := map[string]Option{
		"WithBackgroundHold":       WithBackgroundHold(-time.Second),
		"WithCrashOn: no route":    WithCrashOn("GET /api/v1/nowhere", ""),
		"WithCrashOn: unknown":     WithCrashOn("GET /api/v1/credits", "ADMIN"),
		"WithBodyParsedBeforeAuth": WithBodyParsedBeforeAuth(500),
		"WithWorkers":              WithWorkers(-1),
		"WithOverloadBody":         WithOverloadBody(OverloadBody(9)),
	}
	for name, opt := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("New did not panic")
				}
				if msg, _ := r.(string); !strings.Contains(msg, strings.Split(name, ":")[0]) {
					t.Errorf("panic %q does not name the option", r)
				}
			}()
			New(opt)
		})
	}
}

// TestTypicalSwitchesOnEveryBehaviour: each behaviour's setting differs from
// New's default under Typical.
func TestTypicalSwitchesOnEveryBehaviour(t *testing.T) {
	def, typ := New().cfg, New(Typical()...).cfg
	for _, c := range []struct {
		name string
		on   bool
	}{
		{"background hold", typ.hold > 0 && def.hold == 0},
		{"crash", typ.crashRoute != "" && def.crashRoute == ""},
		{"body parsed before auth", typ.parseStatus != 0 && def.parseStatus == 0},
		{"redirect slashes", typ.redirectSlashes && !def.redirectSlashes},
		{"workers", typ.workers > 0 && def.workers == 0},
		{"first route Allow", typ.firstRouteAllow && !def.firstRouteAllow},
		{"FastAPI docs", typ.fastAPIDocs && !def.fastAPIDocs},
	} {
		if !c.on {
			t.Errorf("Typical does not switch on %s", c.name)
		}
	}
}
