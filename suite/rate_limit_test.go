package suite

import (
	"strings"
	"testing"
	"time"
)

// TestABurstThatNeverReachedTheLimitIsNoFailure: a burst without a 429
// fails RATE-LIMIT-429 only when the target served more requests than its
// limit lets through in the time the burst took. Requests a full worker
// pool refused with 503 never reached the limiter, and a slow burst gives
// the limit time to let more through: neither is evidence of a missing
// limit (a small worker pool under load once failed the check so).
func TestABurstThatNeverReachedTheLimitIsNoFailure(t *testing.T) {
	for _, tt := range []struct {
		name         string
		sent, served int
		elapsed      time.Duration
		period       time.Duration // of the limit of 60; 0 is a minute
		want         string        // "" for a failure, else what the reason says
	}{
		{"every request served, fast", 63, 63, 50 * time.Millisecond, 0, ""},
		{"every request served in a second", 63, 63, time.Second, 0, ""},
		{"a few overloaded, still past the limit", 63, 62, 200 * time.Millisecond, 0, ""},
		{"most of the burst overloaded", 63, 9, 300 * time.Millisecond, 0, "only 9 of them were served"},
		{"one short of the limit once overloaded", 63, 61, 300 * time.Millisecond, 0, "only 61 of them were served"},
		{"a burst slowed by load", 63, 63, 3500 * time.Millisecond, 0, "let 4 more through"},
		// 60 per 10 s lets 6 more through a second: 63 in half a second is within it.
		{"a limit per 10 s, half a second", 63, 63, 500 * time.Millisecond, 10 * time.Second, "let 3 more through"},
		{"a limit per 10 s, fast", 63, 63, 50 * time.Millisecond, 10 * time.Second, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			period := tt.period
			if period == 0 {
				period = time.Minute
			}
			got := burstShort(tt.sent, tt.served, tt.elapsed, 60, period)
			if tt.want == "" && got != "" {
				t.Errorf("inconclusive (%s), want a failure", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it inconclusive saying %q", got, tt.want)
			}
		})
	}
}
