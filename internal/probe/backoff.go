package probe

import (
	"context"
	"sync"
	"time"
)

// backoff is what unprovoked 429s taught the client about a class of
// requests: one token on one endpoint (the documented per-token limits), or
// every request that fails authentication (limited per client address, at a
// rate the docs do not publish). After its first 429 a class goes single
// file, each request waiting until the time Retry-After named, so a burst
// of concurrent probes does not keep tripping the limit. The waiting of a
// class is bounded by a budget that an answer refills: a class that keeps
// being answered after its waits (a target that limits it to a pace
// slower than conform's) goes on at that pace, while one whose waits get
// it nothing but 429s spends the budget, and past it a 429 is returned at
// once, marked Throttled, and the check judging it is inconclusive rather
// than failed. The waits before retrying an overloaded answer (502, 503,
// 504) come out of the same budget.
type backoff struct {
	mu      sync.Mutex
	budget  time.Duration
	classes map[string]*class
}

type class struct {
	// single holds the one request in flight once slowed: a channel, so a
	// request waiting its turn still hears its context (Ctrl-C).
	single chan struct{}

	mu     sync.Mutex
	slowed bool
	until  time.Time
	spent  time.Duration
}

func newBackoff(budget time.Duration) *backoff {
	return &backoff{budget: budget, classes: map[string]*class{}}
}

func (b *backoff) class(key string) *class {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.classes[key]
	if c == nil {
		c = &class{single: make(chan struct{}, 1)}
		b.classes[key] = c
	}
	return c
}

// enter lets one request of a slowed class through at a time, once the
// time Retry-After named has come; it returns how long it waited and the
// function that lets the next one in.
func (c *class) enter(ctx context.Context, clock Clock) (time.Duration, func(), error) {
	c.mu.Lock()
	slowed := c.slowed
	c.mu.Unlock()
	if !slowed {
		return 0, func() {}, nil
	}
	select {
	case c.single <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
	release := func() { <-c.single }
	c.mu.Lock()
	wait := c.until.Sub(clock.Now())
	c.mu.Unlock()
	if wait > 0 {
		if err := clock.Sleep(ctx, wait); err != nil {
			release()
			return 0, nil, err
		}
	}
	return max(wait, 0), release, nil
}

// block records a 429 that asked for d, from now; it reports false when
// the class's budget cannot pay for the wait.
func (c *class) block(now time.Time, d, budget time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spent+d > budget {
		return false
	}
	c.slowed = true
	if until := now.Add(d); until.After(c.until) {
		c.until = until
		c.spent += d
	}
	return true
}

// answered records an answer that was neither a 429 nor overloaded: the
// waiting so far got the class somewhere, and its budget is whole again.
func (c *class) answered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spent = 0
}

// spend pays d out of the class's budget without slowing the class: an
// overloaded target (502, 503, 504) is short of workers for everyone, not
// limiting this class. It reports false when the budget cannot pay.
func (c *class) spend(d, budget time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spent+d > budget {
		return false
	}
	c.spent += d
	return true
}
