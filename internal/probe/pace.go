package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pacer keeps the suite within the documented per-token limits: one local
// token bucket per (credential, endpoint), refilled at the documented rate
// (limit per window), an operation without a documented limit at the
// undocumented one; and one bucket for every request meant to fail
// authentication. The last two are conform's assumptions per minute.
type pacer struct {
	mu           sync.Mutex
	limits       map[string]int
	periods      map[string]time.Duration // of limits; a minute when not listed
	undocumented int
	slept        time.Duration
	buckets      map[string]*bucket
	clock        Clock
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newPacer paces each operation of limits at its limit per its period
// (a minute when periods lists none), the others at undocumented a
// minute, and failed authentication at failedAuth a minute.
func newPacer(limits map[string]int, undocumented, failedAuth int, periods map[string]time.Duration, clock Clock) *pacer {
	all := make(map[string]int, len(limits)+1)
	for k, v := range limits {
		all[k] = v
	}
	all[FailedAuthClass] = failedAuth
	return &pacer{limits: all, periods: periods, undocumented: undocumented, buckets: map[string]*bucket{}, clock: clock}
}

// period is how long the bucket of a limit key takes to refill whole: the
// period of a documented limit, else a minute.
func (p *pacer) period(key string) time.Duration {
	if d := p.periods[key]; d > 0 && p.limits[key] > 0 && key != FailedAuthClass {
		return d
	}
	return time.Minute
}

// Rate says a limit in words: "5/min", or "5 per 10s" for another period.
func Rate(limit int, period time.Duration) string {
	if period == time.Minute || period <= 0 {
		return fmt.Sprintf("%d/min", limit)
	}
	d := period.String() // "10s", "2m0s", "1h0m0s"
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return fmt.Sprintf("%d per %s", limit, d)
}

// limit is the pace of a limit key: an operation's, or FailedAuthClass.
func (p *pacer) limit(key string) int {
	if n := p.limits[key]; n > 0 {
		return n
	}
	return p.undocumented
}

func (p *pacer) waited() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slept
}

// reserve takes one token and says how long to wait before it is really there.
func (p *pacer) reserve(key, endpoint string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	limit := p.limit(endpoint)
	if limit <= 0 {
		return 0
	}
	b := p.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(limit), last: now}
		p.buckets[key] = b
	}
	perSec := float64(limit) / p.period(endpoint).Seconds()
	b.tokens = min(float64(limit), b.tokens+now.Sub(b.last).Seconds()*perSec)
	b.last = now
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / perSec * float64(time.Second))
}

// take consumes a token without waiting (for deliberate bursts).
func (p *pacer) take(key, endpoint string) { p.reserve(key, endpoint, p.clock.Now()) }

// wait consumes a token, sleeping until it is available; waiting hears
// how long, before the sleep.
func (p *pacer) wait(ctx context.Context, key, endpoint string, logf func(string, ...any), waiting func(time.Duration)) error {
	d := p.reserve(key, endpoint, p.clock.Now())
	if d <= 0 {
		return nil
	}
	what := "the documented limit"
	switch {
	case endpoint == FailedAuthClass:
		what = "the assumed limit on failed authentication"
	case p.limits[endpoint] <= 0:
		what = "the assumed limit of an undocumented operation"
	}
	logf("pacing %s: waiting %s to stay within %s of %s", endpoint, d.Round(time.Millisecond), what, Rate(p.limit(endpoint), p.period(endpoint)))
	waiting(d)
	if err := p.clock.Sleep(ctx, d); err != nil {
		return err
	}
	p.mu.Lock()
	p.slept += d
	p.mu.Unlock()
	return nil
}

// ParseRetryAfter reads a Retry-After value, delay-seconds or HTTP-date
// (RFC 9110 §10.2.3), relative to now.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	// A delay too long for 31 bits is still a delay: ParseUint returns the
	// largest value with ErrRange (as RFC 9111 §1.2.2 does for delta-seconds).
	if n, err := strconv.ParseUint(v, 10, 31); err == nil || errors.Is(err, strconv.ErrRange) {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// paceFirst paces a request's first attempt within its class's limit; a
// request provoked past the limit is counted, never held.
func (c *Client) paceFirst(ctx context.Context, t *try) error {
	if t.r.Provoke {
		c.pace.take(t.paceKey, t.limitKey)
		return nil
	}
	return c.pace.wait(ctx, t.paceKey, t.limitKey, c.logf, func(d time.Duration) {
		c.onWait(Wait{Cause: WaitPacing, Operation: t.paced, Token: t.tokenVar, Duration: d})
	})
}

// paceRetry counts a retry after a 429 against conform's own pace, without
// waiting: the target's Retry-After, or the backoff, already spaced it. A
// retry after an overloaded answer was not served, and is not counted.
func (c *Client) paceRetry(t *try) {
	if !t.last.Overloaded {
		c.pace.take(t.paceKey, t.limitKey)
	}
}
