package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/cornect/conform/internal/probe"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// echoingReference serves the reference with errors-as-200 (so many checks
// fail and their evidence reaches every report) behind a hostile wrapper that
// echoes the Authorization header it was sent into every response: into the
// JSON body, a header of its own and WWW-Authenticate.
func echoingReference(t *testing.T) (tokens map[string]string, baseURL string) {
	t.Helper()
	ref, clock := clockedReference(reference.WithFaults("errors-as-200"))
	echo := func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		auth := r.Header.Get("Authorization")
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Set("X-Echo-Authorization", auth)
		w.Header().Add("WWW-Authenticate", `Bearer realm="capi", token="`+strings.TrimPrefix(auth, "Bearer ")+`"`)
		body := rec.Body.Bytes()
		if bytes.HasPrefix(body, []byte("{")) {
			quoted, _ := json.Marshal(auth)
			body = append([]byte(`{"you_sent": `+string(quoted)+`, `), body[1:]...)
		} else {
			body = append(body, []byte("\nyou sent "+auth+"\n")...)
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}
	srv := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(srv.Close)
	shareClock(t, srv.URL+"/api/v1", clock)
	return ref.Tokens(), srv.URL + "/api/v1"
}

// secretForms are the ways a token value could show in an output: as is,
// its secret without the prefix, and escaped for JSON and HTML.
func secretForms(tokens map[string]string) map[string]string {
	forms := map[string]string{}
	for role, v := range tokens {
		forms[v] = probe.Role(role).Var()
		forms[strings.TrimPrefix(v, "cornect_")] = probe.Role(role).Var() + " without its prefix"
		q, _ := json.Marshal(v)
		forms[strings.Trim(string(q), `"`)] = probe.Role(role).Var() + " JSON-escaped"
		forms[html.EscapeString(v)] = probe.Role(role).Var() + " HTML-escaped"
	}
	return forms
}

// TestNoOutputHoldsATokenEvenFromAnEchoingServer runs a failing suite with
// every report and -v against a server that echoes the tokens back, then
// reads everything conform wrote.
func TestNoOutputHoldsATokenEvenFromAnEchoingServer(t *testing.T) {
	t.Parallel()
	tokens, base := echoingReference(t)
	if len(tokens) != len(probe.Roles()) {
		t.Fatalf("the reference has %d tokens, want %d", len(tokens), len(probe.Roles()))
	}
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	env := tokenEnv(tokens, base)
	env["GITHUB_STEP_SUMMARY"] = out("step-summary.md")
	res := runConform(t, env, "run", "-v",
		"--junit-report", out("junit.xml"), "--json-report", out("report.json"),
		"--html-report", out("report.html"), "--summary-md", out("summary.md"),
		"--report-dir", out("all"))
	if res.code != exitViolations {
		t.Fatalf("exit %d, want 1 (errors-as-200 fails checks)\n%s", res.code, res.stderr)
	}

	outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		outputs[strings.TrimPrefix(path, dir+string(filepath.Separator))] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"junit.xml", "report.json", "report.html", "summary.md", "step-summary.md",
		filepath.Join("all", "junit.xml"), filepath.Join("all", "report.json"), filepath.Join("all", "report.html"), filepath.Join("all", "summary.md")} {
		if len(outputs[name]) == 0 {
			t.Errorf("%s was not written or is empty", name)
		}
	}
	forms := secretForms(tokens)
	for name, content := range outputs {
		for form, what := range forms {
			if strings.Contains(content, form) {
				i := strings.Index(content, form)
				t.Errorf("%s holds %s: …%s…", name, what, content[max(0, i-80):i])
			}
		}
	}
	// The outputs are real: the failures' evidence names the token variables.
	for _, name := range []string{"stdout", "junit.xml", "report.json", "report.html", filepath.Join("all", "report.html")} {
		if !strings.Contains(outputs[name], "$CONFORM_TOKEN_") {
			t.Errorf("%s never names a $CONFORM_TOKEN_ variable; the test reads nothing useful", name)
		}
	}
	// And the server did echo: the recorded echoes show the variable instead.
	r := readJSONReport(t, out("report.json"))
	echoes, failed := 0, 0
	for _, c := range r.Checks {
		if c.Status == report.Failed {
			failed++
		}
		for _, ex := range c.Exchanges {
			if v := ex.Header.Get("X-Echo-Authorization"); strings.HasPrefix(v, "Bearer $CONFORM_TOKEN_") {
				echoes++
				if !strings.Contains(ex.BodyText, `"you_sent": "Bearer $CONFORM_TOKEN_`) {
					t.Errorf("%s: an echoed body without the variable: %s", c.Name(), ex.BodyText)
				}
			}
		}
	}
	if echoes < 10 || failed < 5 {
		t.Errorf("%d echoed exchanges with a token, %d failed checks; the run exercised too little", echoes, failed)
	}
}

// TestATokenOnTheCommandLineIsRefusedAndNotEchoed covers the mistakes that
// put a token where conform reads arguments, not variables.
func TestATokenOnTheCommandLineIsRefusedAndNotEchoed(t *testing.T) {
	const token = "cornect_5b1d0c9e7a2f4e3d8c6b5a4938271605"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"as the only argument", []string{"run", token}, "never from the command line"},
		{"after flags", []string{"run", "--label-filter", "auth", token}, "never from the command line"},
		{"after --", []string{"run", "--", token}, "never from the command line"},
		{"with its scheme", []string{"run", "Bearer " + token}, "never from the command line"},
		{"as the user of the base URL", []string{"run", "--base-url", "https://" + token + "@staging.example.com/api/v1"}, "must not hold credentials"},
		{"as the password of the base URL", []string{"run", "--base-url", "https://conform:" + token + "@staging.example.com/api/v1"}, "must not hold credentials"},
		{"as the value of a flag", []string{"run", "--request-timeout", token}, "invalid value"},
		{"as a flag", []string{"run", "--" + token}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := realMain(context.Background(), tt.args, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.want)
			}
			for _, form := range []string{token, strings.TrimPrefix(token, "cornect_")} {
				if strings.Contains(stdout.String()+stderr.String(), form) {
					t.Errorf("the token is echoed back:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
				}
			}
		})
	}
}
