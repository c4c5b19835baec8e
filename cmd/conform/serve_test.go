package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/cornect/conform/internal/probe"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// syncBuffer is an output buffer the server goroutine writes while the test
// reads; every write is announced on changed.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is one serveCmd running in-process.
type serving struct {
	cancel context.CancelFunc
	done   chan int
	stdout *syncBuffer
	stderr *syncBuffer
	vars   map[string]string // the printed export lines
}

// startServe runs serveCmd and waits until it has printed its export lines
// and its hint.
func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan int, 1), stdout: newSyncBuffer(), stderr: newSyncBuffer()}
	t.Cleanup(cancel)
	go func() { s.done <- serveCmd(ctx, args, s.stdout, s.stderr) }()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(s.stdout.String(), "\n# ") {
		select {
		case <-s.stdout.changed:
		case code := <-s.done:
			t.Fatalf("serve exited %d before printing its lines\nstdout: %s\nstderr: %s", code, s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("serve printed no hint within 10s; stdout: %s", s.stdout)
		}
	}
	s.vars = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s.stdout.String()))
	for sc.Scan() {
		if kv, ok := strings.CutPrefix(sc.Text(), "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			s.vars[k] = v
		}
	}
	return s
}

// stop cancels the context and returns the exit code.
func (s *serving) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		return code
	case <-time.After(2 * shutdownGrace):
		t.Fatal("serve did not return after its context was cancelled")
		return -1
	}
}

func (s *serving) get(t *testing.T, path, role string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.vars["CONFORM_BASE_URL"]+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.vars[probe.Role(role).Var()])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServePrintsPastableLinesThenServesUntilCancelled(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0")
	lines := strings.Split(strings.TrimSpace(s.stdout.String()), "\n")
	if len(lines) != 2+len(reference.TokenRoles()) || !strings.HasPrefix(lines[0], "export CONFORM_BASE_URL=http://127.0.0.1:") {
		t.Fatalf("printed:\n%s", s.stdout)
	}
	if base := s.vars["CONFORM_BASE_URL"]; strings.HasSuffix(base, ":0/api/v1") || !strings.HasSuffix(base, "/api/v1") {
		t.Errorf("base URL %q does not carry the real port", base)
	}
	for i, role := range reference.TokenRoles() {
		name := probe.Role(role).Var()
		if !strings.HasPrefix(lines[1+i], "export "+name+"=cornect_") {
			t.Errorf("line %d is %q, want %s", 2+i, lines[1+i], name)
		}
	}

	resp := s.get(t, "/credits", reference.RoleRead)
	var credits struct {
		WorkspaceID string `json:"workspace_id"`
		Balance     *int   `json:"balance"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&credits); err != nil || resp.StatusCode != http.StatusOK || credits.Balance == nil {
		t.Errorf("GET /credits with the printed READ token: status %d, err %v, body %+v", resp.StatusCode, err, credits)
	}
	if resp := s.get(t, "/credits", reference.RoleExpired); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /credits with the printed EXPIRED token: status %d", resp.StatusCode)
	}

	if code := s.stop(t); code != exitOK {
		t.Errorf("exit %d after cancel, want %d; stderr: %s", code, exitOK, s.stderr)
	}
	if _, err := http.Get(s.vars["CONFORM_BASE_URL"] + "/credits"); err == nil {
		t.Errorf("still serving after exit")
	}
}

func TestServeAppliesBreakAndVary(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--break", "credits-no-auth", "--vary", "charset", "--rate-window", "1s")
	resp := s.get(t, "/credits", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("GET /credits without a token: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if code := s.stop(t); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestServeExitCodes(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"unknown flag", []string{"--port", "80"}, exitUsage, "", "flag provided but not defined"},
		{"unexpected argument", []string{"now"}, exitUsage, "", `unexpected argument "now"`},
		{"unknown fault", []string{"--break", "no-such-fault"}, exitUsage, "", "valid names: validation-array-detail"},
		{"unknown variation", []string{"--vary", "no-such-variation"}, exitUsage, "", "valid names: reworded-messages"},
		{"non-positive rate window", []string{"--rate-window", "0s"}, exitUsage, "", "--rate-window must be positive"},
		{"address in use", []string{"--addr", busy.Addr().String()}, exitUsage, "", "cannot listen on"},
		{"list faults", []string{"--list-faults"}, exitOK, "rate-limit-sticky", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a command that got past its checks returns at once
			code := serveCmd(ctx, tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.wantStdout) || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}
}
