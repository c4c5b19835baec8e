package probe

import (
	"context"
	"sync"
	"time"
)

// wallTime adds up the wall time during which at least one wait was under
// way: waits that overlap count once, so a run of 20 s never reports
// 52 s of waiting because 16 requests waited at the same time.
type wallTime struct {
	mu      sync.Mutex
	now     func() time.Time
	waiting int
	since   time.Time
	sum     time.Duration
}

func (w *wallTime) clock() time.Time {
	if w.now != nil {
		return w.now()
	}
	return time.Now()
}

// begin marks a wait started; end, one finished.
func (w *wallTime) begin() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiting == 0 {
		w.since = w.clock()
	}
	w.waiting++
}

func (w *wallTime) end() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waiting--
	if w.waiting == 0 {
		w.sum += w.clock().Sub(w.since)
	}
}

// total is the wall time waited so far, a wait under way included.
func (w *wallTime) total() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiting > 0 {
		return w.sum + w.clock().Sub(w.since)
	}
	return w.sum
}

// spans adds up waits that each start when they are decided and last
// their duration, as the wall time they cover together: a Retry-After that
// holds back a whole class of requests, retried by each of 16 concurrent
// requests, is one wait, not 16. Waits are added in the order they start.
type spans struct {
	mu    sync.Mutex
	until time.Time
	sum   time.Duration
}

// add counts a wait of d from start, less what waits already counted
// cover.
func (s *spans) add(start time.Time, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	end := start.Add(d)
	switch {
	case !start.Before(s.until):
		s.sum += d
	case end.After(s.until):
		s.sum += end.Sub(s.until)
	}
	if end.After(s.until) {
		s.until = end
	}
}

// total is the wall time the waits cover.
func (s *spans) total() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum
}

// overloadSleep waits d before retrying an overloaded answer, counting the
// wall time; false when ctx ended first.
func (c *Client) overloadSleep(ctx context.Context, d time.Duration) bool {
	c.overloadWall.begin()
	defer c.overloadWall.end()
	return c.opts.Clock.Sleep(ctx, d) == nil
}
