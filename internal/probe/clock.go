package probe

import (
	"context"
	"time"
)

// Clock is the time the client waits on: pacing, Retry-After and the
// backoff from overloaded answers read it and sleep on it. A test that
// serves its target in process gives the client and the target one clock
// that moves when waited on, and its waits cost no real time.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, whichever comes first; it
	// returns ctx's error when ctx ended first.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the real time, Options.Clock's default.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
