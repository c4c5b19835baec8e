package stackserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// exportBody is a valid POST /exports body: a small export for workspace A.
const exportBody = `{"name":"stack probe","search_filters":{"countries":["Germany"],"employee_count_max":15}}`

// start serves a Server on loopback for the test.
func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// client is a net/http client with a pool of its own, so a test knows which
// connections it holds.
func client(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// result is one response, read to the end, and how it travelled.
type result struct {
	status  int
	header  http.Header
	body    []byte
	reused  bool // sent on a connection of the pool
	elapsed time.Duration
	err     error // the transport's, when there was no response
}

// send sends a request; role "" sends no Authorization header, body "" none.
func send(c *http.Client, s *Server, method, path, role, body string) result {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		return result{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.Tokens()[role])
	}
	var res result
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { res.reused = info.Reused },
	}))
	began := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		res.err, res.elapsed = err, time.Since(began)
		return res
	}
	defer resp.Body.Close()
	res.body, res.err = io.ReadAll(resp.Body)
	res.status, res.header, res.elapsed = resp.StatusCode, resp.Header, time.Since(began)
	return res
}

// wireError is the documented envelope as a client decodes it.
type wireError struct {
	Detail struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"detail"`
}

// expectError checks status, JSON content type and the envelope with code.
func (r result) expectError(t *testing.T, status int, code string) wireError {
	t.Helper()
	if r.err != nil {
		t.Fatalf("no response: %v", r.err)
	}
	if r.status != status {
		t.Errorf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var w wireError
	if err := json.Unmarshal(r.body, &w); err != nil || w.Detail.Code == "" || w.Detail.Message == "" {
		t.Fatalf("body is not the error envelope (err %v): %s", err, r.body)
	}
	if w.Detail.Code != code {
		t.Errorf("code %q, want %q", w.Detail.Code, code)
	}
	return w
}

func (r result) expectStatus(t *testing.T, status int) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("no response: %v", r.err)
	}
	if r.status != status {
		t.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
}

// fastWindow keeps the reference's documented limits but lets tests that
// send many POST /exports do so.
func fastWindow() Option { return WithReference(reference.WithRateWindow(time.Second)) }
