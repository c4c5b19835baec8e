package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testToken is the value of the read token in these tests; it must never
// appear in anything the client records.
const testToken = "cornect_0123456789abcdef0123456789abcdef"

func readCred() Credential { return NewCredential("CONFORM_TOKEN_READ", testToken) }

// newTestClient builds a client for base with the read credential known for
// redaction; opts may change anything else.
func newTestClient(t *testing.T, base string, opts ...func(*Options)) *Client {
	t.Helper()
	o := Options{BaseURL: base, Credentials: []Credential{readCred()}}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// readRequest is a GET of path with the read token, as the suite sends it.
func readRequest(path string) Request {
	auth, cred := Bearer(readCred())
	return Request{Method: http.MethodGet, Path: path, Authorization: auth, Token: cred}
}

// countingServer counts the requests it receives and answers 200.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRedirectsAreNotFollowedAndTheTokenStaysHome(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			elsewhere, hits := countingServer(t)
			location := elsewhere.URL + "/steal?from=conform"
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, location, status)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL+"/api/v1")
			ex := c.Do(context.Background(), readRequest("/credits"))
			if ex.Status != status {
				t.Errorf("status %d, want the redirect itself (%d); err %q", ex.Status, status, ex.Err)
			}
			if got := ex.Header.Get("Location"); got != location {
				t.Errorf("Location %q, want %q kept in the exchange", got, location)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("the redirect's host received %d requests, want none", n)
			}
		})
	}
}

// streamBody writes n bytes in small chunks, never holding them all, and
// stops as soon as the client goes away.
func streamBody(w http.ResponseWriter, n int64) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

func TestBodiesAreReadThroughTheLimit(t *testing.T) {
	tests := []struct {
		name          string
		maxBody       int64 // 0: the default
		size          int64
		wantLen       int64
		wantTruncated bool
	}{
		{"50 MiB with the default limit", 0, 50 << 20, DefaultMaxBody, true},
		{"exactly the limit", 1024, 1024, 1024, false},
		{"one byte over the limit", 1024, 1025, 1024, true},
		{"empty", 1024, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				streamBody(w, tt.size)
				served.Store(true)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(o *Options) { o.MaxBody = tt.maxBody })
			start := time.Now()
			ex := c.Do(context.Background(), readRequest("/companies/x"))
			elapsed := time.Since(start)
			if ex.Status != http.StatusNotFound || ex.Err != "" {
				t.Fatalf("got %s (err %q), want the 404 with its body", ex.Outcome(), ex.Err)
			}
			if int64(len(ex.Body)) != tt.wantLen || int64(len(ex.BodyText)) != tt.wantLen {
				t.Errorf("read %d bytes (text %d), want %d", len(ex.Body), len(ex.BodyText), tt.wantLen)
			}
			if ex.Truncated != tt.wantTruncated {
				t.Errorf("Truncated %v, want %v", ex.Truncated, tt.wantTruncated)
			}
			if elapsed > 2*time.Second {
				t.Errorf("took %s: the read is not bounded", elapsed)
			}
		})
	}
}

func TestARequestWithoutAnAnswerTimesOut(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantErr    string
	}{
		{
			name: "no headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			wantStatus: 0,
			wantErr:    "no answer within 200ms (--request-timeout)",
		},
		{
			name: "headers, then a body that never ends",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"detail": {"code": "INVAL`)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			wantStatus: http.StatusUnauthorized,
			wantErr:    "reading the body: no answer within 200ms (--request-timeout)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 200 * time.Millisecond })
			start := time.Now()
			ex := c.Do(context.Background(), readRequest("/credits"))
			elapsed := time.Since(start)
			if ex.Status != tt.wantStatus {
				t.Errorf("status %d, want %d", ex.Status, tt.wantStatus)
			}
			if ex.Err != tt.wantErr {
				t.Errorf("Err %q, want %q", ex.Err, tt.wantErr)
			}
			if elapsed > 800*time.Millisecond {
				t.Errorf("took %s with a 200ms timeout", elapsed)
			}
		})
	}
}

// hijacked serves one raw response per connection: it writes raw and closes
// the connection, with reset sending a TCP RST instead of a FIN.
func hijacked(t *testing.T, raw string, reset bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestABrokenConnectionGivesAnExchangeWithErr(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		reset      bool
		wantStatus int
		wantErr    string
	}{
		{"closed before any byte", "", false, 0, "the target closed the connection without answering"},
		{"reset before any byte", "", true, 0, ""},
		{"partial status line", "HTTP/1.1 40", false, 0, ""},
		{"partial headers", "HTTP/1.1 404 Not Found\r\nContent-Type: appl", true, 0, ""},
		{"body cut short", "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"detail\": {\"code\": \"NOT_FO", false, 404, "reading the body: the connection closed before the whole response arrived (unexpected EOF)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := hijacked(t, tt.raw, tt.reset)
			c := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 2 * time.Second })
			ex := c.Do(context.Background(), readRequest("/companies/x"))
			if ex.Status != tt.wantStatus {
				t.Errorf("status %d, want %d (err %q)", ex.Status, tt.wantStatus, ex.Err)
			}
			if ex.Err == "" || !strings.Contains(ex.Err, tt.wantErr) {
				t.Errorf("Err %q, want it set and mentioning %q", ex.Err, tt.wantErr)
			}
			if strings.Contains(ex.Err, "no answer within") {
				t.Errorf("Err %q blames a timeout for a broken connection", ex.Err)
			}
			if !strings.Contains(ex.Evidence(""), ex.Err) {
				t.Errorf("the evidence does not show the error %q:\n%s", ex.Err, ex.Evidence(""))
			}
		})
	}
}

// script answers with the given statuses in turn (the last one repeats),
// each 429 with the given Retry-After, and records the bodies it received.
type script struct {
	mu         sync.Mutex
	statuses   []int
	retryAfter string
	bodies     []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(len(s.bodies), len(s.statuses)-1)
	s.bodies = append(s.bodies, string(b))
	status := s.statuses[i]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", s.retryAfter)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"detail": {"code": "RATE_LIMITED", "message": "slow down"}}`)
		return
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"balance": 0}`)
}

func (s *script) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func TestAnUnprovoked429IsWaitedOutAndRetried(t *testing.T) {
	t.Parallel()
	s := &script{statuses: []int{429, 200}, retryAfter: "1"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var notes []string
	var mu sync.Mutex
	c := newTestClient(t, srv.URL, func(o *Options) {
		o.Logf = func(f string, a ...any) { mu.Lock(); notes = append(notes, fmt.Sprintf(f, a...)); mu.Unlock() }
	})
	auth, cred := Bearer(readCred())
	r := Request{Method: http.MethodPost, Path: "/exports", Body: []byte(`{"name": "conform probe"}`), Authorization: auth, Token: cred}
	start := time.Now()
	ex := c.Do(context.Background(), r)
	elapsed := time.Since(start)
	if ex.Status != http.StatusOK {
		t.Fatalf("got %s, want the 200 after one retry", ex.Outcome())
	}
	if ex.Retries != 1 || ex.RetryWaited < time.Second {
		t.Errorf("Retries %d, RetryWaited %s; want 1 and at least Retry-After's 1s", ex.Retries, ex.RetryWaited)
	}
	if elapsed < time.Second || elapsed > 2*time.Second {
		t.Errorf("took %s, want about the 1s Retry-After asked for", elapsed)
	}
	st := c.Stats()
	if st.Requests != 2 || st.Retries != 1 || st.RetryWaited != ex.RetryWaited {
		t.Errorf("stats %+v; want 2 requests, 1 retry, %s waited", st, ex.RetryWaited)
	}
	if got := s.received(); len(got) != 2 || got[0] != string(r.Body) || got[1] != string(r.Body) {
		t.Errorf("the server received bodies %q; want the same body twice", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notes) != 1 || !strings.Contains(notes[0], "Retry-After") {
		t.Errorf("notes %q; want one about waiting Retry-After", notes)
	}
}

func TestRetriesOn429AreBounded(t *testing.T) {
	tests := []struct {
		name         string
		provoke      bool
		retryAfter   string
		maxRetries   int
		maxRetryWait time.Duration
		wantRequests int
		wantWaited   time.Duration // exact when not zero: the cap
	}{
		{"a provoked 429 comes back at once", true, "1", 0, 0, 1, 0},
		{"MaxRetries 1", false, "0", 1, 20 * time.Millisecond, 2, 20 * time.Millisecond},
		{"MaxRetries 3", false, "0", 3, 20 * time.Millisecond, 4, 60 * time.Millisecond},
		{"a huge Retry-After is capped by MaxRetryWait", false, "3600", 1, 50 * time.Millisecond, 2, 50 * time.Millisecond},
		{"a far HTTP-date is capped by MaxRetryWait", false, time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat), 1, 50 * time.Millisecond, 2, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{statuses: []int{429}, retryAfter: tt.retryAfter}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries, o.MaxRetryWait = tt.maxRetries, tt.maxRetryWait })
			r := readRequest("/credits")
			r.Provoke = tt.provoke
			start := time.Now()
			ex := c.Do(context.Background(), r)
			elapsed := time.Since(start)
			if ex.Status != http.StatusTooManyRequests {
				t.Errorf("got %s, want the last 429", ex.Outcome())
			}
			if n := len(s.received()); n != tt.wantRequests {
				t.Errorf("the server received %d requests, want %d", n, tt.wantRequests)
			}
			if ex.Retries != tt.wantRequests-1 || c.Stats().Retries != int64(tt.wantRequests-1) {
				t.Errorf("Retries %d (stats %d), want %d", ex.Retries, c.Stats().Retries, tt.wantRequests-1)
			}
			if ex.RetryWaited != tt.wantWaited {
				t.Errorf("RetryWaited %s, want %s", ex.RetryWaited, tt.wantWaited)
			}
			if elapsed > 500*time.Millisecond {
				t.Errorf("took %s", elapsed)
			}
		})
	}
}

func TestARetryWaitEndsWithTheContext(t *testing.T) {
	s := &script{statuses: []int{429}, retryAfter: "30"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ex := c.Do(ctx, readRequest("/credits"))
	if ex.Status != http.StatusTooManyRequests || time.Since(start) > time.Second {
		t.Errorf("got %s after %s; want the 429 as soon as the context ends", ex.Outcome(), time.Since(start))
	}
}

func TestPacingWaitsForTheThirdRequestOfALimitOfTwo(t *testing.T) {
	srv, hits := countingServer(t)
	var notes []string
	var mu sync.Mutex
	c := newTestClient(t, srv.URL, func(o *Options) {
		o.Limits = map[string]int{"GET /x": 2}
		o.Logf = func(f string, a ...any) { mu.Lock(); notes = append(notes, fmt.Sprintf(f, a...)); mu.Unlock() }
	})
	for i := range 2 {
		if ex := c.Do(context.Background(), readRequest("/x")); ex.Status != 200 {
			t.Fatalf("request %d: %s", i+1, ex.Outcome())
		}
	}
	// The third would wait 30s for its token: the context ends the wait first.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ex := c.Do(ctx, readRequest("/x"))
	if time.Since(start) > time.Second || ex.Status != 0 || ex.Err == "" {
		t.Errorf("third request: %s after %s; want no request sent, ended by the context", ex.Outcome(), time.Since(start))
	}
	if hits.Load() != 2 {
		t.Errorf("the server received %d requests, want 2", hits.Load())
	}
	mu.Lock()
	if len(notes) != 1 || !regexp.MustCompile(`^pacing GET /x: waiting (29\.9\d*|30)s .* 2/min$`).MatchString(notes[0]) {
		t.Errorf("notes %q, want one pacing note naming the endpoint, the 30s wait and the limit", notes)
	}
	mu.Unlock()

	// A deliberate burst is not paced, and other credentials have buckets of their own.
	r := readRequest("/x")
	r.Provoke = true
	if ex := c.Do(context.Background(), r); ex.Status != 200 {
		t.Errorf("provoked request: %s", ex.Outcome())
	}
	other := readRequest("/x")
	other.Token = NewCredential("CONFORM_TOKEN_READ_WRITE", "cornect_other")
	quick, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if ex := c.Do(quick, other); ex.Status != 200 {
		t.Errorf("another credential's request: %s", ex.Outcome())
	}
}

func TestAnUntrustedCertificateIsNamedAsSuch(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ex := newTestClient(t, srv.URL).Do(context.Background(), readRequest("/credits"))
	for _, want := range []string{"TLS certificate is not trusted", "x509: certificate signed by unknown authority", "--ca-cert"} {
		if ex.Status != 0 || !strings.Contains(ex.Err, want) {
			t.Errorf("got %s; want no response with an error saying %q", ex.Outcome(), want)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	trusting := newTestClient(t, srv.URL, func(o *Options) { o.TLSConfig = &tls.Config{RootCAs: pool} })
	if ex := trusting.Do(context.Background(), readRequest("/credits")); ex.Status != http.StatusOK {
		t.Errorf("with the CA trusted: %s", ex.Outcome())
	}
}

func TestAnUnusableBaseURLIsRefused(t *testing.T) {
	for _, base := range []string{"ftp://example.com/api/v1", "http:///api/v1", "://x",
		"https://u:" + testToken + "@example.com/api/v1", "https://" + testToken + "@example.com/api/v1"} {
		t.Run(base, func(t *testing.T) {
			c, err := New(Options{BaseURL: base})
			if err == nil {
				t.Fatalf("New accepted %q: %v", base, c.BaseURL())
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the URL's credentials: %v", err)
			}
		})
	}
}

// echoServer answers 401 echoing the Authorization header it received into
// the body, a response header and a Location.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", got)
		w.Header().Add("Set-Cookie", "t="+strings.TrimPrefix(got, "Bearer "))
		w.Header().Set("Location", "/login?token="+strings.TrimPrefix(got, "Bearer "))
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"detail": {"code": "INVALID_TOKEN", "message": "bad token %s", "details": {"sent": %q, "body": %q, "path": %q}}}`+"\n", got, got, b, r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recorded renders everything an exchange holds that reaches a report, by
// the name of the field or method.
func recorded(ex Exchange) map[string]string {
	return map[string]string{
		"%+v": fmt.Sprintf("%+v", ex), "%#v": fmt.Sprintf("%#v", ex), "Body": string(ex.Body), "BodyText": ex.BodyText,
		"Header": fmt.Sprint(ex.Header), "ReqHeader": fmt.Sprint(ex.ReqHeader), "Curl": ex.Curl, "URL": ex.URL,
		"Auth": ex.Auth, "ReqBody": ex.ReqBody, "Err": ex.Err, "Line": ex.Line(), "Outcome": ex.Outcome(), "Evidence": ex.Evidence(""),
	}
}

// leaks names the recorded fields that hold the token value.
func leaks(ex Exchange) []string {
	var ls []string
	for name, v := range recorded(ex) {
		if strings.Contains(v, testToken) {
			ls = append(ls, name)
		}
	}
	sort.Strings(ls)
	return ls
}

func TestEchoedTokensAreRedactedInTheExchange(t *testing.T) {
	srv := echoServer(t)
	c := newTestClient(t, srv.URL+"/api/v1")
	auth, cred := Bearer(readCred())
	tests := []struct {
		name string
		r    Request
	}{
		{"in the Authorization header", Request{Method: "GET", Path: "/credits", Authorization: auth, Token: cred}},
		{"also in the body", Request{Method: "POST", Path: "/exports", Body: []byte(`{"name": "` + testToken + `"}`), Authorization: auth, Token: cred}},
		{"also in the path", Request{Method: "GET", Path: "/companies/" + testToken, Template: "/companies/{id}", Authorization: auth, Token: cred}},
		{"in a literal header", Request{Method: "GET", Path: "/credits", Authorization: Header("Bearer " + testToken)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := c.Do(context.Background(), tt.r)
			if ex.Status != http.StatusUnauthorized {
				t.Fatalf("got %s", ex.Outcome())
			}
			if ls := leaks(ex); len(ls) > 0 {
				t.Errorf("the token value is in %v:\n%s", ls, ex.Evidence(""))
			}
			for _, field := range []struct{ name, value string }{
				{"Body", string(ex.Body)}, {"BodyText", ex.BodyText}, {"Header X-Echo", ex.Header.Get("X-Echo")},
				{"Header Location", ex.Header.Get("Location")}, {"ReqHeader", ex.ReqHeader.Get("Authorization")}, {"Curl", ex.Curl},
			} {
				if !strings.Contains(field.value, "$CONFORM_TOKEN_READ") {
					t.Errorf("%s %q does not show $CONFORM_TOKEN_READ", field.name, field.value)
				}
			}
		})
	}
}

func TestATransportErrorIsRedacted(t *testing.T) {
	// A server whose reply is garbage that quotes the token: Go's transport
	// puts the malformed line into its error.
	srv := hijacked(t, "HTTP/1.1 "+testToken+" nope\r\n\r\n", false)
	c := newTestClient(t, srv.URL)
	ex := c.Do(context.Background(), readRequest("/credits"))
	if ex.Err == "" {
		t.Fatalf("got %s, want a transport error", ex.Outcome())
	}
	if ls := leaks(ex); len(ls) > 0 {
		t.Errorf("the token value is in %v: %q", ls, ex.Err)
	}
}

func TestTheUserAgentNamesConformAndTheGivenVersion(t *testing.T) {
	for _, tt := range []struct{ option, want string }{
		{"", "conform"},
		{"conform/0.2.0", "conform/0.2.0"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			got := make(chan string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- r.UserAgent()
			}))
			t.Cleanup(srv.Close)
			c := newTestClient(t, srv.URL, func(o *Options) { o.UserAgent = tt.option })
			c.Do(context.Background(), readRequest("/credits"))
			if ua := <-got; ua != tt.want {
				t.Errorf("User-Agent %q, want %q", ua, tt.want)
			}
		})
	}
}

// TestHugeResponseHeadersAreCutAtTheCapAndSaidSo: a target sending a MiB
// of headers costs conform at most MaxHeaderBytes, and the exchange says why
// no response was read.
func TestHugeResponseHeadersAreCutAtTheCapAndSaidSo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Filler", strings.Repeat("x", 1<<20))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ex := c.Do(context.Background(), Request{Method: "GET", Path: "/credits"})
	if ex.Status != 0 || !strings.Contains(ex.Err, "headers exceed 64 KiB") {
		t.Errorf("got %s (%q), want no response and a line saying the headers exceed the cap", ex.Outcome(), ex.Err)
	}
}
