package probe

import (
	"net/http"
	"testing"
	"time"
)

func TestPacerReservesWithinTheDocumentedLimit(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const key, endpoint = "CONFORM_TOKEN_READ GET /x", "GET /x"
	type step struct {
		key, endpoint string
		at            time.Duration // after t0
		want          time.Duration
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"two at once pass, the third waits a refill (30s at 2/min)", []step{
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 30 * time.Second},
		}},
		{"waits add up as a queue", []step{
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 30 * time.Second},
			{key, endpoint, 0, 60 * time.Second},
		}},
		{"time refills the bucket", []step{
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 0},
			{key, endpoint, 30 * time.Second, 0},
			{key, endpoint, 45 * time.Second, 15 * time.Second},
		}},
		{"a long pause refills no more than the limit", []step{
			{key, endpoint, 0, 0},
			{key, endpoint, time.Hour, 0},
			{key, endpoint, time.Hour, 0},
			{key, endpoint, time.Hour, 30 * time.Second},
		}},
		{"each credential has a bucket of its own", []step{
			{key, endpoint, 0, 0},
			{key, endpoint, 0, 0},
			{"CONFORM_TOKEN_READ_WRITE GET /x", endpoint, 0, 0},
			{"CONFORM_TOKEN_READ_WRITE GET /x", endpoint, 0, 0},
			{key, endpoint, 0, 30 * time.Second},
		}},
		{"an endpoint without a documented limit gets the undocumented one (1/min)", []step{
			{"CONFORM_TOKEN_READ GET /y", "GET /y", 0, 0},
			{"CONFORM_TOKEN_READ GET /y", "GET /y", 0, time.Minute},
			{"CONFORM_TOKEN_READ_WRITE GET /y", "GET /y", 0, 0},
		}},
		{"every request that fails authentication shares one bucket (3/min), whatever the operation", []step{
			{FailedAuthClass, FailedAuthClass, 0, 0},
			{FailedAuthClass, FailedAuthClass, 0, 0},
			{FailedAuthClass, FailedAuthClass, 0, 0},
			{FailedAuthClass, FailedAuthClass, 0, 20 * time.Second},
			{key, endpoint, 0, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(map[string]int{endpoint: 2}, 1, 3, realClock{})
			for i, s := range tt.steps {
				if got := p.reserve(s.key, s.endpoint, t0.Add(s.at)); got != s.want {
					t.Errorf("request %d (%s at +%s): wait %s, want %s", i+1, s.key, s.at, got, s.want)
				}
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"1", time.Second, true},
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{"007", 7 * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Monday, 02-Jan-26 03:05:35 GMT", 90 * time.Second, true}, // RFC 850, obsolete but allowed
		{"99999999999", (1<<31 - 1) * time.Second, true},           // a valid delay too long for 31 bits: as long as can be
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"+1", 0, false},
		{"1s", 0, false},
		{"soon", 0, false},
		{"2026-01-02T03:05:35Z", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
