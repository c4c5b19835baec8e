package probe

import (
	"context"
	"sync"
)

// gate lets at most limit requests be in flight. The limit starts at
// Options.Concurrency and only goes down: when the target refuses requests
// without saying when to come back (a 429 with no Retry-After) while
// several are in flight, the refusals are most likely conform's own doing
// (a server that caps connections per client address, as fasthttp's
// MaxConnsPerIP does), so the client sends fewer at once before it waits.
type gate struct {
	mu       sync.Mutex
	limit    int
	inflight int
	initial  int
	wake     chan struct{} // closed, and replaced, whenever a slot frees
	lowered  []Lowering
}

// Lowering is one time the client lowered its concurrency: a 429 or 503
// without Retry-After while other requests were in flight.
type Lowering struct {
	From int `json:"from"`
	To   int `json:"to"`
	// InFlight is how many requests were in flight when the refusal came.
	InFlight int `json:"in_flight"`
	// Operation is the refused request's operation.
	Operation string `json:"operation"`
}

func newGate(n int) *gate {
	return &gate{limit: n, initial: n, wake: make(chan struct{})}
}

// enter takes a slot, waiting for one while the gate is full; it returns
// ctx's error when ctx ends first.
func (g *gate) enter(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.inflight < g.limit {
			g.inflight++
			g.mu.Unlock()
			return nil
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// leave gives a slot back.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	close(g.wake)
	g.wake = make(chan struct{})
}

// lower halves the limit, down to one, when more than one request was in
// flight at a refusal: the refused one, which has left its slot, and
// others still in flight. It reports whether it lowered.
func (g *gate) lower(operation string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.inflight + 1
	if n <= 1 || g.limit <= 1 {
		return false
	}
	to := max(1, min(g.limit, n)/2)
	g.lowered = append(g.lowered, Lowering{From: g.limit, To: to, InFlight: n, Operation: operation})
	g.limit = to
	return true
}

// lowerOn lowers the client's concurrency after a refusal without
// Retry-After (status says which) to r while other requests were in
// flight: a 429 from a server that caps one client's connections, or a
// 503 from a pool of workers conform's own load filled.
func (c *Client) lowerOn(r Request, key, status string) {
	if !c.gate.lower(key) {
		return
	}
	c.http.CloseIdleConnections() // a server counting connections per address counts idle ones too
	c.logf("%s %s: %s without Retry-After while other requests were in flight; conform lowered its concurrency to %d (--concurrency %d would have avoided it)",
		r.Method, r.Template, status, c.gate.current(), c.gate.current())
}

// current is the limit now.
func (g *gate) current() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.limit
}

// lowerings are the times the limit went down, in order.
func (g *gate) lowerings() []Lowering {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Lowering(nil), g.lowered...)
}
