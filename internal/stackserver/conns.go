package stackserver

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// conns follows the connections of the http.Server the Server is installed
// on (see Track), so that a crash can take the worker's other connections
// with it.
type conns struct {
	mu sync.Mutex
	by map[net.Conn]*conn
}

// conn is one connection as the tracker knows it.
type conn struct {
	busy bool // a handler is serving a request of it
	dead bool // its worker crashed while it was at rest
}

// connKey is the request context key of a request's *conn.
type connKey struct{}

// context records a new connection and puts it in the context of every
// request it carries (http.Server.ConnContext).
func (cs *conns) context(ctx context.Context, c net.Conn) context.Context {
	rec := &conn{}
	cs.mu.Lock()
	cs.by[c] = rec
	cs.mu.Unlock()
	return context.WithValue(ctx, connKey{}, rec)
}

// track forgets a connection once net/http is done with it
// (http.Server.ConnState).
func (cs *conns) track(c net.Conn, state http.ConnState) {
	if state == http.StateClosed || state == http.StateHijacked {
		cs.mu.Lock()
		delete(cs.by, c)
		cs.mu.Unlock()
	}
}

// enter marks the request's connection busy for the handler's run; it
// reports false for a connection of a crashed worker. leave ends the run.
// At rest is the opposite of busy, rather than net/http's StateIdle,
// because net/http marks a connection idle only after the response has
// gone out: a client can have its answer, and send again, while the
// connection still reads active.
func (cs *conns) enter(ctx context.Context) (leave func(), alive bool) {
	rec, _ := ctx.Value(connKey{}).(*conn)
	if rec == nil {
		return func() {}, true // not tracked
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if rec.dead {
		return nil, false
	}
	rec.busy = true
	return func() {
		cs.mu.Lock()
		rec.busy = false
		cs.mu.Unlock()
	}, true
}

// kill marks every connection at rest as dead: the worker that held them
// is gone. The crashing connection is busy, so it is not among them.
func (cs *conns) kill() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, rec := range cs.by {
		if !rec.busy {
			rec.dead = true
		}
	}
}

// crash is the worker dying in the middle of a request: its other
// connections at rest die with it, and this one is closed without a byte of
// response (net/http closes the connection of a handler that panics with
// ErrAbortHandler, and logs nothing).
func (s *Server) crash() {
	s.conns.kill()
	panic(http.ErrAbortHandler)
}

// Track installs the Server's connection tracking on hs, keeping hooks hs
// already has: without it a crash (WithCrashOn) closes only its own
// connection. Start calls it; call it before hs serves when serving the
// Server yourself.
func (s *Server) Track(hs *http.Server) {
	prevState, prevContext := hs.ConnState, hs.ConnContext
	hs.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if prevContext != nil {
			ctx = prevContext(ctx, c)
		}
		return s.conns.context(ctx, c)
	}
	hs.ConnState = func(c net.Conn, state http.ConnState) {
		s.conns.track(c, state)
		if prevState != nil {
			prevState(c, state)
		}
	}
}
