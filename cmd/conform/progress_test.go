package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// TestARunThatWaitsSaysSoOnStderr runs the binary against a reference whose
// unauthenticated limit forces a Retry-After of 3 s: stderr, not a
// terminal, gets the progress line, with the checks done.
func TestARunThatWaitsSaysSoOnStderr(t *testing.T) {
	t.Parallel() // conform runs as processes of their own, mostly waiting: overlapped with the other tests
	// 7 failed authentications per 21 s, one every 3 s: the preflight's two
	// and AUTH-MISSING's six run into one Retry-After of 3 s.
	ref, base := serveReference(t, reference.WithUnauthenticatedLimit(7), reference.WithRateWindow(21*time.Second))
	start := time.Now()
	res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--focus", "^AUTH-MISSING")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Fatalf("the run took %s: the target's limit forced no wait", took)
	}
	progress := regexp.MustCompile(`(?m)^waiting [2-4] s: (GET|POST) /\S+ is rate limited \(Retry-After\) — 0/1 checks done$`)
	if !progress.MatchString(res.stderr) {
		t.Errorf("stderr has no progress line for the wait:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "waiting ") || strings.ContainsAny(res.stderr, "\r\x1b") {
		t.Errorf("the progress went to stdout, or drew terminal controls into a log:\n%s\n%s", res.stdout, res.stderr)
	}
}
