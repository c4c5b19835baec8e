// Package stackserver is the CAPI as common stacks serve it: the state and
// answers of the in-memory reference (package reference) behind the
// machinery a FastAPI app on uvicorn, or gunicorn behind a proxy, puts
// between a client and the handler. conform was built against the
// reference; this is a target it was not designed with, to prove it
// against what real deployments do on the wire.
//
// New without options is a conforming CAPI in the error contract: every
// answer that reaches the reference is the reference's, and the stack's own
// errors (its router's 404 and 405, the parser's 422 or 400, the 503 of an
// overload) carry the same envelope and codes. Each behaviour is an option
// and off by default; Typical switches on all of them. Start serves a
// Server on loopback with the connection tracking the crash needs.
//
// # Routes
//
// Registered in this order, with FastAPI's path templates:
//
//	GET  /openapi.json, /openapi.yaml, /docs, /redoc, /healthz  (WithFastAPIDocs)
//	GET  /api/v1/                             the index, public
//	GET  /api/v1/companies/search             the search, from the query string
//	POST /api/v1/companies/search
//	GET  /api/v1/companies/{company_id}
//	GET  /api/v1/credits
//	POST /api/v1/exports
//	GET  /api/v1/exports/{export_id}
//	POST /api/v1/exports/{export_id}/download
//	GET  /files/{export_id}                   the presigned download
//	GET  /openapi.json, /api/v1/openapi.json  the reference's (without WithFastAPIDocs)
//
// A GET route answers HEAD too, as Starlette's do. Everything under
// /api/v1 and /files is the reference's answer, relayed with a
// Content-Length; the GET search turns its query string into the POST body.
//
// # Behaviours
//
// Each is one option, decided at one place:
//
//   - WithBackgroundHold: after a 201 from POST /exports, the response is
//     written and flushed, then the handler keeps its worker and its
//     connection for the hold (Starlette's BackgroundTasks behind an
//     @app.middleware("http") function). The next request on that
//     keep-alive connection waits; one on another connection does not.
//   - WithCrashOn: a request to one route with one role's token crashes the
//     worker. It gets no response, not a byte, and every connection at rest
//     when it crashed (idle keep-alive, or accepted and not yet served: no
//     handler running for it) is dead: the next request on it is dropped
//     the same way, before anything acts on it. Requests in flight on other
//     connections finish, and their connections live on.
//     A real worker's sockets close at once; on loopback a client would see
//     that FIN before it reused the connection and quietly dial a new one,
//     while over a network a request sent within a round trip of the crash
//     meets the dead socket. Dropping the next request makes that case
//     certain, so a client's handling of it can be tested. Without Track
//     (a Server served by another http.Server) only the crashing
//     connection closes.
//   - WithBodyParsedBeforeAuth: a body that is not JSON (Content-Type JSON
//     or none) is refused, 422 or 400, before authentication; JSON that
//     fails validation still gets the reference's 401 first.
//   - WithRedirectSlashes: Starlette's redirect_slashes, 307 to the path
//     with its trailing slash toggled when a route has that one
//     (/api/v1/credits/ to /api/v1/credits, /api/v1 to /api/v1/), before
//     authentication.
//   - WithWorkers, WithOverloadRetryAfter, WithOverloadBody: at most N
//     requests in flight; one more gets 503 at once, with or without
//     Retry-After: 1, as the envelope or as nginx's HTML page.
//   - WithFirstRouteAllow: a 405 names the methods of the first route whose
//     path matched (Starlette), so PATCH /api/v1/companies/search gets
//     Allow: GET, HEAD although POST is routed too. Without it, Allow lists
//     every method of the path.
//   - WithFastAPIDocs: the document FastAPI generates for this app, at the
//     root: every route of the app but the documents themselves (FastAPI
//     leaves those out) under full paths, no servers, the HTTPBearer scheme
//     without scopes on each authenticated operation and no security at all
//     on public ones (FastAPI never writes security: []), path parameters
//     company_id and export_id, operation ids such as
//     get_credits_api_v1_credits_get, and FastAPI's default 422 schema
//     (HTTPValidationError) although the app answers 422 with the envelope.
//     The same as YAML at /openapi.yaml; Swagger UI and ReDoc pages at
//     /docs and /redoc; GET /healthz answers {"status":"ok"}. All public.
//
// The edges of real deployments, each in a file of its own:
//
//   - WithDeadRoute (gateway.go): one route's backend is dead behind
//     nginx: 502 or 504 with nginx's page to every request, with or
//     without credentials, or (status 0) no answer at all until the
//     client gives up, while the other routes answer.
//   - WithTokenLimiter (limiter.go): a fixed-window limiter per
//     Authorization value in front of one route, refusing with nginx
//     limit_req's 503 page, or with 429 and a Retry-After in seconds or,
//     as a misconfigured Express limiter sends it, in milliseconds.
//   - WithConnsPerClient (limiter.go): past n requests in flight from one
//     client address, 429 with Connection: close and no Retry-After, as
//     fasthttp's MaxConnsPerIP answers past n connections.
//   - WithSharedCache (cache.go): the 200s of GET routes stored by URL
//     and served to every later caller, Authorization or not (Django's
//     cache_page without Vary: Authorization); on a route with a path
//     parameter, each id's URL on its own.
//
// # What it does not model
//
// More than one worker process (the crash takes every connection of the
// server), a proxy's own headers (Via, X-Forwarded-*) and its buffering,
// HTTP/2, TLS, uvicorn's h11 parsing quirks, FastAPI's own validation of
// query and path parameters (the reference validates), and the docs'
// OAuth2 redirect page. The hold, the worker cap and a stuck backend are
// wall-clock; WithClock governs the limiter's windows and the reference's
// time (WithReference(reference.WithClock(…)) the reference's alone).
package stackserver
