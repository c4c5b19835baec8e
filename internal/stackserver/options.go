package stackserver

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// config is what the options set. Every behaviour is off in the zero value,
// so New without options is the reference behind a router, conforming;
// later options override earlier ones.
type config struct {
	reference []reference.Option
	clock     reference.Clock // WithClock; nil is the real time

	hold            time.Duration // background work after a 201 from POST /exports
	crashRoute      string        // "METHOD /path/template"; "" for no crash
	crashRole       string        // the token role that crashes it; "" for every request
	parseStatus     int           // 422 or 400: bodies parsed before authentication; 0 for off
	redirectSlashes bool
	workers         int // requests in flight at most; 0 for no cap
	overloadRetry   bool
	overloadBody    OverloadBody
	firstRouteAllow bool
	fastAPIDocs     bool
	deadRoute       string // WithDeadRoute
	deadStatus      int
	limiter         *Limiter // WithTokenLimiter
	perClient       int      // WithConnsPerClient
	cacheRoutes     []string // WithSharedCache

	problems []string // invalid option values; New panics with them
}

// Option configures a Server.
type Option func(*config)

// DefaultBackgroundHold is how long the background work after POST /exports
// takes in a stack that queues the export job in-process: about what
// rendering a small export and writing it to object storage takes.
const DefaultBackgroundHold = 1500 * time.Millisecond

// OverloadBody is the body of the 503 a request past the worker cap gets.
type OverloadBody int

const (
	// OverloadEnvelope answers with the CAPI's JSON error envelope, code
	// SERVICE_UNAVAILABLE: an application-level concurrency limiter.
	OverloadEnvelope OverloadBody = iota
	// OverloadProxyHTML answers with nginx's own HTML error page: the proxy
	// in front of the workers gives up before the application sees the
	// request.
	OverloadProxyHTML
)

// WithReference passes options to the wrapped reference server: its clock,
// rate window, limits, latency, faults and variations. They apply to every
// answer the reference gives; the stack's own answers (its router's 404,
// 405 and 307, the body parser's 422 or 400, the 503) do not read them.
func WithReference(opts ...reference.Option) Option {
	return func(cfg *config) {
		cfg.reference = append(cfg.reference, opts...)
	}
}

// WithClock makes the stack read the time from c: its limiter's windows
// and, as WithReference(reference.WithClock(c)) does, the wrapped
// reference's. A test that waits on c then sees the windows pass without
// sleeping. Connection holds (WithBackgroundHold) and a stuck backend
// (WithDeadRoute with status 0) are what a client waits on the wall clock,
// and stay on it.
func WithClock(c reference.Clock) Option {
	return func(cfg *config) {
		if c == nil {
			cfg.invalid("WithClock: nil clock")
			return
		}
		cfg.clock = c
		cfg.reference = append(cfg.reference, reference.WithClock(c))
	}
}

// WithBackgroundHold makes a successful POST /exports keep its worker and
// its connection for d after the response is fully written and flushed, as
// a Starlette app does that runs the export's BackgroundTasks behind an
// @app.middleware("http") function: the client has its 201, but the next
// request on that keep-alive connection is read only when d has passed. It
// is wall-clock time (the point is what a client waits), and ends early
// when the client goes away or the server closes. 0 switches it off; see
// DefaultBackgroundHold.
func WithBackgroundHold(d time.Duration) Option {
	return func(cfg *config) {
		if d < 0 {
			cfg.invalid(fmt.Sprintf("WithBackgroundHold: duration must not be negative, got %v", d))
			return
		}
		cfg.hold = d
	}
}

// WithCrashOn makes the worker crash on every request to route ("METHOD
// /path", a template from Routes, e.g. "GET /api/v1/credits") that carries
// the bearer token of role (one of reference.TokenRoles; "" crashes every
// request to the route). The request gets no response, not a byte, and the
// worker's other connections at rest die with it (see the package doc). No
// server may do this; it is a fault, for proving that a client reports a
// crash as such. route "" switches it off.
func WithCrashOn(route, role string) Option {
	return func(cfg *config) {
		if route != "" && role != "" && !slices.Contains(reference.TokenRoles(), role) {
			cfg.invalid(fmt.Sprintf("WithCrashOn: unknown token role %q; valid roles: %v", role, reference.TokenRoles()))
			return
		}
		cfg.crashRoute, cfg.crashRole = route, role // the route is checked against the routes in New
	}
}

// WithBodyParsedBeforeAuth makes the routes that take a JSON body parse it
// before authentication, as FastAPI does before it runs any dependency: a
// body that is not JSON at all gets status (422, FastAPI's, or 400) with the
// error envelope even without an Authorization header. A body that is JSON
// but fails validation still meets authentication first, since FastAPI
// reports validation errors only after the dependencies ran. 0 switches it
// off.
func WithBodyParsedBeforeAuth(status int) Option {
	return func(cfg *config) {
		if status != 0 && status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
			cfg.invalid(fmt.Sprintf("WithBodyParsedBeforeAuth: status must be 422, 400 or 0, got %d", status))
			return
		}
		cfg.parseStatus = status
	}
}

// WithRedirectSlashes answers a path that no route has with 307 to the same
// path with its trailing slash added or removed, when a route has that one
// (Starlette's redirect_slashes, on by default there). The redirect comes
// from the router, before authentication.
func WithRedirectSlashes(on bool) Option {
	return func(cfg *config) { cfg.redirectSlashes = on }
}

// WithWorkers caps the requests in flight at n, as a small pool of workers
// behind a proxy that does not queue: a request that arrives while n are in
// flight gets 503 at once (see WithOverloadRetryAfter and
// WithOverloadBody). A request holds its worker until its handler returns,
// background work after the response included. 0 removes the cap.
func WithWorkers(n int) Option {
	return func(cfg *config) {
		if n < 0 {
			cfg.invalid(fmt.Sprintf("WithWorkers: count must not be negative, got %d", n))
			return
		}
		cfg.workers = n
	}
}

// WithOverloadRetryAfter sets whether the 503 of a request past the worker
// cap carries Retry-After: 1. The default is false: nginx sends none.
func WithOverloadRetryAfter(on bool) Option {
	return func(cfg *config) { cfg.overloadRetry = on }
}

// WithOverloadBody chooses the body of the 503 of a request past the worker
// cap. The default is OverloadEnvelope.
func WithOverloadBody(b OverloadBody) Option {
	return func(cfg *config) {
		if b != OverloadEnvelope && b != OverloadProxyHTML {
			cfg.invalid(fmt.Sprintf("WithOverloadBody: unknown body %d", b))
			return
		}
		cfg.overloadBody = b
	}
}

// WithFirstRouteAllow makes a 405 name only the methods of the first route
// whose path matched, as Starlette builds Allow, instead of every method the
// path has. On /api/v1/companies/search, where GET is routed before POST, a
// PATCH then gets Allow: GET, HEAD.
func WithFirstRouteAllow(on bool) Option {
	return func(cfg *config) { cfg.firstRouteAllow = on }
}

// WithFastAPIDocs serves what FastAPI generates instead of the reference's
// document: the app's OpenAPI document at /openapi.json (and as YAML at
// /openapi.yaml) at the root, Swagger UI at /docs, ReDoc at /redoc, and a
// /healthz. The reference's /openapi.json and /api/v1/openapi.json are then
// not routed.
func WithFastAPIDocs(on bool) Option {
	return func(cfg *config) { cfg.fastAPIDocs = on }
}

// Typical returns options that switch on every behaviour at once, with
// durations short enough for tests: a 500 ms hold after POST /exports, a
// crash of the UNBOUND token on GET /api/v1/credits (the legacy token whose
// missing workspace a careless handler dereferences), bodies parsed before
// authentication with 422, slash redirects, four workers with nginx's 503
// (no Retry-After, HTML), Starlette's Allow, and FastAPI's documents. Use
// Start(Typical()...); options appended after them override them.
//
// A client's run against it is not repeatable in its details: which pooled
// connections were at rest when the worker crashed, and whether more than
// four requests overlap (rarely, with the reference answering at once;
// always, for a client sending batches, once WithReference adds some
// latency), depend on timing.
func Typical() []Option {
	return []Option{
		WithBackgroundHold(500 * time.Millisecond),
		WithCrashOn("GET /api/v1/credits", reference.RoleUnbound),
		WithBodyParsedBeforeAuth(http.StatusUnprocessableEntity),
		WithRedirectSlashes(true),
		WithWorkers(4),
		WithOverloadRetryAfter(false),
		WithOverloadBody(OverloadProxyHTML),
		WithFirstRouteAllow(true),
		WithFastAPIDocs(true),
	}
}

func (cfg *config) invalid(problem string) {
	cfg.problems = append(cfg.problems, problem)
}
