package stackserver

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

func crashOnUnbound() Option { return WithCrashOn("GET /api/v1/credits", reference.RoleUnbound) }

// TestCrashAnswersNothingAndDropsIdleConnections: the crashing request gets
// no response, and a client whose pooled connection was at rest meanwhile
// gets an error on its next POST (net/http does not retry a POST); the
// restarted worker serves new connections.
func TestCrashAnswersNothingAndDropsIdleConnections(t *testing.T) {
	s := start(t, crashOnUnbound())
	pooled := client(t)
	send(pooled, s, "GET", "/api/v1/credits", reference.RoleRead, "").expectStatus(t, 200)

	crashed := send(client(t), s, "GET", "/api/v1/credits", reference.RoleUnbound, "")
	if crashed.err == nil {
		t.Fatalf("the crashing request got status %d, want no response", crashed.status)
	}

	after := send(pooled, s, "POST", "/api/v1/companies/search", reference.RoleRead, `{"query":"stack"}`)
	if !after.reused {
		t.Fatalf("the POST after the crash did not go out on the pooled connection")
	}
	if after.err == nil {
		t.Fatalf("the POST on a connection of the crashed worker got status %d, want the connection closed", after.status)
	}

	again := send(pooled, s, "POST", "/api/v1/companies/search", reference.RoleRead, `{"query":"stack"}`)
	again.expectStatus(t, 200)
	if again.reused {
		t.Errorf("the request after the failed one reused a connection; want a new one")
	}
}

// TestCrashClosesTheConnectionWithoutAByte reads the crashing request's
// connection itself: it closes with nothing written.
func TestCrashClosesTheConnectionWithoutAByte(t *testing.T) {
	s := start(t, crashOnUnbound())
	conn, err := net.Dial("tcp", s.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "GET /api/v1/credits HTTP/1.1\r\nHost: stack\r\nAuthorization: Bearer " + s.Tokens()[reference.RoleUnbound] + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(conn)
	if len(got) > 0 {
		t.Errorf("the crashing request got %q, want not a byte", got)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("the connection stayed open")
	}
}

// TestCrashNeedsItsRouteAndRole: other tokens on the route, and the role on
// other routes, are answered as usual.
func TestCrashNeedsItsRouteAndRole(t *testing.T) {
	s := start(t, crashOnUnbound())
	c := client(t)
	send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "").expectStatus(t, 200)
	send(c, s, "GET", "/api/v1/exports/"+"00000000-0000-4000-8000-000000000000", reference.RoleUnbound, "").
		expectError(t, 401, "TOKEN_NOT_WORKSPACE_BOUND")
	send(c, s, "GET", "/api/v1/credits", reference.RoleExpired, "").expectError(t, 401, "TOKEN_EXPIRED")

	off := start(t)
	send(client(t), off, "GET", "/api/v1/credits", reference.RoleUnbound, "").expectError(t, 401, "TOKEN_NOT_WORKSPACE_BOUND")
}

// TestCrashWithoutTrackClosesOnlyItsConnection: served by an http.Server
// that has no tracking, the crash cannot reach the other connections.
func TestCrashWithoutTrackClosesOnlyItsConnection(t *testing.T) {
	s := New(crashOnUnbound())
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	t.Cleanup(s.Close)
	c := client(t)
	post := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", hs.URL+"/api/v1/companies/search", nil)
		req.Header.Set("Authorization", "Bearer "+s.Tokens()[reference.RoleRead])
		return c.Do(req)
	}
	resp, err := post()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	req, _ := http.NewRequest("GET", hs.URL+"/api/v1/credits", nil)
	req.Header.Set("Authorization", "Bearer "+s.Tokens()[reference.RoleUnbound])
	if resp, err := client(t).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the crashing request got status %d", resp.StatusCode)
	}
	resp, err = post()
	if err != nil {
		t.Fatalf("the idle connection of an untracked server died with the crash: %v", err)
	}
	resp.Body.Close()
}
