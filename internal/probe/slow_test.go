package probe

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cornect/conform/internal/memnet"
)

// TestALateFirstByteMarksTheExchangeSlow: the time to the first byte of
// the response decides, not the whole exchange's: a late status line is
// slow, a quick one followed by a slow body is not.
func TestALateFirstByteMarksTheExchangeSlow(t *testing.T) {
	const late = 80 * time.Millisecond
	const quickThenSlow = "a quick status line, then a slow body"
	for _, tt := range []struct {
		name      string
		slowAfter time.Duration
		handler   http.HandlerFunc
		wantSlow  bool
	}{
		{"a late status line", late / 2, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(late)
			w.WriteHeader(http.StatusUnauthorized)
		}, true},
		{quickThenSlow, late / 2, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			w.(http.Flusher).Flush()
			time.Sleep(late)
			_, _ = io.WriteString(w, `{"detail": {"code": "INVALID_TOKEN", "message": "no"}}`)
		}, false},
		{"a late status line within SlowAfter", 10 * late, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(late)
			w.WriteHeader(http.StatusUnauthorized)
		}, false},
		{"SlowAfter negative marks nothing", -1, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(late)
			w.WriteHeader(http.StatusUnauthorized)
		}, false},
	} {
		// On synctest's fake clock, with the server on an in-memory
		// network: the handler's sleeps are exact and nothing else takes
		// time, however loaded the machine.
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ln := memnet.Listen()
				srv := &http.Server{Handler: tt.handler}
				go func() { _ = srv.Serve(ln) }()
				defer srv.Close()
				c := newTestClient(t, "http://target", func(o *Options) { o.SlowAfter, o.Dial = tt.slowAfter, ln.Dial })
				ex := c.Do(context.Background(), readRequest("/credits"))
				if ex.Status != http.StatusUnauthorized {
					t.Fatalf("got %s", ex.Outcome())
				}
				if ex.Slow != tt.wantSlow {
					t.Errorf("Slow %v with the first byte after %v, want %v", ex.Slow, ex.FirstByte, tt.wantSlow)
				}
				if ex.Duration < late {
					t.Errorf("Duration %v, want the whole exchange, at least %v", ex.Duration, late)
				}
				// The fake clock moves only in the handler's sleep: before
				// the status line, the first byte comes after it; after it,
				// at once.
				firstByte := late
				if tt.name == quickThenSlow {
					firstByte = 0
				}
				if ex.FirstByte != firstByte {
					t.Errorf("FirstByte %v, want %v", ex.FirstByte, firstByte)
				}
				if said := strings.Contains(ex.Evidence(""), "slow: the first byte came after"); said != tt.wantSlow {
					t.Errorf("the evidence says slow: %v, want %v:\n%s", said, tt.wantSlow, ex.Evidence(""))
				}
			})
		})
	}
}

// TestNoResponseIsNotSlow: a request that got no byte has no first byte.
func TestNoResponseIsNotSlow(t *testing.T) {
	srv := hijacked(t, "", false)
	c := newTestClient(t, srv.URL, func(o *Options) { o.SlowAfter = time.Nanosecond })
	ex := c.Do(context.Background(), readRequest("/credits"))
	if ex.Status != 0 || ex.Slow || ex.FirstByte != 0 {
		t.Errorf("got %s, Slow %v, FirstByte %v; want no response, not slow", ex.Outcome(), ex.Slow, ex.FirstByte)
	}
}

func TestSlowAfterDefaultsToTwoSeconds(t *testing.T) {
	if c := newTestClient(t, "http://127.0.0.1:1"); c.opts.SlowAfter != 2*time.Second || DefaultSlowAfter != 2*time.Second {
		t.Errorf("SlowAfter %v (DefaultSlowAfter %v), want 2s", c.opts.SlowAfter, DefaultSlowAfter)
	}
}
