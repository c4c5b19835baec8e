package probe

import (
	"os/exec"
	"strings"
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
		{"an empty header", Request{Method: "GET", Authorization: Header("")}, "Authorization: ", ""},
		{"no header", Request{Method: "GET"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := curl(tt.r.Method, "http://127.0.0.1:1/api/v1/it's", tt.r, red)
			if strings.Contains(line, testToken) {
				t.Fatalf("the curl line holds the token value: %s", line)
			}
			args := shellArgs(t, line)
			want := []string{"-sS", "-i", "-X", tt.r.Method, "http://127.0.0.1:1/api/v1/it's"}
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
