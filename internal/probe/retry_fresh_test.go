package probe

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/stackserver"
)

// TestAnInnocentRequestOnAConnectionOfACrashedWorkerGetsItsAnswer: one
// request crashes the worker, which takes the client's pooled connection
// with it; the next POST goes out on that dead connection, gets no byte,
// and is sent once more on a fresh connection, where it gets its real
// answer, marked as retried.
func TestAnInnocentRequestOnAConnectionOfACrashedWorkerGetsItsAnswer(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithCrashOn("GET /api/v1/credits", reference.RoleUnbound)})
	ctx := context.Background()
	if ex := c.Do(ctx, as(tokens[RoleRead], http.MethodGet, "/credits", "")); ex.Status != http.StatusOK {
		t.Fatalf("GET /credits: %s", ex.Outcome())
	}

	crash := as(tokens[RoleUnbound], http.MethodGet, "/credits", "")
	crash.FreshConnection = true // the pooled connection stays at rest
	crashed := c.Do(ctx, crash)
	if crashed.Status != 0 {
		t.Fatalf("the crashing request got %s, want no response", crashed.Outcome())
	}
	if !crashed.FreshRetry {
		t.Errorf("the crashing request got no byte and was not sent once more")
	}

	before := c.Stats().Requests
	innocent := c.Do(ctx, as(tokens[RoleRead], http.MethodPost, "/companies/search", `{"query":"stack"}`))
	if innocent.Status != http.StatusOK {
		t.Fatalf("the POST after the crash got %s, want its real answer, 200", innocent.Outcome())
	}
	if !innocent.FreshRetry || innocent.FirstErr == "" {
		t.Errorf("FreshRetry %v, FirstErr %q; want it marked retried, with the first attempt's error", innocent.FreshRetry, innocent.FirstErr)
	}
	if n := c.Stats().Requests - before; n != 2 {
		t.Errorf("the POST went out %d times, want 2", n)
	}
	if n := c.Stats().FreshRetries; n != 1+maxFreshRetries {
		t.Errorf("Stats.FreshRetries %d, want %d (the crashing request's and the innocent one's)", n, 1+maxFreshRetries)
	}
	if ev := innocent.Evidence(""); !strings.Contains(ev, "sent again on a fresh connection") || !strings.Contains(ev, innocent.FirstErr) {
		t.Errorf("the evidence does not say the request was sent again:\n%s", ev)
	}
}

// TestARequestThatCrashesTheWorkerIsRetriedOnceOnly: a POST that crashes
// the worker on a pooled connection is sent once more on a fresh
// connection, crashes it again, and comes back without a response.
func TestARequestThatCrashesTheWorkerIsRetriedTwiceAtMost(t *testing.T) {
	_, c, tokens := stack(t, []stackserver.Option{stackserver.WithCrashOn("POST /api/v1/companies/search", reference.RoleRead)})
	ctx := context.Background()
	if ex := c.Do(ctx, as(tokens[RoleRead], http.MethodGet, "/credits", "")); ex.Status != http.StatusOK {
		t.Fatalf("GET /credits: %s", ex.Outcome())
	}
	before := c.Stats().Requests
	ex := c.Do(ctx, as(tokens[RoleRead], http.MethodPost, "/companies/search", `{"query":"stack"}`))
	if ex.Status != 0 || ex.Err == "" {
		t.Errorf("got %s, want no response", ex.Outcome())
	}
	if !ex.FreshRetry {
		t.Errorf("the first attempt, on the pooled connection, was not retried")
	}
	if n := c.Stats().Requests - before; n != 1+maxFreshRetries {
		t.Errorf("the POST went out %d times, want %d", n, 1+maxFreshRetries)
	}
}

// TestNoFreshRetryWhenTheContextEndsOrTheRequestTimesOut: a request held
// on a pooled connection until the caller gives up, or until the request
// timeout, may be running on the server: it is not sent again.
func TestNoFreshRetryWhenTheContextEndsOrTheRequestTimesOut(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration // the client's per-request timeout
		ctx     time.Duration // the caller's context
	}{
		{"the caller's context ends", 10 * time.Second, 100 * time.Millisecond},
		{"the request timeout", 100 * time.Millisecond, 10 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client going away
				if n.Add(1) > 1 {
					select {
					case <-r.Context().Done():
					case <-stop:
					}
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			defer close(stop)
			c := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = tt.timeout })
			if ex := c.Do(context.Background(), readRequest("/credits")); ex.Status != http.StatusOK {
				t.Fatalf("first request: %s", ex.Outcome())
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctx)
			defer cancel()
			r := readRequest("/exports")
			r.Method, r.Body = http.MethodPost, []byte(`{}`)
			ex := c.Do(ctx, r)
			if ex.Status != 0 || ex.FreshRetry {
				t.Errorf("got %s, FreshRetry %v; want no response, not retried", ex.Outcome(), ex.FreshRetry)
			}
			if got := n.Load(); got != 2 {
				t.Errorf("the server received %d requests, want 2", got)
			}
		})
	}
}

// TestAFirstRequestOnANewConnectionIsNotRetried: a connection closed
// without a byte under a request that dialled it is the target's answer.
// An endpoint that drops every connection without a byte costs
// 1+maxFreshRetries requests, and fails its own check.
func TestAnEndpointThatDropsEveryConnectionIsSentThriceAtMost(t *testing.T) {
	srv := hijacked(t, "", false)
	c := newTestClient(t, srv.URL)
	r := readRequest("/exports")
	r.Method, r.Body = http.MethodPost, []byte(`{}`)
	ex := c.Do(context.Background(), r)
	if ex.Status != 0 || !ex.FreshRetry || c.Stats().Requests != 1+maxFreshRetries {
		t.Errorf("got %s, FreshRetry %v, %d requests; want no response, sent %d times", ex.Outcome(), ex.FreshRetry, c.Stats().Requests, 1+maxFreshRetries)
	}
}
