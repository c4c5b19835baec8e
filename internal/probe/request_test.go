package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// shellArgs runs a curl line in sh with curl replaced by a function that
// prints its arguments, NUL-separated, and the token variable set.
func shellArgs(t *testing.T, line string) []string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	script := `curl() { for a in "$@"; do printf '%s\0' "$a"; done; }; ` + line
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = []string{"CONFORM_TOKEN_READ=" + testToken, "HOME=/nonexistent"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", script, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func TestCurlQuotesLiterallyAndKeepsTheTokenVariable(t *testing.T) {
	red := NewRedactor(readCred())
	auth, cred := Bearer(readCred())
	tests := []struct {
		name     string
		r        Request
		wantAuth string // the header after the shell expanded it; "" for none
		wantBody string
	}{
		{"quote and dollar in the body", Request{Method: "POST", Body: []byte(`{"name": "it's $HOME and $(id) and ` + "`id`" + `"}`), Authorization: auth, Token: cred},
			"Authorization: Bearer " + testToken, `{"name": "it's $HOME and $(id) and ` + "`id`" + `"}`},
		{"newline, backslash and double quotes", Request{Method: "POST", Body: []byte("{\"a\": \"line\\none\"}\n'\"'"), Authorization: auth, Token: cred},
			"Authorization: Bearer " + testToken, "{\"a\": \"line\\none\"}\n'\"'"},
		{"a literal header with shell syntax", Request{Method: "GET", Authorization: Header(`Bearer $HOME "x" \ ` + "`id`" + ` $(id)`)},
			`Authorization: Bearer $HOME "x" \ ` + "`id`" + ` $(id)`, ""},
		{"an empty header", Request{Method: "GET", Authorization: Header("")}, "Authorization;", ""},
		{"no header", Request{Method: "GET"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := curl(tt.r.Method, "http://127.0.0.1:1/api/v1/it's", "conform/test", tt.r, red)
			if strings.Contains(line, testToken) {
				t.Fatalf("the curl line holds the token value: %s", line)
			}
			args := shellArgs(t, line)
			want := []string{"-sS", "-i", "--compressed", "-X", tt.r.Method, "http://127.0.0.1:1/api/v1/it's", "-H", "Accept: */*", "-A", "conform/test"}
			if tt.wantAuth != "" || tt.r.Authorization != nil {
				want = append(want, "-H", tt.wantAuth)
			}
			if tt.r.Body != nil {
				want = append(want, "-H", "Content-Type: application/json", "--data-raw", tt.wantBody)
			}
			if strings.Join(args, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("the shell passed\n  %q\nwant\n  %q\nfrom: %s", args, want, line)
			}
			if tt.r.Token.Present() && !strings.Contains(line, `"Authorization: Bearer $CONFORM_TOKEN_READ"`) {
				t.Errorf("the Authorization header is not shown as an expandable $CONFORM_TOKEN_READ: %s", line)
			}
		})
	}
}

// TestACurlLineSendsWhatTheProbeSent sends each request once through the
// client and once by running its curl line with the real curl, to a server
// that records what it got: every header that can change the answer, and
// the body, must be the same.
func TestACurlLineSendsWhatTheProbeSent(t *testing.T) {
	curlBin, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on PATH")
	}
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
		for _, k := range []string{"Accept", "User-Agent", "Authorization", "Content-Type"} {
			vs, ok := r.Header[k]
			fmt.Fprintf(&b, "%s present=%v %q\n", k, ok, vs)
		}
		// Go asks for gzip only; curl's --compressed for more. Both accept it.
		fmt.Fprintf(&b, "gzip accepted=%v\nbody %q\n", strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"), body)
		mu.Lock()
		got = append(got, b.String())
		mu.Unlock()
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/api/v1", Credentials: []Credential{readCred()}, UserAgent: "conform/curl-test"})
	if err != nil {
		t.Fatal(err)
	}
	auth, cred := Bearer(readCred())
	tests := []struct {
		name string
		r    Request
	}{
		{"the default Accept and a token", Request{Method: "GET", Path: "/credits", Authorization: auth, Token: cred}},
		{"no Accept at all", Request{Method: "GET", Path: "/credits", OmitAccept: true}},
		{"a browser's Accept", Request{Method: "GET", Path: "/credits", Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}},
		{"an empty Authorization header", Request{Method: "GET", Path: "/credits", Authorization: Header("")}},
		{"a JSON body", Request{Method: "POST", Path: "/exports", Body: []byte(`{"name": "it's"}`), Authorization: auth, Token: cred}},
		{"an empty body", Request{Method: "POST", Path: "/exports", Body: []byte{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			ex := c.Do(context.Background(), tt.r)
			if ex.Err != "" {
				t.Fatal(ex.Err)
			}
			cmd := exec.Command("sh", "-c", ex.Curl)
			cmd.Env = []string{"CONFORM_TOKEN_READ=" + testToken, "PATH=" + filepath.Dir(curlBin), "HOME=/nonexistent"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", ex.Curl, err, out)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 {
				t.Fatalf("the server got %d requests, want 2", len(got))
			}
			if got[0] != got[1] {
				t.Errorf("conform sent\n%s\nits curl line sent\n%s\nline: %s", got[0], got[1], ex.Curl)
			}
		})
	}
}
