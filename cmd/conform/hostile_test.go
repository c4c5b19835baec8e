package main

import (
	"bytes"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// hostileRun is one finished conform process against a hostile target.
type hostileRun struct {
	runResult
	// maxRSS is the peak resident memory in bytes, 0 if unknown: conform's
	// own, and the few MiB of the launcher it was forked from
	// (testdata/peakrss), whatever the test process weighs.
	maxRSS int64
	checks map[string]report.Check // by Name, from the JSON report
}

// runConformMeasured runs the binary like runConform, through the peakrss
// launcher, and also reports its peak memory; it must not call t.Fatal,
// as it runs off the test goroutine.
func runConformMeasured(env map[string]string, args ...string) (hostileRun, error) {
	out, err := os.CreateTemp("", "conform-peakrss-")
	if err != nil {
		return hostileRun{}, err
	}
	out.Close()
	defer os.Remove(out.Name())
	withOut := map[string]string{"PEAKRSS_OUT": out.Name()}
	for k, v := range env {
		withOut[k] = v
	}
	res, _, err := execProgram(peakRSS, withOut, append([]string{binary}, args...)...)
	run := hostileRun{runResult: res}
	if err != nil {
		return run, err
	}
	if b, err := os.ReadFile(out.Name()); err == nil {
		run.maxRSS, _ = strconv.ParseInt(string(b), 10, 64)
	}
	return run, nil
}

// hostileCase is one broken or hostile target: start serves it and returns
// the run's environment, args are added to `conform run --json-report`, and
// check judges the finished run.
type hostileCase struct {
	name       string
	start      func(t *testing.T) map[string]string
	args       []string
	wantCode   int
	within     time.Duration
	mustFail   map[string]string // check name → text its message must hold
	mustSkip   map[string]string // check name → text its skip reason must hold
	mustPass   []string
	check      func(t *testing.T, run hostileRun)
	wholeSuite bool // the run gets past the preflight and runs every check
}

// wrappedReference serves a fresh reference behind wrap and returns the
// environment of a run against it (base URL and the seven tokens).
func wrappedReference(t *testing.T, wrap func(ref http.Handler) http.Handler) map[string]string {
	t.Helper()
	ref := reference.New()
	srv := httptest.NewServer(wrap(ref))
	t.Cleanup(srv.Close)
	return tokenEnv(ref.Tokens(), srv.URL+"/api/v1")
}

// onReferenceResponse lets the reference answer, then hands its recorded
// response to alter, which writes the real response (or returns false to
// pass the reference's on unchanged).
func onReferenceResponse(alter func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool) func(http.Handler) http.Handler {
	return func(ref http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			ref.ServeHTTP(rec, r)
			if alter(w, r, rec) {
				return
			}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// notFoundOn selects the reference's 404s for one method and path prefix.
func notFoundOn(method, prefix string, r *http.Request, got *httptest.ResponseRecorder) bool {
	return got.Code == http.StatusNotFound && r.Method == method && strings.HasPrefix(r.URL.Path, prefix)
}

// hangOn never answers requests for one method and path; the rest is the reference.
func hangOn(method, path string) func(http.Handler) http.Handler {
	return func(ref http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == method && r.URL.Path == path {
				<-r.Context().Done() // the client gave up and closed the connection
				return
			}
			ref.ServeHTTP(w, r)
		})
	}
}

// silentListener accepts connections and never reads or writes a byte.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// tlsReference serves the reference over TLS with httptest's certificate and
// returns the environment and that certificate as a PEM file.
func tlsReference(t *testing.T) (map[string]string, string) {
	t.Helper()
	ref := reference.New()
	srv := httptest.NewUnstartedServer(ref)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), ca
}

// oneLine asserts stderr is a single line holding every want.
func oneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("want one line on stderr, got:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, stderr)
		}
	}
}

// failureText is a failed check's message and the errors of its exchanges.
func failureText(c report.Check) string {
	s := c.Explanation()
	for _, ex := range c.Exchanges {
		s += "\n" + ex.Err
	}
	return s
}

func hostileCases() []hostileCase {
	const hang = "no answer within 300ms (--request-timeout)"
	var redirectHits atomic.Int64
	return []hostileCase{
		{
			name: "the reference itself, unaltered (the control)",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, func(ref http.Handler) http.Handler { return ref })
			},
			wantCode:   exitOK,
			within:     30 * time.Second,
			wholeSuite: true,
			check: func(t *testing.T, run hostileRun) {
				if len(run.checks) < 30 {
					t.Errorf("only %d checks ran", len(run.checks))
				}
			},
		},
		{
			name: "a server that accepts connections and never answers",
			start: func(t *testing.T) map[string]string {
				return map[string]string{"CONFORM_BASE_URL": "http://" + silentListener(t) + "/api/v1"}
			},
			args:     []string{"--request-timeout", "300ms"},
			wantCode: exitUnreachable,
			within:   5 * time.Second,
			check: func(t *testing.T, run hostileRun) {
				oneLine(t, run.stderr, "cannot reach the target", hang)
			},
		},
		{
			name: "GET /credits never answers",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, hangOn(http.MethodGet, "/api/v1/credits"))
			},
			args:       []string{"--request-timeout", "300ms"},
			wantCode:   exitViolations,
			within:     60 * time.Second,
			wholeSuite: true,
			mustFail: map[string]string{
				"AUTH-MISSING":        hang,
				"AUTH-UNKNOWN":        hang,
				"AUTH-EXPIRED":        hang,
				"SCOPE-READ-ACCEPTED": hang,
				"RATE-LIMIT-429":      hang,
				// Without a balance known to be zero, the export probe could
				// be charged, so it is not sent; GET /credits answering
				// nothing to anyone all run is a broken operation, which
				// fails the checks that need it.
				"CREDITS-INSUFFICIENT": "broken operation: GET /credits got only no answer within --request-timeout",
				"CREDITS-NO-CHARGE":    "broken operation: GET /credits",
			},
			mustPass: []string{
				"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]",
				"SCOPE-INSUFFICIENT", "EXPORT-NOT-READY", "VALIDATION-422 [missing required name on POST /exports]",
			},
		},
		{
			name: "a 50 MiB error body",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
					if !notFoundOn(http.MethodGet, "/api/v1/companies/", r, got) {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"detail": {"code": "NOT_FOUND", "message": "`)
					streamFiller(w, 50<<20)
					return true
				}))
			},
			wantCode:   exitViolations,
			within:     30 * time.Second,
			wholeSuite: true,
			mustFail:   map[string]string{"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]": "longer than the 65536 bytes read"},
			mustPass:   []string{"NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]", "AUTH-MISSING", "SCOPE-INSUFFICIENT", "RATE-LIMIT-429"},
			check: func(t *testing.T, run hostileRun) {
				if !strings.Contains(run.checks["NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"].Explanation(), "body cut: 65536 bytes read") {
					t.Errorf("the failure does not say the body was cut:\n%s", run.checks["NOTFOUND-UNKNOWN-ID [GET /companies/{id}]"].Explanation())
				}
				// At most 64 KiB of each huge body is read (about 31 MiB at the
				// peak, as for a plain run); without the limit the same run
				// peaks near 2 GiB.
				if run.maxRSS > 64<<20 {
					t.Errorf("peak memory %d MiB: the body was not read through the limit", run.maxRSS>>20)
				}
			},
		},
		{
			name: "every 401 redirected to another host",
			start: func(t *testing.T) map[string]string {
				elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					redirectHits.Add(1)
					w.WriteHeader(http.StatusOK)
				}))
				t.Cleanup(elsewhere.Close)
				return wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
					if got.Code != http.StatusUnauthorized {
						return false
					}
					http.Redirect(w, r, elsewhere.URL+"/login?next="+r.URL.Path, http.StatusFound)
					return true
				}))
			},
			wantCode:   exitViolations,
			within:     30 * time.Second,
			wholeSuite: true,
			mustFail: map[string]string{
				"AUTH-MISSING":                     "302 Found (a redirect to http://127.0.0.1:",
				"AUTH-FORMAT [Basic scheme]":       "not followed",
				"AUTH-UNKNOWN":                     "not followed",
				"AUTH-REVOKED":                     "not followed",
				"AUTH-EXPIRED":                     "not followed",
				"AUTH-UNBOUND":                     "not followed",
				"AUTH-NON-MEMBER":                  "not followed",
				"AUTH-FORMAT [empty header value]": "not followed",
			},
			mustPass: []string{"SCOPE-INSUFFICIENT", "CREDITS-INSUFFICIENT", "NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "RATE-LIMIT-429"},
			check: func(t *testing.T, run hostileRun) {
				if n := redirectHits.Load(); n != 0 {
					t.Errorf("the redirect target received %d requests; a token may have left the target", n)
				}
			},
		},
		{
			name: "connections broken in the middle of 404s",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
					var raw string
					var reset bool
					switch {
					case notFoundOn(http.MethodGet, "/api/v1/companies/", r, got):
						raw, reset = "HTTP/1.1 404 Not Found\r\nContent-Type: applic", true // RST in the headers
					case notFoundOn(http.MethodGet, "/api/v1/exports/", r, got):
						raw = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"detail\": {\"code\": \"NOT_FO" // FIN in the body
					default:
						return false
					}
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						panic(err)
					}
					_, _ = buf.WriteString(raw)
					_ = buf.Flush()
					if tc, ok := conn.(*net.TCPConn); ok && reset {
						_ = tc.SetLinger(0)
					}
					_ = conn.Close()
					return true
				}))
			},
			wantCode:   exitViolations,
			within:     30 * time.Second,
			wholeSuite: true,
			mustFail: map[string]string{
				"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]":      "no response: ",
				"NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]": "the connection closed before the whole response arrived (unexpected EOF)",
			},
			mustPass: []string{"NOTFOUND-UNKNOWN-ID [POST /exports/{export_id}/download]", "AUTH-MISSING", "CREDITS-NO-CHARGE", "RATE-LIMIT-RECOVERY"},
		},
		{
			name: "a text/plain 404",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
					if !notFoundOn(http.MethodGet, "/api/v1/exports/", r, got) {
						return false
					}
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, "oops")
					return true
				}))
			},
			wantCode:   exitViolations,
			within:     30 * time.Second,
			wholeSuite: true,
			mustFail:   map[string]string{"NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]": "body is not valid JSON"},
			mustPass:   []string{"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "AUTH-MISSING", "EXPORT-NOT-READY"},
			check: func(t *testing.T, run hostileRun) {
				msg := run.checks["NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]"].Explanation()
				if !strings.Contains(msg, `expected application/json, got "text/plain; charset=utf-8"`) {
					t.Errorf("the failure does not name the Content-Type:\n%s", msg)
				}
			},
		},
		{
			name: "truncated JSON in a 404",
			start: func(t *testing.T) map[string]string {
				return wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
					if !notFoundOn(http.MethodPost, "/api/v1/exports/", r, got) {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"detail": {"code": "NOT_FO`)
					return true
				}))
			},
			wantCode:   exitViolations,
			within:     30 * time.Second,
			wholeSuite: true,
			mustFail:   map[string]string{"NOTFOUND-UNKNOWN-ID [POST /exports/{export_id}/download]": "body is not valid JSON"},
			mustPass:   []string{"NOTFOUND-UNKNOWN-ID [GET /companies/{id}]", "NOTFOUND-UNKNOWN-ID [GET /exports/{export_id}]", "AUTH-MISSING", "EXPORT-NOT-READY"},
		},
		{
			name: "TLS with a certificate conform does not trust",
			start: func(t *testing.T) map[string]string {
				env, _ := tlsReference(t)
				return env
			},
			wantCode: exitUnreachable,
			within:   5 * time.Second,
			check: func(t *testing.T, run hostileRun) {
				oneLine(t, run.stderr, "cannot reach the target https://", "TLS certificate", "--ca-cert")
			},
		},
		{
			name: "TLS with --ca-cert",
			start: func(t *testing.T) map[string]string {
				env, ca := tlsReference(t)
				env["CONFORM_CA_CERT"] = ca // the flag's environment form
				return env
			},
			wantCode:   exitOK,
			within:     30 * time.Second,
			wholeSuite: true,
			check: func(t *testing.T, run hostileRun) {
				if strings.Contains(run.stdout, "WARNING") {
					t.Errorf("a verified TLS run warns:\n%s", run.stdout)
				}
			},
		},
		{
			name: "TLS with --insecure",
			start: func(t *testing.T) map[string]string {
				env, _ := tlsReference(t)
				return env
			},
			args:       []string{"--insecure"},
			wantCode:   exitOK,
			within:     30 * time.Second,
			wholeSuite: true,
			check: func(t *testing.T, run hostileRun) {
				if !strings.Contains(run.stdout, "WARNING: --insecure: the target's TLS certificate is NOT verified") {
					t.Errorf("no loud warning about --insecure:\n%s", run.stdout)
				}
			},
		},
		{
			name: "another service that answers 404 HTML to everything",
			start: func(t *testing.T) map[string]string {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, "<!doctype html><title>Not Found</title><h1>Nothing here</h1>")
				}))
				t.Cleanup(srv.Close)
				return map[string]string{"CONFORM_BASE_URL": srv.URL + "/api/v1", "CONFORM_TOKEN_READ": "cornect_" + strings.Repeat("0", 32)}
			},
			wantCode: exitUnreachable,
			within:   5 * time.Second,
			check: func(t *testing.T, run hostileRun) {
				oneLine(t, run.stderr, "unknown route", "/api/v1")
			},
		},
	}
}

// streamFiller writes n bytes of filler in small chunks, never holding them
// all, and stops when the client goes away.
func streamFiller(w io.Writer, n int64) {
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

// TestHostileTargets runs conform against broken and hostile servers, a few
// at a time: each must end with a clear failure of the checks it breaks (or
// exit 3 when nothing can be tested), run every other check, and stay
// bounded in time and memory.
func TestHostileTargets(t *testing.T) {
	t.Parallel()
	cases := hostileCases()
	runs := make([]hostileRun, len(cases))
	errs := make([]error, len(cases))
	reports := make([]string, len(cases))
	envs := make([]map[string]string, len(cases))
	for i, c := range cases {
		envs[i] = c.start(t)
		reports[i] = filepath.Join(t.TempDir(), "r.json")
	}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			runs[i], errs[i] = runConformMeasured(envs[i], append([]string{"run", "--json-report", reports[i]}, c.args...)...)
		}()
	}
	wg.Wait()
	// The first case is the unaltered reference: every other run that gets
	// past the preflight must report as many checks.
	baseline := len(readJSONReportIfAny(t, reports[0]))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := runs[i]
			if errs[i] != nil {
				t.Fatalf("running conform: %v", errs[i])
			}
			t.Logf("exit %d in %s, peak memory %d MiB", run.code, run.elapsed.Round(time.Millisecond), run.maxRSS>>20)
			if run.code != c.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", run.code, c.wantCode, run.stdout, run.stderr)
			}
			if run.elapsed > c.within {
				t.Errorf("took %s, want under %s", run.elapsed.Round(time.Millisecond), c.within)
			}
			run.checks = map[string]report.Check{}
			for _, ch := range readJSONReportIfAny(t, reports[i]) {
				run.checks[ch.Name()] = ch
			}
			if c.wholeSuite && len(run.checks) != baseline {
				t.Errorf("the report has %d checks, want all %d: the run did not continue", len(run.checks), baseline)
			}
			for name, want := range c.mustFail {
				ch, ok := run.checks[name]
				switch {
				case !ok:
					t.Errorf("%s: not in the report", name)
				case ch.Status != report.Failed:
					t.Errorf("%s: %s, want failed", name, ch.Status)
				case !strings.Contains(failureText(ch), want):
					t.Errorf("%s: the failure does not say %q:\n%s", name, want, ch.Explanation())
				}
			}
			for name, want := range c.mustSkip {
				if ch := run.checks[name]; (ch.Status != report.Skipped && ch.Status != report.Inconclusive) || !strings.Contains(ch.Explanation(), want) {
					t.Errorf("%s: %s %q, want skipped or inconclusive saying %q", name, ch.Status, ch.Explanation(), want)
				}
			}
			for _, name := range c.mustPass {
				if ch := run.checks[name]; ch.Status != report.Passed {
					t.Errorf("%s: %q, want passed\n%s", name, ch.Status, ch.Explanation())
				}
			}
			if c.check != nil {
				c.check(t, run)
			}
		})
	}
}

// readJSONReportIfAny reads the checks of a JSON report, none if the run
// wrote none (it stopped before the suite).
func readJSONReportIfAny(t *testing.T, path string) []report.Check {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readJSONReport(t, path).Checks
}
