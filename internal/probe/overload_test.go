package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/stackserver"
)

// quickOverload keeps the overload retries of a test short: Retry-After
// and the backoff capped at 40 ms.
func quickOverload(retries int) func(*Options) {
	return func(o *Options) {
		o.MaxOverloadRetries, o.OverloadBackoff, o.MaxOverloadWait = retries, 5*time.Millisecond, 40*time.Millisecond
	}
}

// TestOverloadedAnswersOfASmallWorkerPoolAreRetried: twelve requests at
// once at a stack with two workers, each held 60 ms: those past the cap
// get 503 and are retried until served, with or without Retry-After, the
// envelope or nginx's page. None reaches a check as a 503.
func TestOverloadedAnswersOfASmallWorkerPoolAreRetried(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []stackserver.Option
	}{
		{"the envelope with Retry-After", []stackserver.Option{stackserver.WithOverloadRetryAfter(true)}},
		{"nginx's page without Retry-After", []stackserver.Option{stackserver.WithOverloadBody(stackserver.OverloadProxyHTML)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]stackserver.Option{stackserver.WithWorkers(2), stackserver.WithReference(reference.WithLatency(60 * time.Millisecond))}, tt.opts...)
			_, c, tokens := stack(t, opts, quickOverload(40))
			exs := make([]Exchange, 12)
			var wg sync.WaitGroup
			for i := range exs {
				wg.Go(func() { exs[i] = c.Do(context.Background(), as(tokens[RoleRead], http.MethodGet, "/credits", "")) })
			}
			wg.Wait()
			retried := 0
			for i, ex := range exs {
				if ex.Status != http.StatusOK || ex.Overloaded {
					t.Errorf("request %d: %s, Overloaded %v; want 200 in the end", i, ex.Outcome(), ex.Overloaded)
				}
				retried += ex.OverloadRetries
			}
			st := c.Stats()
			if retried == 0 || st.OverloadRetries != int64(retried) || st.OverloadWaited <= 0 {
				t.Errorf("%d retries in the exchanges, stats %+v; want the same count, some waiting", retried, st)
			}
			if st.Retries != 0 {
				t.Errorf("the overload retries were counted as 429 retries: %+v", st)
			}
		})
	}
}

// TestAConcurrencyWithinTheWorkerPoolMeetsNoOverload: the same burst with
// the client's bound at the pool's size: no 503 at all.
func TestAConcurrencyWithinTheWorkerPoolMeetsNoOverload(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithWorkers(2), stackserver.WithReference(reference.WithLatency(20 * time.Millisecond))},
		quickOverload(-1), func(o *Options) { o.Concurrency = 2 })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if ex := c.Do(context.Background(), as(tokens[RoleRead], http.MethodGet, "/credits", "")); ex.Status != http.StatusOK {
				t.Errorf("got %s, want 200 without a retry", ex.Outcome())
			}
		})
	}
	wg.Wait()
}

// overloadScript answers the statuses in turn (the last repeats), each
// 5xx with the Retry-After given, and counts the requests.
type overloadScript struct {
	statuses   []int
	retryAfter string
	n          atomic.Int64
}

func (s *overloadScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := min(int(s.n.Add(1))-1, len(s.statuses)-1)
	if s.retryAfter != "" && s.statuses[i] >= 500 {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	w.WriteHeader(s.statuses[i])
}

func TestOverloadRetriesAreBounded(t *testing.T) {
	for _, tt := range []struct {
		name           string
		statuses       []int
		retryAfter     string
		provoke        bool
		retries        int
		budget         time.Duration
		wantStatus     int
		wantRequests   int64
		wantOverloaded bool
	}{
		{"502 then 504 then 200", []int{502, 504, 200}, "", false, 4, 0, 200, 3, false},
		{"503 forever: MaxOverloadRetries 3", []int{503}, "", false, 3, 0, 503, 4, true},
		{"503 forever with Retry-After, capped", []int{503}, "3600", false, 2, 0, 503, 3, true},
		{"503 forever: the budget runs out first", []int{503}, "1", false, 100, 100 * time.Millisecond, 503, 3, true},
		{"MaxOverloadRetries negative: none", []int{503, 200}, "", false, -1, 0, 503, 1, true},
		{"a provoked request is not retried", []int{503, 200}, "", true, 4, 0, 503, 1, true},
		{"a 500 is an answer, not retried", []int{500, 200}, "", false, 4, 0, 500, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &overloadScript{statuses: tt.statuses, retryAfter: tt.retryAfter}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := newTestClient(t, srv.URL, quickOverload(tt.retries), func(o *Options) { o.RetryBudget = tt.budget })
			r := readRequest("/credits")
			r.Provoke = tt.provoke
			start := time.Now()
			ex := c.Do(context.Background(), r)
			if ex.Status != tt.wantStatus || ex.Overloaded != tt.wantOverloaded {
				t.Errorf("got %s, Overloaded %v; want %d, %v", ex.Outcome(), ex.Overloaded, tt.wantStatus, tt.wantOverloaded)
			}
			if n := s.n.Load(); n != tt.wantRequests {
				t.Errorf("the server received %d requests, want %d", n, tt.wantRequests)
			}
			if ex.OverloadRetries != int(tt.wantRequests-1) || c.Stats().OverloadRetries != tt.wantRequests-1 {
				t.Errorf("OverloadRetries %d (stats %d), want %d", ex.OverloadRetries, c.Stats().OverloadRetries, tt.wantRequests-1)
			}
			if max := time.Duration(tt.wantRequests) * 40 * time.Millisecond; ex.OverloadWaited > max || time.Since(start) > max+time.Second {
				t.Errorf("waited %s in %s, want at most %s", ex.OverloadWaited, time.Since(start), max)
			}
		})
	}
}

func TestAnOverloadWaitEndsWithTheContext(t *testing.T) {
	s := &overloadScript{statuses: []int{503}, retryAfter: "30"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv.URL) // the defaults: Retry-After capped at 5s
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ex := c.Do(ctx, readRequest("/credits"))
	if ex.Status != http.StatusServiceUnavailable || !ex.Overloaded || time.Since(start) > time.Second {
		t.Errorf("got %s (Overloaded %v) after %s; want the 503, marked, as soon as the context ends", ex.Outcome(), ex.Overloaded, time.Since(start))
	}
}

func TestOverloadBackoffDoublesWithJitterWithinItsCap(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1") // 250ms doubling, capped at 5s
	for n, want := range []time.Duration{250, 500, 1000, 2000, 4000, 5000, 5000} {
		want *= time.Millisecond
		for range 20 {
			if d := c.overloadDelay("", n); d < want/2 || d > want {
				t.Fatalf("retry %d: waited %s, want between %s and %s", n+1, d, want/2, want)
			}
		}
	}
	if d := c.overloadDelay("2", 0); d != 2*time.Second {
		t.Errorf("Retry-After 2: %s", d)
	}
	if d := c.overloadDelay("3600", 0); d != 5*time.Second {
		t.Errorf("Retry-After 3600: %s, want the 5s cap", d)
	}
}

// TestAnOverloadRetryIsNotPacedAgain: with a limit of one a minute, the
// retry of a 503 goes out after its backoff, not a minute later.
func TestAnOverloadRetryIsNotPacedAgain(t *testing.T) {
	s := &overloadScript{statuses: []int{503, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv.URL, quickOverload(4), func(o *Options) { o.Limits = map[string]int{"GET /credits": 1} })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if ex := c.Do(ctx, readRequest("/credits")); ex.Status != http.StatusOK || ex.OverloadRetries != 1 {
		t.Errorf("got %s after %d overload retries, want 200 after 1", ex.Outcome(), ex.OverloadRetries)
	}
}
