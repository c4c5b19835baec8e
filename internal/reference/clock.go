package reference

import (
	"sync"
	"time"
)

// Clock is the server's only source of the current time: token expiry, rate
// limit refills, export progress, transaction timestamps and download URL
// expiry all read it.
type Clock interface {
	Now() time.Time
}

// systemClock is the real time, the default.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to, so tests can see a
// bucket refill or an export complete without sleeping. It is safe for
// concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock that reads t until it is advanced.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
