package reference

import (
	"io"
	"iter"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is the in-memory CAPI. It is an http.Handler; all its state sits
// behind one mutex, so it is safe for concurrent requests.
type Server struct {
	cfg        config
	faults     nameSet
	variations nameSet
	routes     []route
	extras     map[string]*route // WithExtraOperations' routes, by op name
	openapi    []byte            // the served document; immutable after New
	data       *dataset          // the companies; immutable and shared
	tokens     map[string]*token // by secret value; immutable after New
	signingKey []byte            // signs presigned download URLs

	mu         sync.Mutex
	workspaces map[string]*workspace // by id
	lists      map[string]*list      // by id
	exports    map[string]*export    // by id
	buckets    map[string]*bucket    // rate limit buckets, by key
	spellings  map[string]int        // codes-unstable: errors so far per code that has two spellings
}

// New returns a server with fresh token values and the seeded sandbox world
// described in the package documentation. It panics on options a caller
// could have validated: an unknown fault or variation name (see CheckFaults
// and CheckVariations) or a nonsensical duration or limit.
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	if len(cfg.problems) > 0 {
		panic("reference.New: " + strings.Join(cfg.problems, "; "))
	}
	doc := openAPIDocument
	if cfg.extraOps > 0 {
		var err error
		if doc, err = withExtraOperations(openAPIDocument, cfg.extraOps); err != nil {
			panic("reference.New: the embedded openapi.json: " + err.Error())
		}
	}
	s := &Server{
		cfg:        cfg,
		faults:     newNameSet(cfg.faults),
		variations: newNameSet(cfg.variations),
		routes:     routes(),
		extras:     extraRoutes(cfg.extraOps),
		openapi:    doc,
		data:       companies(),
		signingKey: []byte(randomHex(32)),
		buckets:    make(map[string]*bucket),
		spellings:  make(map[string]int),
	}
	s.seed(cfg.clock.Now())
	return s
}

// Endpoint ids; each is also the name of its rate limit bucket.
const (
	endpointSearchCompanies = "search_companies"
	endpointGetCompany      = "get_company"
	endpointGetCredits      = "get_credits"
	endpointCreateExport    = "create_export"
	endpointGetExport       = "get_export"
	endpointDownloadExport  = "download_export"
	endpointFetchFile       = "fetch_file"
)

// route is one endpoint: how it is matched and what guards it.
type route struct {
	id      string
	method  string
	pattern []string // path segments; "{name}" matches any one non-empty segment
	public  bool     // no authentication and no rate limit: the presigned download
	scope   scope    // the scope a token needs
	limit   int      // documented requests per minute (per rate window) per token
	handle  func(*Server, *call) (reply, *apiError)
}

func routes() []route {
	api := func(id, method, path string, sc scope, limit int, h func(*Server, *call) (reply, *apiError)) route {
		return route{id: id, method: method, pattern: strings.Split("/api/v1"+path, "/"), scope: sc, limit: limit, handle: h}
	}
	return []route{
		api(endpointSearchCompanies, http.MethodPost, "/companies/search", scopeRead, 60, (*Server).searchCompanies),
		api(endpointGetCompany, http.MethodGet, "/companies/{id}", scopeRead, 120, (*Server).getCompany),
		api(endpointGetCredits, http.MethodGet, "/credits", scopeRead, 60, (*Server).getCredits),
		api(endpointCreateExport, http.MethodPost, "/exports", scopeReadWrite, 5, (*Server).createExport),
		api(endpointGetExport, http.MethodGet, "/exports/{export_id}", scopeRead, 120, (*Server).getExport),
		api(endpointDownloadExport, http.MethodPost, "/exports/{export_id}/download", scopeRead, 30, (*Server).downloadExport),
		{id: endpointFetchFile, method: http.MethodGet, pattern: strings.Split("/files/{export_id}", "/"), public: true, handle: (*Server).fetchFile},
		{id: endpointOpenAPI, method: http.MethodGet, pattern: strings.Split("/openapi.json", "/"), public: true, handle: (*Server).openAPI},
		{id: endpointOpenAPI, method: http.MethodGet, pattern: strings.Split("/api/v1/openapi.json", "/"), public: true, handle: (*Server).openAPI},
	}
}

// matchPath reports whether the path segments fit the route's pattern, and
// the values of its parameters.
func (rt *route) matchPath(segments []string) (map[string]string, bool) {
	if len(segments) != len(rt.pattern) {
		return nil, false
	}
	var params map[string]string
	for i, p := range rt.pattern {
		if name, ok := strings.CutPrefix(p, "{"); ok {
			if segments[i] == "" {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string)
			}
			params[strings.TrimSuffix(name, "}")] = segments[i]
			continue
		}
		if p != segments[i] {
			return nil, false
		}
	}
	return params, true
}

// call is one request on its way through the checks.
type call struct {
	r            *http.Request
	params       map[string]string
	body         []byte
	bodyTooLarge bool
	now          time.Time
	workspace    *workspace // the caller's workspace; nil on public routes
}

// maxBody bounds request bodies; a larger one fails validation.
const maxBody = 1 << 20

// ServeHTTP answers one request. The checks run in the documented order:
// route, authentication, rate limit, scope, then the endpoint's own body
// validation, resource lookup and charge.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r.Context()) {
		return
	}
	w, done := s.transport(w, r)
	defer done()

	rt, params, err := s.match(r.Method, r.URL.Path)
	if err != nil && err.status == http.StatusMethodNotAllowed && s.varies(variationMethodAfterScope) {
		rt, params, err = s.methodAfterScope(r.URL.Path, err)
	}
	if err != nil {
		if err.status == http.StatusNotFound && s.broken(faultUnknownRoutePlainText) {
			http.NotFound(w, r) // what an unconfigured Go mux answers
			return
		}
		s.writeError(w, r, err)
		return
	}
	c := &call{r: r, params: params}
	c.body, c.bodyTooLarge = readBody(r.Body)
	rep, err := s.serve(rt, c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeReply(w, rep)
}

// match finds the route: 404 when no route has the path, 405 (with the
// methods it has) when routes have the path but not the method.
func (s *Server) match(method, path string) (*route, map[string]string, *apiError) {
	segments := strings.Split(path, "/")
	var allow []string
	for rt := range s.candidates(segments) {
		params, ok := rt.matchPath(segments)
		if !ok {
			continue
		}
		if rt.method == method {
			return rt, params, nil
		}
		if !slices.Contains(allow, rt.method) {
			allow = append(allow, rt.method)
		}
	}
	if allow != nil && !s.broken(faultWrongMethod404) {
		return nil, nil, methodNotAllowed(allow)
	}
	return nil, nil, notFound("There is nothing at this URL.")
}

// methodAfterScope is the method-after-scope variation's route for a
// method the path does not have: the path's route that needs the widest
// scope, with its bucket and limit, whose handler answers notAllowed.
func (s *Server) methodAfterScope(path string, notAllowed *apiError) (*route, map[string]string, *apiError) {
	segments := strings.Split(path, "/")
	var widest *route
	var params map[string]string
	for rt := range s.candidates(segments) {
		if p, ok := rt.matchPath(segments); ok && (widest == nil || (widest.scope != scopeReadWrite && rt.scope == scopeReadWrite)) {
			widest, params = rt, p
		}
	}
	if widest == nil {
		return nil, nil, notAllowed
	}
	rt := *widest
	rt.handle = func(*Server, *call) (reply, *apiError) { return reply{}, notAllowed }
	return &rt, params, nil
}

// candidates yields the routes that may match the path segments: the extra
// operation of their shape, if any (a map lookup, however many there are),
// then the documented routes.
func (s *Server) candidates(segments []string) iter.Seq[*route] {
	return func(yield func(*route) bool) {
		if rt := s.extraRoute(segments); rt != nil && !yield(rt) {
			return
		}
		for i := range s.routes {
			if !yield(&s.routes[i]) {
				return
			}
		}
	}
}

// serve runs the checks after routing, under the lock.
func (s *Server) serve(rt *route, c *call) (reply, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.cfg.clock.Now()

	switch {
	case rt.public:
	case rt.id == endpointGetCredits && s.broken(faultCreditsNoAuth):
		c.workspace = s.workspaces[workspaceAID]
	default:
		if s.broken(faultValidationBeforeAuth) {
			if err := s.checkBody(rt, c); err != nil {
				return reply{}, err
			}
		}
		tok, ws, err := s.authenticate(c.r, c.now)
		if err != nil {
			if wait, ok := s.take("client "+clientIP(c.r), s.cfg.unauthLimit, c.now); !ok {
				return reply{}, rateLimited(wait)
			}
			return reply{}, err
		}
		bucket := "token " + tok.role + " " + rt.id
		if s.broken(faultSharedBucket) {
			bucket = "endpoint " + rt.id
		}
		if wait, ok := s.take(bucket, rt.limit, c.now); !ok {
			return reply{}, rateLimited(wait)
		}
		c.workspace = ws
		if err := s.checkScope(rt, tok); err != nil {
			if s.broken(faultScopeAfterCharge) {
				_, _ = rt.handle(s, c) // the work is done (and charged) before the refusal
			}
			return reply{}, err
		}
	}
	return rt.handle(s, c)
}

// Tokens returns this server's token values by role: READ, READ_WRITE,
// EXPIRED, REVOKED, UNBOUND, NON_MEMBER and NO_CREDITS (see TokenRoles).
func (s *Server) Tokens() map[string]string {
	out := make(map[string]string, len(s.tokens))
	for value, tok := range s.tokens {
		out[tok.role] = value
	}
	return out
}

// readBody reads at most maxBody bytes; tooLarge reports a longer body.
func readBody(body io.Reader) (b []byte, tooLarge bool) {
	if body == nil {
		return nil, false
	}
	b, _ = io.ReadAll(io.LimitReader(body, maxBody+1))
	if len(b) > maxBody {
		return nil, true
	}
	return b, false
}

// clientIP is the key of the unauthenticated rate limit: the host part of
// the peer address (proxies' forwarding headers are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
