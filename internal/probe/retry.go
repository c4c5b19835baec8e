package probe

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"
)

// The retry policy: what conform does with an answer that is no answer
// to the request. An unprovoked 429 is waited out as its Retry-After asks
// (or, without one, after a backoff of conform's own, sending fewer at
// once); a 502, 503 or 504 is retried with backoff; both within the
// class's RetryBudget. A 429 conform provoked, and a 500, are answers.

// retry says whether the attempt that got ex is sent again. It releases
// the request's class (after slowing it, for a 429) and waits out an
// overloaded answer's backoff first; an answer it gives up on is marked
// Throttled or Overloaded.
func (c *Client) retry(ctx context.Context, t *try, ex *Exchange, release func()) bool {
	if ex.Status == http.StatusTooManyRequests && !t.r.Provoke {
		return c.retryThrottled(t, ex, release)
	}
	release()
	if !overloaded(ex.Status) {
		if !t.r.Provoke {
			t.cls.answered()
		}
		return false
	}
	return c.retryOverloaded(ctx, t, ex)
}

// retryThrottled decides on an unprovoked 429: the class is blocked for
// the wait before the next of its requests is let in, and the attempt
// that follows waits in it. Without Retry-After nothing says when to come
// back, so conform backs off on its own, after sending fewer at once.
func (c *Client) retryThrottled(t *try, ex *Exchange, release func()) bool {
	r := t.r
	bare := len(ex.Header.Values("Retry-After")) == 0
	d := c.retryDelay(ex.Header.Get("Retry-After"))
	blocked := t.retries < c.opts.MaxRetries && t.cls.block(c.opts.Clock.Now(), d, c.opts.RetryBudget)
	release()
	if bare {
		c.lowerOn(r, t.key, "429")
	}
	switch {
	case !blocked && bare:
		ex.Throttled = true
		c.logf("%s %s: still 429 without Retry-After after %d retries; conform stops retrying, and the check is inconclusive", r.Method, r.Template, t.retries)
		return false
	case !blocked:
		ex.Throttled = true
		c.logf("%s %s: still 429 after %d retries (%s waited); conform stops waiting, and the check is inconclusive", r.Method, r.Template, t.retries, t.waited.Round(time.Millisecond))
		return false
	case bare:
		c.logf("%s %s: 429 the suite did not provoke, without Retry-After; backing off %s, then retrying", r.Method, r.Template, d.Round(time.Millisecond))
		c.onWait(Wait{Cause: WaitBackoff, Operation: t.key, Token: t.tokenVar, Duration: d})
		c.bare.Add(1)
		c.bareWaited.Add(int64(d))
		c.bareWall.add(c.opts.Clock.Now(), d)
	default:
		c.logf("%s %s: 429 the suite did not provoke; waiting %s as Retry-After asks, then retrying", r.Method, r.Template, d.Round(time.Millisecond))
		c.onWait(Wait{Cause: WaitRetryAfter, Operation: t.key, Token: t.tokenVar, Duration: d})
		t.waited += d
		c.retries.Add(1)
		c.waited.Add(int64(d))
		c.retryWall.add(c.opts.Clock.Now(), d)
	}
	t.retries++
	return true
}

// retryOverloaded decides on a 502, 503 or 504: marked Overloaded unless a
// retry gets past it, retried after its backoff (MaxOverloadRetries, within
// the class's RetryBudget), never when provoked.
func (c *Client) retryOverloaded(ctx context.Context, t *try, ex *Exchange) bool {
	r := t.r
	ex.Overloaded = true
	if ex.Status == http.StatusServiceUnavailable && !r.Provoke && len(ex.Header.Values("Retry-After")) == 0 {
		c.lowerOn(r, t.key, "503")
	}
	d := c.overloadDelay(ex.Header.Get("Retry-After"), t.overloads)
	if r.Provoke || t.overloads >= c.opts.MaxOverloadRetries || !t.cls.spend(d, c.opts.RetryBudget) {
		if !r.Provoke {
			c.logf("%s %s: still %d after %d retries (%s waited): the target is overloaded; conform stops waiting, and the check is inconclusive", r.Method, r.Template, ex.Status, t.overloads, t.overWaited.Round(time.Millisecond))
		}
		return false
	}
	c.logf("%s %s: %d, the target is overloaded; waiting %s, then retrying", r.Method, r.Template, ex.Status, d.Round(time.Millisecond))
	c.onWait(Wait{Cause: WaitOverload, Operation: t.key, Token: t.tokenVar, Duration: d})
	if !c.overloadSleep(ctx, d) {
		return false
	}
	t.overloads++
	t.overWaited += d
	c.overloads.Add(1)
	c.overWaited.Add(int64(d))
	return true
}

// overloaded says whether status is a gateway's or server's "not now"
// (502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout): worth
// retrying, and no answer to the request. A 500 is an answer, a failure.
func overloaded(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// overloadDelay is the wait before retry n+1 of an overloaded answer:
// Retry-After when it names a positive delay, else OverloadBackoff doubled
// n times with jitter (half of it to all of it), either within
// MaxOverloadWait.
func (c *Client) overloadDelay(retryAfter string, n int) time.Duration {
	if d, ok := ParseRetryAfter(retryAfter, c.opts.Clock.Now()); ok && d > 0 {
		return min(d, c.opts.MaxOverloadWait)
	}
	d := c.opts.OverloadBackoff
	for range n {
		if d >= c.opts.MaxOverloadWait {
			break
		}
		d *= 2
	}
	d = min(d, c.opts.MaxOverloadWait)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// retryDelay honours Retry-After (seconds or HTTP-date) within MaxRetryWait,
// with a little jitter; without a usable value it backs off one second.
func (c *Client) retryDelay(v string) time.Duration {
	d, ok := ParseRetryAfter(v, c.opts.Clock.Now())
	if !ok || d < time.Second {
		d = time.Second
	}
	d += time.Duration(rand.Int64N(int64(100 * time.Millisecond)))
	return min(d, c.opts.MaxRetryWait)
}
