package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// resetOn closes the connection of every request matching broken with a
// TCP RST and not a byte; the rest is the reference's answer.
func resetOn(broken func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(ref http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !broken(r) {
				ref.ServeHTTP(w, r)
				return
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		})
	}
}

// route matches one method and path under /api/v1.
func route(method, path string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method && r.URL.Path == "/api/v1"+path }
}

func everything(*http.Request) bool { return true }

// TestPreflightNeedsOneEndpointToAnswer: the profile's every endpoint is
// probed, and only a target where none answers HTTP, or every answer is a
// 404, is unusable. The first endpoint resetting or hanging is not enough.
func TestPreflightNeedsOneEndpointToAnswer(t *testing.T) {
	prof := fixtures.Default()
	first := prof.Endpoints[0]
	for _, tt := range []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		wantCode int
		wantMsg  string
	}{
		{"the reference", func(ref http.Handler) http.Handler { return ref }, exitOK, ""},
		{"the first endpoint resets", resetOn(route(first.Method, first.Path)), exitOK, ""},
		{"the first endpoint hangs", hangOn(first.Method, "/api/v1"+first.Path), exitOK, ""},
		{"all but GET /credits reset", resetOn(func(r *http.Request) bool { return !route(http.MethodGet, "/credits")(r) }), exitOK, ""},
		{"every endpoint resets", resetOn(everything), exitUnreachable, "cannot reach the target"},
		{"every answer a 404, the rest resets", func(ref http.Handler) http.Handler {
			return resetOn(route(first.Method, first.Path))(http.NotFoundHandler())
		}, exitUnreachable, "every preflight probe hit an unknown route"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.wrap(reference.New()))
			defer srv.Close()
			c, err := probe.New(probe.Options{BaseURL: srv.URL + prof.BasePath, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			code, msg := preflight(context.Background(), c, prof)
			if code != tt.wantCode || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("exit %d %q, want %d saying %q", code, msg, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestPreflightProbesEveryEndpoint: each endpoint of the profile gets its
// unauthenticated request.
func TestPreflightProbesEveryEndpoint(t *testing.T) {
	prof := fixtures.Default()
	seen := make(chan string, 2*len(prof.Endpoints))
	ref := reference.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("%s %s carries an Authorization header", r.Method, r.URL.Path)
		}
		seen <- r.Method + " " + strings.TrimPrefix(r.URL.Path, prof.BasePath)
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := probe.New(probe.Options{BaseURL: srv.URL + prof.BasePath})
	if err != nil {
		t.Fatal(err)
	}
	if code, msg := preflight(context.Background(), c, prof); code != exitOK {
		t.Fatalf("exit %d: %s", code, msg)
	}
	close(seen)
	got := map[string]bool{}
	for s := range seen {
		got[s] = true
	}
	// Real paths: each parameter a made-up UUID, never the template.
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	for _, e := range prof.Endpoints {
		want := regexp.MustCompile("^" + e.Method + " " + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(e.Path), uuid) + "$")
		found := false
		for s := range got {
			found = found || want.MatchString(s)
		}
		if !found {
			t.Errorf("%s %s was not probed at a real path (%s); probed %v", e.Method, e.Path, want, got)
		}
	}
}

// TestAnInterruptedPreflightIsIncomplete: Ctrl-C while the preflight waits
// on a target that does not answer is exit 5, not an unusable target.
func TestAnInterruptedPreflightIsIncomplete(t *testing.T) {
	prof := fixtures.Default()
	c, err := probe.New(probe.Options{BaseURL: "http://" + silentListener(t) + prof.BasePath})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	code, msg := preflight(ctx, c, prof)
	if code != exitIncomplete || !strings.Contains(msg, "preflight") {
		t.Errorf("exit %d %q, want %d", code, msg, exitIncomplete)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s after the interrupt", d)
	}
}

// TestABrokenEndpointDoesNotStopTheRun: with one endpoint resetting every
// connection, conform runs the suite, writes its reports and fails the
// checks that endpoint breaks (exit 1): the first endpoint of the
// profile, which the preflight alone used to probe, or GET /credits.
func TestABrokenEndpointDoesNotStopTheRun(t *testing.T) {
	t.Parallel()
	first := fixtures.Default().Endpoints[0]
	for _, tt := range []struct {
		name   string
		broken func(*http.Request) bool
	}{
		{"GET /credits resets", route(http.MethodGet, "/credits")},
		{"the first endpoint resets", route(first.Method, first.Path)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := wrappedReference(t, resetOn(tt.broken))
			dir := filepath.Join(t.TempDir(), "reports")
			res := runConform(t, env, "run", "--report-dir", dir)
			if res.code != exitViolations {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitViolations, res.stdout, res.stderr)
			}
			for _, f := range []string{"junit.xml", "report.json", "report.html", "summary.md", "config.json"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("no %s: %v", f, err)
				}
			}
			r := readJSONReport(t, filepath.Join(dir, "report.json"))
			failed := false
			for _, ch := range r.Checks {
				if ch.ID == "AUTH-MISSING" && ch.Status == report.Failed && strings.Contains(failureText(ch), "no response") {
					failed = true
				}
			}
			if !failed {
				t.Errorf("AUTH-MISSING does not fail with no response from the broken endpoint")
			}
		})
	}
}
