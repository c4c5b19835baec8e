package probe

import (
	"testing"
	"time"
)

// Waits that overlap count once: the wall time, not their sum.
func TestWaitsAreCountedInWallTime(t *testing.T) {
	now := time.Unix(0, 0)
	w := wallTime{now: func() time.Time { return now }}
	w.begin() // t=0
	now = now.Add(time.Second)
	w.begin() // t=1, overlapping
	now = now.Add(2 * time.Second)
	w.end() // t=3
	now = now.Add(time.Second)
	w.end() // t=4
	now = now.Add(10 * time.Second)
	w.begin() // t=14
	now = now.Add(time.Second)
	w.end() // t=15
	if got, want := w.total(), 5*time.Second; got != want {
		t.Errorf("wall time %s, want %s (the sum of the waits would be 7s)", got, want)
	}
}
