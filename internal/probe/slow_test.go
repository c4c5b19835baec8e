package probe

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestALateFirstByteMarksTheExchangeSlow: the time to the first byte of
// the response decides, not the whole exchange's: a late status line is
// slow, a quick one followed by a slow body is not.
func TestALateFirstByteMarksTheExchangeSlow(t *testing.T) {
	const late = 80 * time.Millisecond
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
		{"a quick status line, then a slow body", late / 2, func(w http.ResponseWriter, r *http.Request) {
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
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(o *Options) { o.SlowAfter = tt.slowAfter })
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
			if ex.FirstByte <= 0 || ex.FirstByte > ex.Duration {
				t.Errorf("FirstByte %v, want within the exchange's %v", ex.FirstByte, ex.Duration)
			}
			if said := strings.Contains(ex.Evidence(""), "slow: the first byte came after"); said != tt.wantSlow {
				t.Errorf("the evidence says slow: %v, want %v:\n%s", said, tt.wantSlow, ex.Evidence(""))
			}
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
