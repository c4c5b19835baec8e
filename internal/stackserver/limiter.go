package stackserver

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter is a rate limiter in front of one route, per token (keyed on
// the Authorization header, as nginx's limit_req on $http_authorization
// or an Express limiter keyed on the token): at most Limit requests of
// one token per Window (fixed windows), the next refused with Status.
// Requests without an Authorization header are not limited.
type Limiter struct {
	Route  string        // "METHOD /path", from Routes
	Limit  int           // requests per token per window
	Window time.Duration // wall clock
	// Status is what a refused request gets: 503 with nginx's HTML page
	// and no Retry-After (limit_req's default), or 429 with the envelope.
	Status int
	// RetryAfterMillis makes a 429 carry Retry-After in milliseconds, the
	// time left in the window (an Express limiter handing its msBeforeNext
	// to the header unconverted): 737 for a wait of 0.737 s.
	RetryAfterMillis bool
}

// WithTokenLimiter puts l in front of its route. A zero Limiter switches it
// off.
func WithTokenLimiter(l Limiter) Option {
	return func(cfg *config) {
		if l.Route == "" {
			cfg.limiter = nil
			return
		}
		if l.Limit < 1 || l.Window <= 0 || (l.Status != http.StatusServiceUnavailable && l.Status != http.StatusTooManyRequests) {
			cfg.invalid(fmt.Sprintf("WithTokenLimiter: need a limit and a window above 0 and status 503 or 429, got %+v", l))
			return
		}
		cfg.limiter = &l
	}
}

// limiterRoute is the limiter's route, "" without one.
func (cfg *config) limiterRoute() string {
	if cfg.limiter == nil {
		return ""
	}
	return cfg.limiter.Route
}

// limits are the limiter's windows, by Authorization value.
type limits struct {
	mu  sync.Mutex
	win map[string]*window
}

type window struct {
	start time.Time
	count int
}

// refuse counts a request of key and says how long the window still
// runs when it is past the limit.
func (l *limits) refuse(key string, lim *Limiter, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.win == nil {
		l.win = map[string]*window{}
	}
	w := l.win[key]
	if w == nil || now.Sub(w.start) >= lim.Window {
		w = &window{start: now}
		l.win[key] = w
	}
	if w.count >= lim.Limit {
		return lim.Window - now.Sub(w.start), true
	}
	w.count++
	return 0, false
}

// serveLimited refuses a request the limiter refuses; it reports false
// when the request may go on.
func (s *Server) serveLimited(rt *route, w http.ResponseWriter, r *http.Request) bool {
	lim := s.cfg.limiter
	key := r.Header.Get("Authorization")
	if lim == nil || key == "" || !s.routeIs(rt, lim.Route) {
		return false
	}
	now := time.Now()
	if s.cfg.clock != nil {
		now = s.cfg.clock.Now()
	}
	left, refused := s.limits.refuse(key, lim, now)
	if !refused {
		return false
	}
	if lim.Status == http.StatusServiceUnavailable {
		body := nginxPage(http.StatusServiceUnavailable)
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(body))
		return true
	}
	e := &apiError{status: http.StatusTooManyRequests, code: "RATE_LIMITED", message: "Too many requests, please try again later."}
	if lim.RetryAfterMillis {
		e.retryAfter = max(1, int(left.Milliseconds()))
	} else {
		e.retryAfter = max(1, int((left+time.Second-1)/time.Second))
	}
	s.writeError(w, e)
	return true
}

// WithConnsPerClient caps the requests one client has in flight at n, as
// fasthttp's MaxConnsPerIP caps its connections: one more gets 429 with
// Connection: close and no Retry-After, at once. 0 removes the cap.
func WithConnsPerClient(n int) Option {
	return func(cfg *config) {
		if n < 0 {
			cfg.invalid(fmt.Sprintf("WithConnsPerClient: count must not be negative, got %d", n))
			return
		}
		cfg.perClient = n
	}
}

// clients counts the requests in flight by client address.
type clients struct {
	mu sync.Mutex
	by map[string]int
}

// enter counts a request of addr; it reports false, counting nothing, when
// addr has n in flight already.
func (c *clients) enter(addr string, n int) (func(), bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[string]int{}
	}
	if c.by[addr] >= n {
		return nil, false
	}
	c.by[addr]++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.by[addr]--
	}, true
}

// tooManyConns answers a request past the per-client cap as fasthttp
// does: 429, Connection: close, no Retry-After.
func tooManyConns(w http.ResponseWriter) {
	body := "The number of connections from your ip exceeds MaxConnsPerIP"
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(body))
}
