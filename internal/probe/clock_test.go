package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stepClock is a Clock that moves only when slept on, by the time slept,
// and keeps the sleeps.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *stepClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// TestEveryWaitOfTheClientIsOnItsClock: pacing within a limit, the wait
// a 429's Retry-After asks for and the backoff from a 503 are read off
// and slept on Options.Clock, never the real time: with a clock that
// moves when slept on, 40 s of waiting takes no real time, and each wait
// was slept for the length it was decided at.
func TestEveryWaitOfTheClientIsOnItsClock(t *testing.T) {
	var limited, overloaded atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/limited":
			if limited.Add(1) == 1 {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
		case "/overloaded":
			if overloaded.Add(1) <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	clock := &stepClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c := newTestClient(t, srv.URL, func(o *Options) {
		o.Clock = clock
		o.Limits = map[string]int{"GET /x": 2}
		o.OverloadBackoff, o.MaxOverloadWait = 4*time.Second, 5*time.Second
	})
	// Waits of the real time this long would end by the context first.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	for i := range 3 {
		if ex := c.Do(ctx, readRequest("/x")); ex.Status != http.StatusOK {
			t.Fatalf("paced request %d: %s", i+1, ex.Outcome())
		}
	}
	if ex := c.Do(ctx, readRequest("/limited")); ex.Status != http.StatusOK || ex.Retries != 1 {
		t.Fatalf("the 429's request: %s after %d retries; want 200 after 1", ex.Outcome(), ex.Retries)
	}
	if ex := c.Do(ctx, readRequest("/overloaded")); ex.Status != http.StatusOK || ex.OverloadRetries != 2 {
		t.Fatalf("the 503's request: %s after %d retries; want 200 after 2", ex.Outcome(), ex.OverloadRetries)
	}
	if real := time.Since(start); real > 3*time.Second {
		t.Errorf("the waits took %s of real time", real)
	}
	sleeps := clock.slept()
	if len(sleeps) != 4 {
		t.Fatalf("slept %v on the clock; want 4 waits: pacing, Retry-After, two backoffs", sleeps)
	}
	st := c.Stats()
	if sleeps[0] < 29*time.Second || sleeps[0] > 30*time.Second || st.PaceWaited != sleeps[0] {
		t.Errorf("pacing slept %s, stats %s; want the third request of 2/min held ~30s", sleeps[0], st.PaceWaited)
	}
	if sleeps[1] < 7*time.Second || sleeps[1] > 7100*time.Millisecond || st.RetryWaited != sleeps[1] || st.RetryWall != sleeps[1] {
		t.Errorf("Retry-After slept %s, stats %+v; want the 7s it asked for, with its jitter", sleeps[1], st)
	}
	if sleeps[2]+sleeps[3] != st.OverloadWaited || st.OverloadWall != st.OverloadWaited || sleeps[2] < 2*time.Second || sleeps[3] < 2500*time.Millisecond {
		t.Errorf("the backoffs slept %v, stats %+v; want 4s then 5s with their jitter, as the wall time", sleeps[2:], st)
	}
}
