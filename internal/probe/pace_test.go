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
			p := newPacer(map[string]int{endpoint: 2}, 1, 3, nil, RealClock{})
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

// A profile whose documented window is not a minute (rate_limit.refill_seconds)
// paces its documented limits per that window; the assumed paces of an
// undocumented operation and of failed authentication stay per minute.
func TestPacerPacesDocumentedLimitsPerTheirWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const endpoint = "POST /exports"
	tests := []struct {
		name     string
		window   time.Duration
		key, end string
		want     time.Duration // the wait of the third request at once
	}{
		{"a documented limit of 2 per 10s refills one in 5s", 10 * time.Second, "CONFORM_TOKEN_READ_WRITE " + endpoint, endpoint, 5 * time.Second},
		{"per two minutes, one in a minute", 2 * time.Minute, "CONFORM_TOKEN_READ_WRITE " + endpoint, endpoint, time.Minute},
		{"no window is a minute", 0, "CONFORM_TOKEN_READ_WRITE " + endpoint, endpoint, 30 * time.Second},
		{"an undocumented operation stays at 2/min", 10 * time.Second, "CONFORM_TOKEN_READ GET /y", "GET /y", 30 * time.Second},
		{"failed authentication stays at 2/min", 10 * time.Second, FailedAuthClass, FailedAuthClass, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Failed authentication and an undocumented operation ignore a
			// period given them: theirs are conform's assumptions, per minute.
			periods := map[string]time.Duration{endpoint: tt.window, FailedAuthClass: tt.window, "GET /y": tt.window}
			p := newPacer(map[string]int{endpoint: 2}, 2, 2, periods, RealClock{})
			for i := range 2 {
				if got := p.reserve(tt.key, tt.end, t0); got != 0 {
					t.Fatalf("request %d: wait %s, want none (a full bucket)", i+1, got)
				}
			}
			if got := p.reserve(tt.key, tt.end, t0); got != tt.want {
				t.Errorf("third request: wait %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRateSaysThePeriodUnlessAMinute(t *testing.T) {
	for _, tt := range []struct {
		period time.Duration
		want   string
	}{{time.Minute, "5/min"}, {0, "5/min"}, {10 * time.Second, "5 per 10s"}, {time.Hour, "5 per 1h"}, {2 * time.Minute, "5 per 2m"}, {90 * time.Second, "5 per 1m30s"}} {
		if got := Rate(5, tt.period); got != tt.want {
			t.Errorf("Rate(5, %s) = %q, want %q", tt.period, got, tt.want)
		}
	}
}
