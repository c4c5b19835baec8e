package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"github.com/cornect/conform/internal/probe"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// encodings are the forms a hostile server echoes a bearer token in.
var encodings = map[string]func(token string) string{
	"its secret without the prefix":      func(tok string) string { return strings.TrimPrefix(tok, "cornect_") },
	"std base64":                         func(tok string) string { return base64.StdEncoding.EncodeToString([]byte(tok)) },
	"URL base64":                         func(tok string) string { return base64.URLEncoding.EncodeToString([]byte(tok)) },
	"raw std base64":                     func(tok string) string { return base64.RawStdEncoding.EncodeToString([]byte(tok)) },
	"raw URL base64":                     func(tok string) string { return base64.RawURLEncoding.EncodeToString([]byte(tok)) },
	"std base64 of Bearer <token>":       func(tok string) string { return base64.StdEncoding.EncodeToString([]byte("Bearer " + tok)) },
	"raw URL base64 of Bearer <token>":   func(tok string) string { return base64.RawURLEncoding.EncodeToString([]byte("Bearer " + tok)) },
	"query-escaped Bearer <token>":       func(tok string) string { return url.QueryEscape("Bearer " + tok) },
	"JSON \\u-escaped for HTML, in JSON": func(tok string) string { b, _ := json.Marshal(tok); return string(b[1 : len(b)-1]) },
}

// encodingReference is echoingReference with a server that echoes the
// bearer token it was sent in every encoding that differs from it, never as
// sent.
func encodingReference(t *testing.T, opts ...reference.Option) (tokens map[string]string, baseURL string) {
	t.Helper()
	ref := reference.New(opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		body := rec.Body.Bytes()
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
			echo := map[string]string{}
			for name, enc := range encodings {
				// Only forms that differ: the token as sent is the other tests' business.
				if form := enc(tok); !strings.Contains(form, tok) {
					echo[name] = form
				}
			}
			w.Header().Set("X-Echo-B64", encodings["std base64 of Bearer <token>"](tok))
			w.Header().Set("X-Echo-Secret", encodings["its secret without the prefix"](tok))
			quoted, _ := json.Marshal(echo)
			if bytes.HasPrefix(body, []byte("{")) {
				body = append([]byte(`{"echo": `+string(quoted)+`, `), body[1:]...)
			} else {
				body = append(body, append([]byte("\necho "), quoted...)...)
			}
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return ref.Tokens(), srv.URL + "/api/v1"
}

func TestNoOutputHoldsAnEncodedToken(t *testing.T) {
	t.Parallel()
	tokens, base := encodingReference(t, reference.WithFaults("errors-as-200"))
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	env := tokenEnv(tokens, base)
	env["GITHUB_STEP_SUMMARY"] = out("step-summary.md")
	res := runConform(t, env, "run", "-v", "--report-dir", out("all"))
	if res.code != exitViolations {
		t.Fatalf("exit %d, want 1 (errors-as-200 fails checks)\n%s", res.code, res.stderr)
	}
	outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	for _, name := range []string{report.JUnitFile, report.JSONFile, report.HTMLFile, report.MarkdownFile} {
		b, err := os.ReadFile(out(filepath.Join("all", name)))
		if err != nil || len(b) == 0 {
			t.Fatalf("%s was not written: %v", name, err)
		}
		outputs[name] = string(b)
	}
	b, _ := os.ReadFile(out("step-summary.md"))
	outputs["step summary"] = string(b)
	for name, content := range outputs {
		for role, tok := range tokens {
			for what, enc := range encodings {
				if form := enc(tok); strings.Contains(content, form) {
					i := strings.Index(content, form)
					t.Errorf("%s holds %s of %s: …%s…", name, what, probe.Role(role).Var(), content[max(0, i-80):i])
				}
			}
		}
	}
	// The server did echo, and the evidence shows the variable instead.
	r := readJSONReport(t, out(filepath.Join("all", report.JSONFile)))
	echoes := 0
	for _, c := range r.Checks {
		for _, ex := range c.Exchanges {
			if strings.HasPrefix(ex.Header.Get("X-Echo-B64"), "$CONFORM_TOKEN_") {
				echoes++
			}
		}
	}
	if echoes < 10 {
		t.Errorf("%d exchanges echoed a run's token; the run exercised too little", echoes)
	}
}

// TestSecurityNoLeakFindsAnEncodedUnknownToken runs SECURITY-NO-LEAK alone
// and without tokens, so the one token sent is the check's own random one,
// which the redactor does not know: only the matcher can see its echo.
func TestSecurityNoLeakFindsAnEncodedUnknownToken(t *testing.T) {
	t.Parallel()
	_, base := encodingReference(t)
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, map[string]string{"CONFORM_BASE_URL": base}, "run", "--focus", "SECURITY-NO-LEAK", "--json-report", path)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0 (a failed SHOULD is a warning)\n%s", res.code, res.stderr)
	}
	selected := readJSONReport(t, path).Selected()
	if len(selected) != 1 || selected[0].ID != "SECURITY-NO-LEAK" {
		t.Fatalf("ran %d checks, want SECURITY-NO-LEAK alone", len(selected))
	}
	c := selected[0]
	if c.Status != report.Warning || !strings.Contains(c.Explanation(), "echoes the presented token") || strings.Contains(c.Explanation(), "$CONFORM_TOKEN_") {
		t.Errorf("SECURITY-NO-LEAK is %s, want a warning that the unknown token is echoed:\n%s", c.Status, c.Explanation())
	}
}
