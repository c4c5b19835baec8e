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

// Retry-After waits decided by concurrent requests of one class cover one
// stretch of time: 16 requests told to wait 2 s within the same 100 ms are
// 2.1 s of waiting, not 32 s; a wait after they are over counts whole.
func TestRetryAfterWaitsAreCountedInWallTime(t *testing.T) {
	var s spans
	start := time.Unix(0, 0)
	for i := range 16 {
		s.add(start.Add(time.Duration(i)*100*time.Millisecond/16), 2*time.Second)
	}
	s.add(start.Add(10*time.Second), time.Second)   // later, apart
	s.add(start.Add(10*time.Second), time.Second/2) // inside the one before
	if got, want := s.total(), 2*time.Second+100*time.Millisecond*15/16+time.Second; got != want {
		t.Errorf("wall time %s, want %s (the sum of the waits would be 33.5s)", got, want)
	}
}
