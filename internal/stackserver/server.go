package stackserver

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// Server is the CAPI as a common stack serves it: the reference's state and
// answers behind a Starlette-like router, a FastAPI-like request pipeline
// and a small pool of workers. It is an http.Handler; Start serves it on
// loopback with the connection tracking a crash needs.
type Server struct {
	cfg     config
	ref     *reference.Server
	tokens  map[string]string // by role
	routes  []route
	workers workers
	conns   conns
	limits  limits
	clients clients
	cache   cache
	yaml    []byte // the OpenAPI document as YAML, with WithFastAPIDocs

	closing   chan struct{} // closed by Close: background holds end
	closeOnce sync.Once
	hs        *http.Server // set by Start
	url       string
}

// New returns a server around a fresh reference.New(WithReference's
// options). It panics on options a caller could have validated, like
// reference.New: a negative duration or count, an unknown token role, a
// crash route that is not among Routes, a status WithBodyParsedBeforeAuth
// does not take.
func New(opts ...Option) *Server {
	cfg := config{}
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Server{
		cfg:     cfg,
		routes:  appRoutes(cfg.fastAPIDocs),
		workers: newWorkers(cfg.workers),
		conns:   conns{by: map[net.Conn]*conn{}},
		closing: make(chan struct{}),
	}
	named := []struct{ option, route string }{
		{"WithCrashOn", cfg.crashRoute}, {"WithDeadRoute", cfg.deadRoute}, {"WithTokenLimiter", cfg.limiterRoute()},
	}
	for _, route := range cfg.cacheRoutes {
		named = append(named, struct{ option, route string }{"WithSharedCache", route})
	}
	for _, named := range named {
		if named.route != "" && !slices.Contains(s.Routes(), named.route) {
			cfg.invalid(fmt.Sprintf("%s: no route %q; routes: %s", named.option, named.route, strings.Join(s.Routes(), ", ")))
		}
	}
	if len(cfg.problems) > 0 {
		panic("stackserver.New: " + strings.Join(cfg.problems, "; "))
	}
	s.ref = reference.New(cfg.reference...)
	s.tokens = s.ref.Tokens()
	if cfg.fastAPIDocs {
		s.yaml = mustYAML(openAPIDocument)
	}
	return s
}

// Tokens returns the token values by role, as reference.Server.Tokens.
func (s *Server) Tokens() map[string]string { return s.ref.Tokens() }

// ServeHTTP answers one request in the order a request meets a stack:
// the proxy's worker cap, the router (405, 307, 404), FastAPI's body
// parsing, then the handler, which is the reference's answer. A request on
// a connection of a crashed worker is dropped before any of it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	leave, alive := s.conns.enter(r.Context())
	if !alive {
		panic(http.ErrAbortHandler) // no worker holds this connection any more
	}
	defer leave()
	if s.cfg.perClient > 0 {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		done, ok := s.clients.enter(host, s.cfg.perClient)
		if !ok {
			tooManyConns(w)
			return
		}
		defer done()
	}
	release, ok := s.workers.take()
	if !ok {
		s.writeError(w, s.overloaded())
		return
	}
	defer release()

	rt, err, location := s.match(r)
	switch {
	case location != "":
		writeRedirect(w, location)
		return
	case err != nil:
		s.writeError(w, err)
		return
	}
	if s.serveDead(rt, w, r) || s.serveLimited(rt, w, r) {
		return
	}
	if rt.body && s.cfg.parseStatus != 0 {
		if err := s.parseBody(r); err != nil {
			s.writeError(w, err)
			return
		}
	}
	if s.crashes(rt, r) {
		s.crash()
	}
	if s.serveCached(rt, w, r) {
		return
	}
	rt.serve(s, w, r)
}

// crashes reports whether the request is the one WithCrashOn names.
func (s *Server) crashes(rt *route, r *http.Request) bool {
	if s.cfg.crashRoute == "" || !slices.Contains(rt.keys(), s.cfg.crashRoute) {
		return false
	}
	if s.cfg.crashRole == "" {
		return true
	}
	scheme, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(credential) == s.tokens[s.cfg.crashRole]
}

// routeIs says whether rt serves key ("METHOD /path"); "" is no route.
func (s *Server) routeIs(rt *route, key string) bool {
	return key != "" && slices.Contains(rt.keys(), key)
}

// forward is the handler of every CAPI route: the reference answers, and
// its answer is sent with a Content-Length, as uvicorn sends a finished
// response. A HEAD is answered as the GET it stands for (net/http drops the
// body).
func (s *Server) forward(w http.ResponseWriter, r *http.Request) {
	s.relay(w, s.answer(r))
}

// answer is the reference's response to r, captured.
func (s *Server) answer(r *http.Request) *captured {
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	c := &captured{header: http.Header{}}
	s.ref.ServeHTTP(c, r)
	return c
}

func (s *Server) relay(w http.ResponseWriter, c *captured) {
	h := w.Header()
	for k, vs := range c.header {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(c.body.Len()))
	w.WriteHeader(c.statusCode())
	_, _ = w.Write(c.body.Bytes()) // a failed write means the client went away
}

// createExport is POST /api/v1/exports: the reference's answer, then, after
// a 201, the export's background work on the same worker and connection.
func (s *Server) createExport(w http.ResponseWriter, r *http.Request) {
	c := s.answer(r)
	s.relay(w, c)
	if c.statusCode() == http.StatusCreated && s.cfg.hold > 0 {
		s.holdAfter(w, r)
	}
}

// holdAfter flushes the response, so the client has all of it, and keeps
// the handler running for the hold: net/http reads the next request on a
// keep-alive connection only once the handler has returned.
func (s *Server) holdAfter(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).Flush()
	t := time.NewTimer(s.cfg.hold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done(): // the client went away
	case <-s.closing:
	}
}

// captured is a response the reference wrote, held until it is relayed.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }

func (c *captured) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (c *captured) statusCode() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// Start serves a New server on a loopback port, with Track's connection
// tracking, until Close. It panics when it cannot listen, as httptest does.
func Start(opts ...Option) *Server {
	s := New(opts...)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("stackserver: listening on loopback: %v", err))
	}
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.Track(s.hs)
	s.url = "http://" + l.Addr().String()
	go func() { _ = s.hs.Serve(l) }() // returns ErrServerClosed after Close
	return s
}

// URL is the root URL of a started server, e.g. http://127.0.0.1:40123,
// where /openapi.json, /docs and /healthz are; "" before Start.
func (s *Server) URL() string { return s.url }

// BaseURL is the CAPI's base URL on a started server: URL() + "/api/v1".
func (s *Server) BaseURL() string { return s.url + "/api/v1" }

// Close ends every background hold and, for a started server, closes its
// listener and every connection at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.hs != nil {
			_ = s.hs.Close()
		}
	})
}
