package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestOnWaitHearsEachWaitBeforeItStarts: Options.OnWait is told of a
// Retry-After wait and of a pacing wait, as data, before the client sleeps.
func TestOnWaitHearsEachWaitBeforeItStarts(t *testing.T) {
	t.Parallel()
	t.Run("Retry-After of an unprovoked 429", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(&script{statuses: []int{429, 200}, retryAfter: "1"})
		defer srv.Close()
		var mu sync.Mutex
		var heard []Wait
		var at time.Time
		c := newTestClient(t, srv.URL, func(o *Options) {
			o.OnWait = func(w Wait) { mu.Lock(); heard = append(heard, w); at = time.Now(); mu.Unlock() }
		})
		start := time.Now()
		ex := c.Do(context.Background(), readRequest("/credits"))
		done := time.Now()
		if ex.Status != http.StatusOK {
			t.Fatalf("got %s, want the 200 after the wait", ex.Outcome())
		}
		mu.Lock()
		defer mu.Unlock()
		if len(heard) != 1 || heard[0].Cause != WaitRetryAfter || heard[0].Operation != "GET /credits" || heard[0].Token != "CONFORM_TOKEN_READ" || heard[0].Duration < time.Second {
			t.Fatalf("heard %+v, want one Retry-After wait of at least 1s for GET /credits", heard)
		}
		if done.Sub(at) < 900*time.Millisecond || at.Sub(start) > 500*time.Millisecond {
			t.Errorf("heard of the wait %s after the start and %s before the answer; want it before the wait", at.Sub(start), done.Sub(at))
		}
	})
	t.Run("pacing within a documented limit", func(t *testing.T) {
		t.Parallel()
		srv, _ := countingServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var heard []Wait
		c := newTestClient(t, srv.URL, func(o *Options) {
			o.Limits = map[string]int{"GET /credits": 1}
			o.OnWait = func(w Wait) { heard = append(heard, w); cancel() } // no need to sit out the minute
		})
		c.Do(ctx, readRequest("/credits"))
		if len(heard) != 0 {
			t.Fatalf("the first request, within the limit, waited: %+v", heard)
		}
		c.Do(ctx, readRequest("/credits"))
		if len(heard) != 1 || heard[0].Cause != WaitPacing || heard[0].Operation != "GET /credits" || heard[0].Token != "CONFORM_TOKEN_READ" || heard[0].Duration < 50*time.Second {
			t.Errorf("heard %+v, want one pacing wait of about a minute for GET /credits (1/min)", heard)
		}
	})
}
