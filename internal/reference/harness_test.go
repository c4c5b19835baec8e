package reference

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// epoch is when every test server is created.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const v1 = "/api/v1"

// env is one reference server on a manual clock.
type env struct {
	t      *testing.T
	srv    *Server
	clock  *ManualClock
	tokens map[string]string
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	clock := NewManualClock(epoch)
	srv := New(append([]Option{WithClock(clock)}, opts...)...)
	return &env{t: t, srv: srv, clock: clock, tokens: srv.Tokens()}
}

// result is one captured response.
type result struct {
	status int
	header http.Header
	body   []byte
}

// modifier adjusts a request before it is sent.
type modifier func(*http.Request)

func withHeader(name, value string) modifier {
	return func(r *http.Request) { r.Header[name] = append(r.Header[name], value) }
}

func setHeader(name, value string) modifier {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func fromIP(ip string) modifier {
	return func(r *http.Request) { r.RemoteAddr = ip + ":40000" }
}

// do sends a request as the token of role ("" sends no Authorization).
func (e *env) do(method, path, role, body string, mods ...modifier) *result {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		tok, ok := e.tokens[role]
		if !ok {
			e.t.Fatalf("no token role %q", role)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, m := range mods {
		m(req)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return &result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (e *env) get(path, role string, mods ...modifier) *result {
	e.t.Helper()
	return e.do(http.MethodGet, v1+path, role, "", mods...)
}

func (e *env) post(path, role, body string, mods ...modifier) *result {
	e.t.Helper()
	return e.do(http.MethodPost, v1+path, role, body, mods...)
}

// createExport creates an export and fails the test unless it got 201.
func (e *env) createExport(role, body string) createExportResponse {
	e.t.Helper()
	r := e.post("/exports", role, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("POST /exports %s: status %d, body %s", body, r.status, r.body)
	}
	return decodeAs[createExportResponse](e.t, r)
}

func (e *env) credits(role string) creditsResponse {
	e.t.Helper()
	r := e.get("/credits", role)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET /credits: status %d, body %s", r.status, r.body)
	}
	return decodeAs[creditsResponse](e.t, r)
}

// decodeAs decodes a JSON body into the server's own response type (its
// exported fields carry the JSON names).
func decodeAs[T any](t *testing.T, r *result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %T from %s: %v", v, short(r.body), err)
	}
	return v
}

// wireError is the documented envelope as a client decodes it.
type wireError struct {
	Detail struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"detail"`
}

// envelope decodes the documented error envelope, failing the test when the
// body is not one.
func (r *result) envelope(t *testing.T) wireError {
	t.Helper()
	var w wireError
	if err := json.Unmarshal(r.body, &w); err != nil || w.Detail.Code == "" {
		t.Fatalf("body is not the error envelope (err %v): %s", err, short(r.body))
	}
	return w
}

// expectError checks status, JSON content type, envelope, code and a message.
func (r *result) expectError(t *testing.T, status int, code string) wireError {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d (body %s)", r.status, status, short(r.body))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	w := r.envelope(t)
	if w.Detail.Code != code {
		t.Errorf("code %q, want %q", w.Detail.Code, code)
	}
	if w.Detail.Message == "" {
		t.Errorf("envelope without message: %s", r.body)
	}
	return w
}

func (r *result) expectStatus(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (body %s)", r.status, status, short(r.body))
	}
}

// problems returns the validation problems of a 422 envelope.
func (r *result) problems(t *testing.T) []fieldProblem {
	t.Helper()
	var d struct {
		Errors []fieldProblem `json:"errors"`
	}
	if err := json.Unmarshal(r.envelope(t).Detail.Details, &d); err != nil {
		t.Fatalf("details are not {errors:[…]}: %s", r.body)
	}
	return d.Errors
}

// short keeps failure messages readable.
func short(b []byte) string {
	const limit = 400
	if len(b) <= limit {
		return string(b)
	}
	return string(b[:limit]) + "…"
}
