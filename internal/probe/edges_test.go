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

const download = "/exports/{export_id}/download"

// downloadAs is a POST to the download of a made-up export, with cred's
// token or, for a zero Credential, no Authorization header.
func downloadAs(cred Credential) Request {
	r := Request{Method: http.MethodPost, Path: "/exports/6f1c2d4e-0000-4000-8000-000000000000/download", Template: download}
	if cred.Present() {
		r.Authorization, r.Token = Bearer(cred)
	}
	return r
}

// An operation is broken only when every attempt at it, with and without
// credentials, went unanswered while another operation answered.
func TestBrokenNeedsEveryAttemptUnansweredWithAndWithoutCredentialsWhileOthersAnswer(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithDeadRoute("POST /api/v1"+download, 502)}, quickOverload(2))
	ctx := context.Background()
	key := OperationKey(http.MethodPost, download)

	c.Do(ctx, downloadAs(tokens[RoleRead]))
	c.Do(ctx, downloadAs(Credential{}))
	if _, broken := c.Broken(key); broken {
		t.Fatal("broken before any other operation answered: a target that answers nothing is down, not broken")
	}
	c.Do(ctx, as(tokens[RoleRead], http.MethodGet, "/credits", ""))
	b, broken := c.Broken(key)
	if !broken || b.Attempts[502] != 6 || b.Total() != 6 {
		t.Fatalf("Broken = %+v, %v; want broken with 6 attempts answered 502 (two requests, two retries each)", b, broken)
	}
	if _, broken := c.Broken(OperationKey(http.MethodGet, "/credits")); broken {
		t.Error("GET /credits answered, yet is broken")
	}
}

// Only with credentials, or answered once: not broken.
func TestAnOperationProbedOneWayOrAnsweredOnceIsNotBroken(t *testing.T) {
	var fail sync.Map // path → true while it refuses
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := fail.Load(r.URL.Path); ok {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(ts.Close)
	cred := RoleRead.Credential("cornect_" + "0123456789abcdef")
	c, err := New(Options{BaseURL: ts.URL, Credentials: []Credential{cred}, MaxOverloadRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := func(path string, withToken bool) Request {
		r := Request{Method: http.MethodGet, Path: path}
		if withToken {
			r.Authorization, r.Token = Bearer(cred)
		}
		return r
	}
	c.Do(ctx, req("/ok", true))
	fail.Store("/one-way", true)
	c.Do(ctx, req("/one-way", true))
	if _, broken := c.Broken("GET /one-way"); broken {
		t.Error("broken after refusals with credentials only")
	}
	c.Do(ctx, req("/once", false))
	fail.Store("/once", true)
	c.Do(ctx, req("/once", false))
	c.Do(ctx, req("/once", true))
	if _, broken := c.Broken("GET /once"); broken {
		t.Error("broken though it answered once: transient overload")
	}
}

// A timeout counts as no answer: the same operation behind a gateway that
// times out first (504) and behind none is broken alike.
func TestATimeoutCountsAsNoAnswer(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithDeadRoute("POST /api/v1"+download, 0)}, func(o *Options) { o.Timeout = 150 * time.Millisecond })
	ctx := context.Background()
	c.Do(ctx, as(tokens[RoleRead], http.MethodGet, "/credits", ""))
	if ex := c.Do(ctx, downloadAs(tokens[RoleRead])); !ex.TimedOut {
		t.Fatalf("%s: want TimedOut", ex.Outcome())
	}
	c.Do(ctx, downloadAs(Credential{}))
	b, broken := c.Broken(OperationKey(http.MethodPost, download))
	if !broken || b.Attempts[0] != 2 {
		t.Fatalf("Broken = %+v, %v; want 2 attempts without an answer", b, broken)
	}
}

// 429s without Retry-After while several requests are in flight lower the
// concurrency before the client backs off, and no wait is counted as one a
// Retry-After asked for.
func TestRefusalsWithoutRetryAfterInFlightLowerTheConcurrency(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithConnsPerClient(2), stackserver.WithReference(reference.WithLatency(30 * time.Millisecond))},
		func(o *Options) { o.Concurrency = 8 })
	var wg sync.WaitGroup
	exs := make([]Exchange, 8)
	for i := range exs {
		role := []Role{RoleRead, RoleReadWrite}[i%2]
		wg.Go(func() { exs[i] = c.Do(context.Background(), as(tokens[role], http.MethodGet, "/credits", "")) })
	}
	wg.Wait()
	for i, ex := range exs {
		if ex.Status != http.StatusOK {
			t.Errorf("request %d: %s, want 200 in the end", i, ex.Outcome())
		}
	}
	st := c.Stats()
	if len(st.Lowered) == 0 || st.Lowered[0].From != 8 || st.Lowered[len(st.Lowered)-1].To > 2 {
		t.Errorf("lowered %+v; want from 8 down to 2 or less", st.Lowered)
	}
	if st.BareRetries == 0 || st.Retries != 0 || st.RetryWaited != 0 {
		t.Errorf("stats %+v: want the retries counted as without Retry-After, none as waits on the header", st)
	}
}

// A refusal with only itself in flight lowers nothing.
func TestARefusalAloneLowersNothing(t *testing.T) {
	g := newGate(4)
	if g.lower("GET /x") {
		t.Error("lowered with nothing else in flight")
	}
	_ = g.enter(context.Background())
	if !g.lower("GET /x") || g.current() != 1 {
		t.Errorf("limit %d after a refusal with one other in flight, want 1", g.current())
	}
}

// A pool of workers conform's own load filled answers 503 without
// Retry-After: the concurrency goes down too, and every request is served
// in the end. A 503 with Retry-After (the server says when) lowers nothing.
func TestOverloadWithoutRetryAfterLowersTheConcurrency(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry bool
	}{{"without Retry-After", false}, {"with Retry-After", true}} {
		t.Run(tc.name, func(t *testing.T) {
			_, c, tokens := stack(t, []stackserver.Option{stackserver.WithWorkers(2), stackserver.WithOverloadRetryAfter(tc.retry), stackserver.WithReference(reference.WithLatency(30 * time.Millisecond))},
				quickOverload(40), func(o *Options) { o.Concurrency = 8 })
			var wg sync.WaitGroup
			exs := make([]Exchange, 8)
			for i := range exs {
				wg.Go(func() { exs[i] = c.Do(context.Background(), as(tokens[RoleRead], http.MethodGet, "/credits", "")) })
			}
			wg.Wait()
			for i, ex := range exs {
				if ex.Status != http.StatusOK {
					t.Errorf("request %d: %s, want 200 in the end", i, ex.Outcome())
				}
			}
			if lowered := len(c.Stats().Lowered) > 0; lowered == tc.retry {
				t.Errorf("lowered %v, want %v", c.Stats().Lowered, !tc.retry)
			}
		})
	}
}

// A burst sent past a limit on purpose keeps the concurrency the run began
// with, however far refusals elsewhere lowered it: a burst squeezed through
// one slot lasts until the bucket refills under it.
func TestABurstKeepsTheConcurrencyItBeganWith(t *testing.T) {
	var inflight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, fast, func(o *Options) { o.Concurrency = 4 })
	_ = c.gate.enter(context.Background())
	for c.gate.lower("GET /x") {
	}
	c.gate.leave()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { c.Do(context.Background(), Request{Method: "GET", Path: "/credits", Provoke: true}) })
	}
	wg.Wait()
	if got := most.Load(); got < 2 {
		t.Errorf("at most %d provoked requests in flight with the gate lowered to %d, want up to the 4 the run began with", got, c.gate.current())
	}
}
