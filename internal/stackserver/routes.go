package stackserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// route is one route of the app, as a FastAPI app registers it: its methods
// and a path template in FastAPI's spelling (/api/v1/exports/{export_id}).
type route struct {
	methods  []string // as registered; a GET route answers HEAD too (Starlette)
	path     string
	segments []string
	body     bool // takes a JSON body, which FastAPI parses before any dependency runs
	serve    func(s *Server, w http.ResponseWriter, r *http.Request)
}

func get(path string, serve func(*Server, http.ResponseWriter, *http.Request)) route {
	return route{methods: []string{http.MethodGet}, path: path, segments: strings.Split(path, "/"), serve: serve}
}

func post(path string, body bool, serve func(*Server, http.ResponseWriter, *http.Request)) route {
	return route{methods: []string{http.MethodPost}, path: path, segments: strings.Split(path, "/"), body: body, serve: serve}
}

// appRoutes is the route table, in registration order, which decides what
// Starlette's router answers: the first full match serves, the first path
// match alone answers 405.
//
// GET /api/v1/companies/search, a query-string search for browsers and
// curl, is registered before the documented POST on the same path, as it
// sits above it in the router's file: one path, two routes, two methods.
// GET /api/v1/ is the API's index, the one route whose path ends in a slash.
func appRoutes(fastAPIDocs bool) []route {
	var rs []route
	if fastAPIDocs { // FastAPI adds these when the app is created, before any router
		rs = append(rs,
			get("/openapi.json", (*Server).openAPIJSON),
			get("/openapi.yaml", (*Server).openAPIYAML),
			get("/docs", (*Server).swaggerUI),
			get("/redoc", (*Server).redoc),
			get("/healthz", (*Server).healthz),
		)
	}
	rs = append(rs,
		get("/api/v1/", (*Server).index),
		get("/api/v1/companies/search", (*Server).searchByQuery),
		post("/api/v1/companies/search", true, (*Server).forward),
		get("/api/v1/companies/{company_id}", (*Server).forward),
		get("/api/v1/credits", (*Server).forward),
		post("/api/v1/exports", true, (*Server).createExport),
		get("/api/v1/exports/{export_id}", (*Server).forward),
		post("/api/v1/exports/{export_id}/download", false, (*Server).forward),
		get("/files/{export_id}", (*Server).forward), // the presigned download
	)
	if !fastAPIDocs {
		rs = append(rs, get("/openapi.json", (*Server).forward), get("/api/v1/openapi.json", (*Server).forward))
	}
	return rs
}

// matchesPath reports whether a path, split at its slashes, fits the
// template; a parameter matches one non-empty segment, like Starlette's
// default [^/]+.
func (rt *route) matchesPath(segments []string) bool {
	if len(segments) != len(rt.segments) {
		return false
	}
	for i, p := range rt.segments {
		if strings.HasPrefix(p, "{") {
			if segments[i] == "" {
				return false
			}
		} else if p != segments[i] {
			return false
		}
	}
	return true
}

// allow lists the methods the route answers, HEAD after GET as Starlette
// adds it.
func (rt *route) allow() []string {
	out := slices.Clone(rt.methods)
	if slices.Contains(out, http.MethodGet) && !slices.Contains(out, http.MethodHead) {
		out = append(out, http.MethodHead)
	}
	return out
}

// keys are the route's names for WithCrashOn: "METHOD /path" per method.
func (rt *route) keys() []string {
	out := make([]string, 0, len(rt.methods))
	for _, m := range rt.methods {
		out = append(out, m+" "+rt.path)
	}
	return out
}

// Routes lists the routes of the app, "METHOD /path" in registration order,
// as WithCrashOn names them.
func (s *Server) Routes() []string {
	var out []string
	for i := range s.routes {
		out = append(out, s.routes[i].keys()...)
	}
	return out
}

// match routes a request as Starlette's Router does: the first route whose
// path and method match serves it; otherwise a route whose path matched
// answers 405; otherwise, with redirect_slashes, the same path with its
// trailing slash toggled is redirected to when any route has it; otherwise
// 404. It returns the route, or the error, or the redirect's Location.
func (s *Server) match(r *http.Request) (*route, *apiError, string) {
	path := r.URL.Path
	segments := strings.Split(path, "/")
	var first *route // the first route whose path matched
	var allow []string
	for i := range s.routes {
		rt := &s.routes[i]
		if !rt.matchesPath(segments) {
			continue
		}
		if slices.Contains(rt.allow(), r.Method) {
			return rt, nil, ""
		}
		if first == nil {
			first = rt
		}
		for _, m := range rt.allow() {
			if !slices.Contains(allow, m) {
				allow = append(allow, m)
			}
		}
	}
	if first != nil {
		if s.cfg.firstRouteAllow {
			allow = first.allow() // Starlette: the partial match's Route.handle answers, with its own methods
		}
		return nil, methodNotAllowed(allow), ""
	}
	if s.cfg.redirectSlashes && path != "/" {
		other := path + "/"
		if strings.HasSuffix(path, "/") {
			other = strings.TrimRight(path, "/") // Python's rstrip("/")
		}
		otherSegments := strings.Split(other, "/")
		for i := range s.routes {
			if s.routes[i].matchesPath(otherSegments) {
				return nil, nil, redirectLocation(r, other)
			}
		}
	}
	return nil, notFound(), ""
}

// redirectLocation is the absolute URL Starlette's redirect names: the
// request's scheme and Host, the new path, the query unchanged.
func redirectLocation(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: path, RawQuery: r.URL.RawQuery}
	return u.String()
}
