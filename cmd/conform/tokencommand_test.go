package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/probe"
)

// tokenScript writes a shell script that prints body on its standard
// output and returns the command that runs it.
func tokenScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.sh")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(path, `'"\ $`) {
		t.Skip("the temporary path needs quoting")
	}
	return "sh " + path
}

// tokenJSON is the JSON object a token command prints for tokens by role
// (the reference's role names).
func tokenJSON(t *testing.T, tokens map[string]string) string {
	t.Helper()
	byVar := map[string]string{}
	for role, v := range tokens {
		byVar[probe.Role(role).Var()] = v
	}
	b, err := json.Marshal(byVar)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTokensFromACommandReachNoOutputEvenFromAnEchoingServer is
// TestNoOutputHoldsATokenEvenFromAnEchoingServer with every token from
// CONFORM_TOKEN_COMMAND and none in the environment: the command's tokens
// are redacted like the environment's, and the run uses all seven.
func TestTokensFromACommandReachNoOutputEvenFromAnEchoingServer(t *testing.T) {
	t.Parallel()
	tokens, base := echoingReference(t)
	// The command also writes the tokens to its standard error: a run that
	// succeeds never shows it.
	command := tokenScript(t, "cat <<'EOF'\n"+tokenJSON(t, tokens)+"\nEOF\necho \"minted "+tokens["READ"]+"\" >&2\n")
	dir := t.TempDir()
	env := map[string]string{"CONFORM_BASE_URL": base, "CONFORM_TOKEN_COMMAND": command}
	res := runConform(t, env, "run", "-v", "--report-dir", dir)
	if res.code != exitViolations {
		t.Fatalf("exit %d, want 1 (errors-as-200 fails checks)\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "tokens:  7 of 7 set (7 by --token-command)") {
		t.Errorf("the header does not say the command gave all seven tokens:\n%.600s", res.stdout)
	}
	outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		outputs[e.Name()] = string(b)
	}
	if len(outputs) < 7 {
		t.Fatalf("the report directory holds %d files", len(entries))
	}
	for name, content := range outputs {
		for form, what := range secretForms(tokens) {
			if strings.Contains(content, form) {
				t.Errorf("%s holds %s", name, what)
			}
		}
		if strings.Contains(content, command) {
			t.Errorf("%s shows the token command", name)
		}
	}
	if !strings.Contains(outputs["report.json"], "$CONFORM_TOKEN_READ") {
		t.Error("report.json never names $CONFORM_TOKEN_READ; the test reads nothing useful")
	}
	var written struct {
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal([]byte(outputs["config.json"]), &written); err != nil {
		t.Fatal(err)
	}
	if cfg := written.Config; cfg["token_command"] != "set (not shown)" || cfg["CONFORM_TOKEN_NO_CREDITS"] != "set (value hidden)" {
		t.Errorf("config.json says token_command %q, CONFORM_TOKEN_NO_CREDITS %q", cfg["token_command"], cfg["CONFORM_TOKEN_NO_CREDITS"])
	}
}

// TestTheEnvironmentWinsOverTheTokenCommandPerToken gives READ in the
// environment and a token the target does not know for READ from the
// command: the run passes only if the environment's is the one sent. The
// other tokens come from the command, by the flag this time.
func TestTheEnvironmentWinsOverTheTokenCommandPerToken(t *testing.T) {
	t.Parallel()
	ref, base := serveReference(t)
	tokens := ref.Tokens()
	fromCommand := map[string]string{}
	for role, v := range tokens {
		fromCommand[role] = v
	}
	fromCommand["READ"] = "cornect_unknownToTheTarget0123456789abcd"
	command := tokenScript(t, "cat <<'EOF'\n"+tokenJSON(t, fromCommand)+"\nEOF\n")
	env := map[string]string{"CONFORM_BASE_URL": base, "CONFORM_TOKEN_READ": tokens["READ"]}
	res := runConform(t, env, "run", "--token-command", command, "--label-filter", "scope || not-found")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0: the command's READ token was used\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "tokens:  7 of 7 set (6 by --token-command)") {
		t.Errorf("the header does not say six tokens came from the command:\n%.600s", res.stdout)
	}
	// And the other way round, to show the test can fail: the command's
	// READ alone is refused by the target.
	res = runConform(t, map[string]string{"CONFORM_BASE_URL": base}, "run", "--token-command", command, "--label-filter", "scope || not-found")
	if res.code == exitOK {
		t.Error("a run with the command's unknown READ token passed; the test above proves nothing")
	}
}

// TestATokenLeftOutByTheCommandSkipsItsChecks: absent keys and empty
// values leave their tokens unset, as an unset variable does.
func TestATokenLeftOutByTheCommandSkipsItsChecks(t *testing.T) {
	t.Parallel()
	command := tokenScript(t, `echo '{"CONFORM_TOKEN_READ": "cornect_a1b2c3d4e5f6a7b8c9d0e1f2", "CONFORM_TOKEN_EXPIRED": ""}'`+"\n")
	res := runConform(t, map[string]string{"CONFORM_BASE_URL": "http://127.0.0.1:9/api/v1"}, "run", "--dry-run", "--token-command", command)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, v := range []string{"CONFORM_TOKEN_EXPIRED", "CONFORM_TOKEN_READ_WRITE"} {
		if !strings.Contains(res.stdout, v+" not set") {
			t.Errorf("the dry run does not skip the checks of %s, which the command left out:\n%s", v, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "CONFORM_TOKEN_READ not set") {
		t.Errorf("the dry run skips checks for CONFORM_TOKEN_READ, which the command gave:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout+res.stderr, "a1b2c3d4e5f6a7b8c9d0e1f2") {
		t.Error("the dry run shows the command's token")
	}
}

// TestABrokenTokenCommandStopsTheRunWithAClearLine covers every way a
// command can fail: each exits 2 before any request, says why in one
// line, and shows no token, neither from its output nor its errors.
func TestABrokenTokenCommandStopsTheRunWithAClearLine(t *testing.T) {
	t.Parallel()
	const tok = "cornect_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	const bare = "zq8Plural-Alpha-7745-Secret" // a token without the cornect_ prefix
	tests := []struct {
		name    string
		script  string
		args    []string
		want    []string // in stderr
		notWant []string // anywhere
	}{
		{
			name:    "it fails: its status and the first line of its stderr, redacted",
			script:  "echo '{\"CONFORM_TOKEN_READ\": \"" + bare + "\"}'\necho \"vault: refresh of " + bare + " (CONFORM_TOKEN_READ) and " + tok + " denied\" >&2\necho 'SECOND LINE' >&2\nexit 3\n",
			want:    []string{"--token-command: the command failed (exit status 3): vault: refresh of $TOKEN_COMMAND_OUTPUT (CONFORM_TOKEN_READ) and cornect_… denied"},
			notWant: []string{"SECOND LINE"},
		},
		{
			name:   "it fails with a token of the environment on its stderr",
			script: "echo \"cannot use ${CONFORM_TOKEN_READ_WRITE}\" >&2\nexit 1\n",
			want:   []string{"the command failed (exit status 1): cannot use $CONFORM_TOKEN_READ_WRITE"},
		},
		{
			name:   "it is not found",
			script: "no-such-token-helper --json\n",
			want:   []string{"the command failed (exit status 127): ", "no-such-token-helper"},
		},
		{
			name:   "it hangs",
			script: "sleep 60\necho '{}'\n",
			args:   []string{"--token-command-timeout", "300ms"},
			want:   []string{"--token-command: the command did not finish within 300ms (--token-command-timeout)"},
		},
		{
			name:   "it hangs, its child holding the output open",
			script: "sleep 60 &\necho '{}'\nwait\n",
			args:   []string{"--token-command-timeout", "300ms"},
			want:   []string{"did not finish within 300ms"},
		},
		{
			name:   "it prints too much",
			script: "printf '{\"CONFORM_TOKEN_READ\": \"" + tok + "\", \"x\": \"'\nhead -c 200000 /dev/zero | tr '\\0' a\necho '\"}'\n",
			want:   []string{"--token-command: the command printed more than 64 KiB; it must print one JSON object of token variables"},
		},
		{
			name:   "it prints no JSON",
			script: "echo CONFORM_TOKEN_READ=" + tok + "\n",
			want:   []string{`--token-command: the command printed no JSON object on its standard output; it must print {"CONFORM_TOKEN_READ": "…", …} (its output is not shown)`},
		},
		{
			name:   "it prints a JSON array",
			script: "echo '[\"" + tok + "\"]'\n",
			want:   []string{"printed no JSON object"},
		},
		{
			name:   "it prints nothing",
			script: "true\n",
			want:   []string{"the command printed nothing on its standard output"},
		},
		{
			name:   "it prints unknown keys",
			script: "echo '{\"CONFORM_TOKEN_READWRITE\": \"" + tok + "\", \"" + tok + "\": \"x\", \"CONFORM_TOKEN_READ\": \"" + tok + "\"}'\n",
			want:   []string{`the command printed keys that are no token variable: "CONFORM_TOKEN_READWRITE", a key that is not a variable name (not shown); the keys are CONFORM_TOKEN_READ, CONFORM_TOKEN_READ_WRITE,`},
		},
		{
			name:    "it prints a number for a token",
			script:  "echo '{\"CONFORM_TOKEN_READ\": 12345678901234567890}'\n",
			want:    []string{"the command's value of CONFORM_TOKEN_READ is not a JSON string (not shown)"},
			notWant: []string{"12345678901234567890"},
		},
		{
			name:   "it prints a token with a trailing newline",
			script: "cat <<'EOF'\n{\"CONFORM_TOKEN_EXPIRED\": \"" + tok + "\\n\"}\nEOF\n",
			want:   []string{"CONFORM_TOKEN_EXPIRED holds white space or a control character"},
		},
		{
			name:   "it prints a token too weak to redact",
			script: "echo '{\"CONFORM_TOKEN_REVOKED\": \"cornect_x\"}'\n",
			want:   []string{"CONFORM_TOKEN_REVOKED: the value is shorter than 16 characters"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"CONFORM_BASE_URL":         "http://127.0.0.1:9/api/v1", // never reached: the command fails first
				"CONFORM_TOKEN_READ_WRITE": "cornect_fromTheEnvironment0123456789",
				"CONFORM_TOKEN_COMMAND":    tokenScript(t, tt.script),
			}
			started := time.Now()
			res := runConformBinary(t, env, append([]string{"run"}, tt.args...)...)
			if res.code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", res.code, exitUsage, res.stdout, res.stderr)
			}
			if d := time.Since(started); d > 15*time.Second {
				t.Errorf("conform took %s to give up", d)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, res.stderr)
				}
			}
			if n := strings.Count(strings.TrimSpace(res.stderr), "\n"); n > 0 {
				t.Errorf("stderr has %d lines, want one:\n%s", n+1, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout is not empty: %s", res.stdout)
			}
			all := res.stdout + res.stderr
			for _, secret := range append([]string{tok, strings.TrimPrefix(tok, "cornect_"), bare, "fromTheEnvironment0123456789"}, tt.notWant...) {
				if strings.Contains(all, secret) {
					t.Errorf("the output shows %q:\n%s", secret, all)
				}
			}
		})
	}
}

func TestATokenCommandNeedsABaseURL(t *testing.T) {
	res := runConform(t, map[string]string{}, "run", "--token-command", "echo {}")
	if res.code != exitUsage || !strings.Contains(res.stderr, "--token-command needs a --base-url") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
}
