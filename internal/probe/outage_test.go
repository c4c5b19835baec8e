package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// refusedURL is a loopback address nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestAnOutageIsUnansweredRequestsOnSeveralOperationsInARow(t *testing.T) {
	ctx := context.Background()
	one := Request{Method: "GET", Path: "/credits"}
	other := Request{Method: "GET", Path: "/companies/1", Template: "/companies/{id}"}

	t.Run("one operation that never answers is that operation's bug", func(t *testing.T) {
		c := newTestClient(t, refusedURL(t))
		for range 2 * OutageAfter {
			c.Do(ctx, one)
		}
		if _, gone := c.Outage(); gone {
			t.Error("one dead operation was called an outage of the target")
		}
	})

	t.Run("an answer in between ends the streak", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/dead" || r.URL.Path == "/dead2" {
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			w.WriteHeader(http.StatusUnauthorized)
		}))
		defer srv.Close()
		c := newTestClient(t, srv.URL)
		for range 2 * OutageAfter {
			c.Do(ctx, Request{Method: "GET", Path: "/dead"})
			c.Do(ctx, Request{Method: "GET", Path: "/dead2"})
			c.Do(ctx, one)
		}
		if _, gone := c.Outage(); gone {
			t.Error("two broken operations of a target that answers the others were called an outage")
		}
	})

	t.Run("every operation unanswered: gone, said once, nothing more sent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}))
		c := newTestClient(t, srv.URL)
		for range 3 {
			c.Do(ctx, one)
		}
		srv.Close()
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
		if o.Answered != 3 || !strings.Contains(o.String(), "after 3 answered requests") {
			t.Errorf("outage %q, want it after 3 answered requests", o.String())
		}
		if strings.Contains(o.Err, "dial tcp") || !strings.Contains(o.Err, "connection refused") {
			t.Errorf("the outage's reason %q is in Go's words, or not the refusal", o.Err)
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
