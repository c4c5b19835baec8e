package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cornect/conform/internal/probe"
)

// The bounds of --token-command. Seven tokens in a JSON object take well
// under a kibibyte; a command that prints more is printing something else.
const (
	tokenCommandMaxOutput   = 64 << 10
	tokenCommandWaitDelay   = 2 * time.Second // after the timeout, for its pipes to close
	defaultTokenCommandWait = 30 * time.Second
)

// tokenCommand is --token-command: a command that prints the run's tokens
// as a JSON object keyed by variable name, the way AWS's credential_process
// and kubectl's exec plugins fetch credentials. It runs once, through the
// shell, with conform's environment, no standard input and a bound on its
// time and on what it prints; what it prints is never shown anywhere.
type tokenCommand struct {
	command string
	timeout time.Duration
}

// tokenCommandError is a failed --token-command, ready to print: no part of
// the command's standard output, and only the first line of its standard
// error, redacted.
type tokenCommandError struct{ msg string }

func (e *tokenCommandError) Error() string { return "--token-command: " + e.msg }

// run runs the command and returns the tokens it printed, by role. Every
// error is a *tokenCommandError. known are values to redact from the
// command's standard error besides the tokens it printed (those of the
// environment).
func (tc tokenCommand) run(ctx context.Context, known map[probe.Role]string) (map[probe.Role]string, error) {
	ctx, cancel := context.WithTimeout(ctx, tc.timeout)
	defer cancel()
	cmd := shellCommand(ctx, tc.command)
	cmd.Stdin = nil // the null device: the command cannot wait for input
	cmd.WaitDelay = tokenCommandWaitDelay
	stdout := &cappedBuffer{max: tokenCommandMaxOutput}
	stderr := &cappedBuffer{max: tokenCommandMaxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()

	// What the command printed may hold tokens even when it failed: every
	// token-shaped word, every value of the environment's tokens and every
	// string of its output (a JSON object cut short still names some) is
	// masked in the line of standard error quoted back.
	tokens, parseErr := parseTokenJSON(stdout.Bytes())
	fail := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if line := firstLine(stderr.Bytes()); line != "" {
			msg += ": " + redactCommandLine(line, known, stdout.Bytes())
		}
		return &tokenCommandError{msg: msg}
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fail("the command did not finish within %s (--token-command-timeout)", tc.timeout)
	case stdout.overflow:
		return nil, fail("the command printed more than %d KiB; it must print one JSON object of token variables", tokenCommandMaxOutput>>10)
	case runErr != nil:
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			return nil, fail("the command failed (%s)", ee.ProcessState)
		}
		return nil, fail("the command could not run: %v", runErr)
	case parseErr != nil:
		return nil, fail("%v", parseErr)
	}
	return tokens, nil
}

// shellCommand runs command through the platform's shell, as credential
// helpers are run: sh -c, or cmd /C on Windows.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/C", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	killProcessGroup(cmd)
	return cmd
}

// parseTokenJSON reads the command's output: one JSON object whose keys are
// CONFORM_TOKEN_* variables and whose values are strings. An empty string,
// or a variable left out, leaves the token not set (its checks skip). A key
// that is no token variable is refused, since a misspelt one would skip
// checks silently; its name is shown only when it is a plain variable name.
// No error quotes a value.
func parseTokenJSON(out []byte) (map[probe.Role]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil || raw == nil {
		what := "printed no JSON object"
		if len(bytes.TrimSpace(out)) == 0 {
			what = "printed nothing"
		}
		return nil, fmt.Errorf(`the command %s on its standard output; it must print {"CONFORM_TOKEN_READ": "…", …} (its output is not shown)`, what)
	}
	byVar := map[string]probe.Role{}
	var names []string
	for _, role := range probe.Roles() {
		byVar[role.Var()] = role
		names = append(names, role.Var())
	}
	tokens := map[probe.Role]string{}
	var unknown []string
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		role, ok := byVar[key]
		if !ok {
			unknown = append(unknown, shownKey(key))
			continue
		}
		var v string
		if err := json.Unmarshal(raw[key], &v); err != nil {
			return nil, fmt.Errorf("the command's value of %s is not a JSON string (not shown)", key)
		}
		if v != "" {
			tokens[role] = v
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("the command printed keys that are no token variable: %s; the keys are %s", strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	return tokens, nil
}

// shownKey is how an unknown key is named back: as is when it looks like a
// variable name (CONFORM_TOKEN_READWRITE), else not at all, since a key may
// be a token printed in the wrong place.
func shownKey(key string) string {
	if len(key) <= 40 && !strings.HasPrefix(key, "cornect_") && strings.IndexFunc(key, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0 && key != "" {
		return fmt.Sprintf("%q", key)
	}
	return "a key that is not a variable name (not shown)"
}

// redactCommandLine masks in a line of the command's standard error every
// token of the environment, every string of its standard output (its
// tokens, even from output cut short) in the forms SecretForms lists, and
// anything shaped like a token.
func redactCommandLine(line string, known map[probe.Role]string, stdout []byte) string {
	var creds []probe.Credential
	for role, v := range known {
		creds = append(creds, role.Credential(v))
	}
	for _, s := range jsonStrings(stdout) {
		// The variable names are keys, not secrets.
		if len(s) >= 8 && !strings.HasPrefix(s, "CONFORM_TOKEN_") {
			creds = append(creds, probe.NewCredential("TOKEN_COMMAND_OUTPUT", s))
		}
	}
	line = probe.NewRedactor(creds...).String(line)
	return probe.NewShapeRedactor().String(line)
}

// jsonStrings are the string values of out read as JSON, as far as it
// reads: a token printed before the output went wrong is still found.
func jsonStrings(out []byte) []string {
	var ss []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		t, err := dec.Token()
		if err != nil {
			return ss
		}
		if s, ok := t.(string); ok {
			ss = append(ss, s)
		}
	}
}

// firstLine is the first non-empty line of b, trimmed, and cut at 200
// characters.
func firstLine(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), len(b)+1)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		line = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
				return -1
			}
			return r
		}, strings.ToValidUTF8(line, "?"))
		if r := []rune(line); len(r) > 200 {
			line = string(r[:200]) + "…"
		}
		return line
	}
	return ""
}

// cappedBuffer keeps the first max bytes written to it and notes whether
// there were more; writes never fail, so the command is not stopped by a
// broken pipe before it can be judged.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// tokensWithCommand fills in the tokens the environment leaves unset from
// --token-command, when one is given: the environment wins per token. It
// returns the roles whose token came from the command.
func tokensWithCommand(ctx context.Context, cfg *runConfig) ([]probe.Role, error) {
	if cfg.TokenCommand == "" {
		return nil, nil
	}
	got, err := tokenCommand{command: cfg.TokenCommand, timeout: cfg.TokenCommandTimeout}.run(ctx, cfg.Tokens)
	if err != nil {
		return nil, err
	}
	var from []probe.Role
	for _, role := range probe.Roles() {
		if v, ok := got[role]; ok && cfg.Tokens[role] == "" {
			cfg.Tokens[role] = v
			from = append(from, role)
		}
	}
	return from, cfg.validateTokens()
}
