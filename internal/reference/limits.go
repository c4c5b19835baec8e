package reference

import "time"

// bucket is a token bucket kept as the generic cell rate algorithm: instead of
// a level that refills, it stores when the bucket will be full again. Both
// describe the same continuous refill; this one needs no floating point.
type bucket struct {
	full        time.Time // the theoretical arrival time: when the bucket is full again
	frozenUntil time.Time // rate-limit-sticky: empty, whatever the refill says, until then
}

// take spends one request from the bucket named key, which holds limit
// requests and refills limit per rate window, steadily. When the bucket is
// empty it reports the whole seconds until a request would succeed, at least 1.
func (s *Server) take(key string, limit int, now time.Time) (retryAfter int, ok bool) {
	if s.broken(faultRateLimitMissing) {
		return 0, true
	}
	b := s.buckets[key]
	if b == nil {
		b = &bucket{}
		s.buckets[key] = b
	}
	if now.Before(b.frozenUntil) {
		return 1, false
	}
	window := s.cfg.rateWindow
	interval := window / time.Duration(limit) // the refill time of one request
	full := b.full
	if full.Before(now) {
		full = now
	}
	next := full.Add(interval)
	if excess := next.Sub(now) - window; excess > 0 {
		if s.broken(faultRateLimitSticky) {
			b.frozenUntil = now.Add(window)
			return 1, false
		}
		return ceilSeconds(excess), false
	}
	b.full = next
	return 0, true
}

// ceilSeconds rounds d up to whole seconds, at least 1.
func ceilSeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}
