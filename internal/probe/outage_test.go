package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// hangUp is a target that closes every connection of the paths it is
// given, and of every path once dead is set, without a byte of an answer;
// the others get 401.
func hangUp(t *testing.T, dead *atomic.Bool, paths ...string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dead.Load() || slices.Contains(paths, r.URL.Path) {
			hj, _ := w.(http.Hijacker)
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fast lets the test's requests go without conform's pacing.
func fast(o *Options) { o.FailedAuthLimit, o.UndocumentedLimit = 1<<20, 1<<20 }

func TestAnOutageIsUnansweredRequestsOnSeveralOperationsInARow(t *testing.T) {
	ctx := context.Background()
	one := Request{Method: "GET", Path: "/credits"}
	other := Request{Method: "GET", Path: "/companies/1", Template: "/companies/{id}"}

	t.Run("one operation that never answers is that operation's bug", func(t *testing.T) {
		var dead atomic.Bool
		c := newTestClient(t, hangUp(t, &dead, "/credits"), fast)
		for range 2 * OutageAfter {
			c.Do(ctx, one)
		}
		if _, gone := c.Outage(); gone {
			t.Error("one dead operation was called an outage of the target")
		}
	})

	t.Run("an answer in between ends the streak", func(t *testing.T) {
		var dead atomic.Bool
		c := newTestClient(t, hangUp(t, &dead, "/dead", "/dead2"), fast)
		for range 2 * OutageAfter {
			c.Do(ctx, Request{Method: "GET", Path: "/dead"})
			c.Do(ctx, Request{Method: "GET", Path: "/dead2"})
			c.Do(ctx, one)
		}
		if _, gone := c.Outage(); gone {
			t.Error("two broken operations of a target that answers the others were called an outage")
		}
	})

	t.Run("operations that never answered hanging together are broken, not an outage", func(t *testing.T) {
		var dead atomic.Bool
		c := newTestClient(t, hangUp(t, &dead, "/dead", "/dead2"), fast)
		for range 3 {
			c.Do(ctx, one)
		}
		for range 2 * OutageAfter {
			c.Do(ctx, Request{Method: "GET", Path: "/dead"})
			c.Do(ctx, Request{Method: "GET", Path: "/dead2"})
		}
		if _, gone := c.Outage(); gone {
			t.Error("two operations that never answered were called an outage of a target that answers the others")
		}
	})

	t.Run("every operation unanswered: gone, said once, nothing more sent", func(t *testing.T) {
		var dead atomic.Bool
		c := newTestClient(t, hangUp(t, &dead), fast)
		for range 3 {
			c.Do(ctx, one)
			c.Do(ctx, other)
		}
		dead.Store(true)
		base := c.Stats().Requests
		for range OutageAfter {
			c.Do(ctx, one)
			c.Do(ctx, other)
		}
		o, gone := c.Outage()
		if !gone {
			t.Fatal("a target that stopped answering on every operation was not called gone")
		}
		select {
		case <-c.Gone():
		default:
			t.Error("Gone is not closed")
		}
		if o.Answered != 6 || !strings.Contains(o.String(), "after 6 answered requests") {
			t.Errorf("outage %q, want it after 6 answered requests", o.String())
		}
		if o.Err != "the target closed the connection without answering" {
			t.Errorf("the outage's reason %q is not the target's hanging up, in people's words", o.Err)
		}
		sent := c.Stats().Requests
		ex := c.Do(ctx, one)
		if c.Stats().Requests != sent || ex.Status != 0 || !strings.HasPrefix(ex.Err, "not sent: the target stopped answering") {
			t.Errorf("after the outage a request was sent (%d → %d) or not said so: %q", sent, c.Stats().Requests, ex.Err)
		}
		if sent-base > 2*OutageAfter+4*maxFreshRetries {
			t.Errorf("%d requests sent to a dead target", sent-base)
		}
	})
}
