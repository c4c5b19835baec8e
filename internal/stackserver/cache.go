package stackserver

import (
	"net/http"
	"slices"
	"sync"
)

// A shared cache in front of GET routes, keyed on the URL alone (Django's
// cache_page without Vary: Authorization, a CDN rule that ignores the
// header): once any request got a 200, every GET of the same URL, with or
// without credentials, any token, gets that stored 200. On a route with a
// path parameter (GET /api/v1/exports/{export_id}) each URL is its own
// entry: the export a token read is served to anyone who asks for that
// export's URL, and an id nobody read yet reaches the API.

// WithSharedCache caches the 200s of the GET routes ("GET /path", from
// Routes) by URL, for every caller. No routes switches it off; each call
// replaces the routes of an earlier one.
func WithSharedCache(routes ...string) Option {
	return func(cfg *config) { cfg.cacheRoutes = slices.Clone(routes) }
}

// cache holds the stored answers by URL.
type cache struct {
	mu sync.Mutex
	by map[string]*captured
}

// serveCached answers from the cache, or answers and stores a 200; it
// reports false for a request the cache does not handle.
func (s *Server) serveCached(rt *route, w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !slices.ContainsFunc(s.cfg.cacheRoutes, func(key string) bool { return s.routeIs(rt, key) }) {
		return false
	}
	key := r.URL.RequestURI()
	s.cache.mu.Lock()
	stored := s.cache.by[key]
	s.cache.mu.Unlock()
	if stored == nil {
		c := s.answer(r)
		if c.statusCode() == http.StatusOK {
			s.cache.mu.Lock()
			if s.cache.by == nil {
				s.cache.by = map[string]*captured{}
			}
			s.cache.by[key] = c
			s.cache.mu.Unlock()
		}
		stored = c
	}
	s.relay(w, stored)
	return true
}
