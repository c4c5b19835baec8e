package report

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cornect/conform/internal/memnet"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
)

// rateLimitedUnauthenticated sends two unauthenticated GET /credits through
// a real client to a reference that lets one such request through per
// second: the second gets 429 with Retry-After 1, which the client waits
// out, telling p. Called in a synctest bubble: the reference is on an
// in-memory network and the wait is on the bubble's fake clock.
func rateLimitedUnauthenticated(t *testing.T, p *WaitProgress) {
	t.Helper()
	ref := reference.New(reference.WithUnauthenticatedLimit(1), reference.WithRateWindow(time.Second))
	ln := memnet.Listen()
	srv := &http.Server{Handler: ref}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	c, err := probe.New(probe.Options{BaseURL: "http://reference/api/v1", OnWait: p.ProbeWait, Dial: ln.Dial})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ex := c.Do(context.Background(), probe.Request{Method: http.MethodGet, Path: "/credits"}); ex.Status != http.StatusUnauthorized {
			t.Fatalf("got %s, want 401 once the limit let it through", ex.Outcome())
		}
	}
}

// TestALongWaitShowsAProgressLine: a wait the target's limits force (its
// Retry-After) past the threshold is shown on stderr with what it waits for
// and the checks done: a plain line when it starts and again while it
// lasts off a terminal, one line redrawn in place and cleared after on a
// terminal; a wait under the threshold shows nothing.
func TestALongWaitShowsAProgressLine(t *testing.T) {
	line := regexp.MustCompile(`^waiting [12] s: GET /credits is rate limited \(Retry-After\) — 1/3 checks done$`)
	t.Run("off a terminal", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			out := &lockedBuffer{}
			p := NewWaitProgress(out, false, 3, nil)
			p.threshold, p.every, p.tick = 300*time.Millisecond, 400*time.Millisecond, 50*time.Millisecond
			p.CheckDone()
			start := time.Now()
			rateLimitedUnauthenticated(t, p)
			waited := time.Since(start)
			time.Sleep(200 * time.Millisecond) // nothing more once the wait is over
			p.Close()
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) < 2 || len(lines) > int(waited/p.every)+2 {
				t.Errorf("%d lines in a wait of %s, want one at its start and one every %s:\n%s", len(lines), waited, p.every, out.String())
			}
			for _, l := range lines {
				if !line.MatchString(l) {
					t.Errorf("line %q, want it to match %s", l, line)
				}
			}
			if strings.ContainsAny(out.String(), "\r\x1b") {
				t.Errorf("a plain log got terminal controls: %q", out.String())
			}
		})
	})
	t.Run("on a terminal", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			out := &lockedBuffer{}
			p := NewWaitProgress(out, true, 3, nil)
			p.threshold, p.tick = 300*time.Millisecond, 100*time.Millisecond
			p.CheckDone()
			rateLimitedUnauthenticated(t, p)
			p.Close()
			s := out.String()
			draws := strings.Split(s, "\r\x1b[2K")
			if strings.Contains(s, "\n") || len(draws) < 4 {
				t.Fatalf("want the line redrawn in place, several times, without a newline: %q", s)
			}
			if draws[len(draws)-1] != "" {
				t.Errorf("the line is not cleared when the wait is over: %q", s)
			}
			for _, d := range draws[1 : len(draws)-1] {
				if d != "" && !line.MatchString(d) {
					t.Errorf("drawn %q, want it to match %s", d, line)
				}
			}
		})
	})
	t.Run("the line steps aside for output", func(t *testing.T) {
		out := &lockedBuffer{}
		p := NewWaitProgress(out, true, 3, nil)
		p.Wait(time.Minute, "a", "GET /credits is rate limited (Retry-After)")
		p.Above(out).Write([]byte("  ✓ AUTH-MISSING\n"))
		p.Close()
		want := "\r\x1b[2Kwaiting 60 s: GET /credits is rate limited (Retry-After) — 0/3 checks done" +
			"\r\x1b[2K  ✓ AUTH-MISSING\n" +
			"\r\x1b[2Kwaiting 60 s: GET /credits is rate limited (Retry-After) — 0/3 checks done\r\x1b[2K"
		if got := out.String(); got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
	t.Run("a short wait shows nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			out := &lockedBuffer{}
			p := NewWaitProgress(out, false, 3, nil)
			p.threshold = 5 * time.Second
			rateLimitedUnauthenticated(t, p)
			p.Close()
			if out.String() != "" {
				t.Errorf("a wait under the threshold printed %q", out.String())
			}
		})
	})
	t.Run("short waits one after the other add up", func(t *testing.T) {
		// A target that answers a class single file, each request after a
		// Retry-After of 1 s, keeps the run waiting as a long wait would.
		out := &lockedBuffer{}
		p := NewWaitProgress(out, false, 5, nil)
		clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		p.now = func() time.Time { return clock }
		p.Wait(1100*time.Millisecond, "429 unauthenticated", "GET /credits is rate limited (Retry-After)")
		clock = clock.Add(1200 * time.Millisecond)
		p.Wait(1100*time.Millisecond, "429 unauthenticated", "POST /exports is rate limited (Retry-After)")
		clock = clock.Add(10 * time.Second) // long past the grace: a new episode, under the threshold
		p.Wait(1100*time.Millisecond, "429 unauthenticated", "GET /credits is rate limited (Retry-After)")
		p.Close()
		want := "waiting 2 s (1 s so far): POST /exports is rate limited (Retry-After) — 0/5 checks done\n"
		if got := out.String(); got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
	t.Run("several waits at once show the longest", func(t *testing.T) {
		out := &lockedBuffer{}
		p := NewWaitProgress(out, false, 40, func(s string) string { return strings.ReplaceAll(s, "SECRET", "[redacted]") })
		p.Wait(10*time.Second, "a", "POST /exports is paced within its documented limit")
		p.Wait(42*time.Second, "b", "GET /credits is rate limited (Retry-After) SECRET\x1b[2J")
		p.Close()
		want := "waiting 10 s: POST /exports is paced within its documented limit — 0/40 checks done\n" +
			"waiting 42 s: GET /credits is rate limited (Retry-After) [redacted]?[2J (and 1 more waiting) — 0/40 checks done\n"
		if got := out.String(); got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
}

// lockedBuffer is a buffer the progress's ticker and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
