package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/stackserver"
)

// jumpClock is the time of the in-process runs against a target the test
// serves, and of that target: the real time plus every wait skipped so
// far. A wait costs no real time: it moves the clock on by its length at
// once, so the target sees it passed (a rate limit's bucket refilled).
// Concurrent waits add up where the real ones would overlap: the clock
// only runs ahead, which a target that limits a rate reads as a client
// slower than it is.
type jumpClock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

func (c *jumpClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += max(d, 0)
	return nil
}

// skipped is the waiting the clock has skipped so far.
func (c *jumpClock) skipped() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ahead
}

// clocks are the jump clocks of the targets the tests serve, by base URL:
// an in-process run against one of them waits on its clock
// (clockOfTarget).
var clocks sync.Map

// clockedReference is a reference on a jump clock of its own: serve it
// and share the clock with the runs against it (shareClock).
func clockedReference(opts ...reference.Option) (*reference.Server, *jumpClock) {
	clock := &jumpClock{}
	// The clock first: a test that gives the reference a clock of its own
	// keeps it, and then shares none.
	return reference.New(append([]reference.Option{reference.WithClock(clock)}, opts...)...), clock
}

// shareClock makes clock the time of every in-process run against
// baseURL while the test lasts.
func shareClock(t *testing.T, baseURL string, clock *jumpClock) {
	t.Helper()
	clocks.Store(strings.TrimRight(baseURL, "/"), clock)
	t.Cleanup(func() { clocks.Delete(strings.TrimRight(baseURL, "/")) })
}

// clockOfTarget is the clock an in-process run with env and args waits
// on: the clock shared with the reference the test serves at its base
// URL, a fresh one for the embedded reference (which takes the run's), or
// nil, the real time, for any other target: a jump in conform's time
// that the target does not see would cut a wait the target needs.
func clockOfTarget(env map[string]string, args []string) probe.Clock {
	base := env["CONFORM_BASE_URL"]
	for i, a := range args {
		for _, name := range []string{"-base-url", "--base-url"} {
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				base = v
			} else if a == name && i+1 < len(args) {
				base = args[i+1]
			}
		}
	}
	if base == "" {
		if slices.Contains(args, "run") {
			return &jumpClock{}
		}
		return nil
	}
	if c, ok := clocks.Load(strings.TrimRight(base, "/")); ok {
		return c.(*jumpClock)
	}
	return nil
}

// startClockedStack is startStack on a jump clock (its limiter's and its
// reference's) the in-process runs against it share. Not for a stack
// whose verdicts rest on a held connection: a client waits that out on
// the wall clock (stackserver.WithClock).
func startClockedStack(t *testing.T, opts ...stackserver.Option) *stackserver.Server {
	t.Helper()
	clock := &jumpClock{}
	s := startStack(t, append(opts, stackserver.WithClock(clock))...)
	shareClock(t, s.BaseURL(), clock)
	return s
}

// sharedClock is the clock shared with the target at baseURL.
func sharedClock(t *testing.T, baseURL string) *jumpClock {
	t.Helper()
	c, ok := clocks.Load(strings.TrimRight(baseURL, "/"))
	if !ok {
		t.Fatalf("no clock is shared with %s", baseURL)
	}
	return c.(*jumpClock)
}

// TestARunWaitsOnTheClockOfItsContext: conform run's waits and its
// embedded reference's time are the clock of its context (withClock).
// RATE-LIMIT-RECOVERY's wait is skipped on the clock, and the reference
// sees it passed: the check passes, which it cannot if either the suite
// slept on another clock (nothing skipped) or the reference read another
// (still limited when asked again).
func TestARunWaitsOnTheClockOfItsContext(t *testing.T) {
	clock := &jumpClock{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx = withClock(withGetenv(ctx, func(string) string { return "" }), clock)
	path := filepath.Join(t.TempDir(), "r.json")
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	inProcess.Lock()
	code := realMain(ctx, []string{"run", "--focus", "^RATE-LIMIT-RECOVERY", "--json-report", path}, stdout, stderr)
	inProcess.Unlock()
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if c, _ := checkNamed(readJSONReport(t, path), "RATE-LIMIT-RECOVERY"); c.Status != report.Passed {
		t.Errorf("RATE-LIMIT-RECOVERY %s, want passed: the reference did not see the wait pass\n%s", c.Status, c.Explanation())
	}
	if clock.skipped() < time.Second {
		t.Errorf("the clock skipped %s; want the Retry-After of at least 1 s waited on it", clock.skipped())
	}
}
