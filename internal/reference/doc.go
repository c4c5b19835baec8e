// Package reference is an in-memory Cornect API (CAPI) that keeps every
// promise of the public docs' error contract. It is the embedded default
// target of "conform run", the oracle of the suite's own tests, and a sandbox
// developers run with "conform serve". It is meant to be faithful, not
// minimal: where the docs are silent, it behaves like a careful production
// service would, and this page says what it chose.
//
// # What it models
//
// The six endpoints under /api/v1 with their documented scopes and per-token
// limits (requests per minute; WithRateWindow shrinks the minute):
//
//	POST /companies/search              read        60
//	GET  /companies/{id}                read       120
//	GET  /credits                       read        60
//	POST /exports                       read_write   5  (charged)
//	GET  /exports/{export_id}           read       120
//	POST /exports/{export_id}/download  read        30
//
// plus GET /files/{export_id}?expires=…&signature=…, outside /api/v1: the
// presigned download URL that POST …/download hands out. It needs no token
// (the HMAC signature is the credential), is not rate limited, lives 15
// minutes, and answers 403 ACCESS_DENIED when its signature is wrong or it
// has expired.
//
// # Extra operations
//
// WithExtraOperations(n) adds n read operations (at most 10,000) so that a
// sweep over an OpenAPI document with hundreds or thousands of operations
// has a target that implements them all: GET /api/v1/extra/op0000/{item_id}
// through GET /api/v1/extra/opNNNN/{item_id}, the op numbered from 0 in four
// digits. Each passes the same checks as GET /companies/{id}: authentication
// (with the per-client limit on failures), a per-token bucket of its own of
// 120 per window, scope read; then it answers 404 NOT_FOUND, since it holds
// no items. Another method is 405 with Allow: GET. Routing to one takes a
// single map lookup beyond what a documented route takes, however many
// there are. Faults and variations of the shared checks and of error shapes
// apply to them; those tied to one documented endpoint do not. The served OpenAPI document lists them after the
// documented paths, each with the security requirement, x-cornect-scope and
// error responses of GET /companies/{id}; without the option it is the
// embedded document, byte for byte.
//
// # Order of checks
//
// Every request passes the same checks in the same order, and the first that
// fails answers:
//
//  1. route: an unknown path is 404 NOT_FOUND; a known path with another
//     method is 405 METHOD_NOT_ALLOWED with Allow (HEAD and OPTIONS are not
//     served);
//  2. authentication: the Authorization header (codes below). A request that
//     fails it first spends one request from its client IP's bucket
//     (WithUnauthenticatedLimit per window; the host of RemoteAddr,
//     forwarding headers are not trusted), so brute force meets 429, not an
//     endless stream of 401s;
//  3. rate limit: the token's bucket for the endpoint;
//  4. scope: 403 INSUFFICIENT_SCOPE with details {"token_scope","required"};
//  5. body validation: 422 VALIDATION_ERROR;
//  6. the resource: 404 NOT_FOUND (another workspace's export or list is
//     exactly as missing as one that never existed);
//  7. the charge: 402 insufficient_balance.
//
// So a read token with an invalid body on POST /exports gets 403, and a bad
// token with an invalid body gets 401.
//
// # Authentication
//
// No Authorization header at all is MISSING_AUTH_HEADER, with the challenge
// `Bearer realm="cornect"`. A header that is not "Bearer <token>" (scheme
// case-insensitive, RFC 9110 §11.1) with a token matching
// cornect_[A-Za-z0-9_-]+ is INVALID_TOKEN_FORMAT: another scheme, a bare
// token, "Bearer" alone, a token without the cornect_ prefix or with nothing
// after it, an empty header value, or several Authorization headers. A
// well-formed token that is unknown or revoked is INVALID_TOKEN; expired,
// TOKEN_EXPIRED; a legacy token with no workspace, TOKEN_NOT_WORKSPACE_BOUND;
// one whose owner left the workspace, NOT_WORKSPACE_MEMBER. Every 401 that
// follows a presented credential carries `Bearer realm="cornect",
// error="invalid_token", error_description="…"`. No response ever contains a
// token value.
//
// Each New mints seven tokens (cornect_ and 32 random URL-safe characters),
// returned by Server.Tokens: READ (scope read) and READ_WRITE in workspace A;
// EXPIRED (a day before New, by the clock), REVOKED, UNBOUND (legacy, no
// workspace) and NON_MEMBER (owner removed), all read_write; and NO_CREDITS,
// read_write in workspace B. Tokens cannot be minted or revoked at run time.
//
// # Credits and exports
//
// Workspace A starts with a grant of 50,000 credits. Workspace B was granted
// exactly what one export of the Austrian companies cost and spent it: its
// balance is 0, its history a grant and an export_charge, and re-exporting
// those companies is free. GET /credits shows the 20 newest transactions,
// newest first.
//
// POST /exports charges one credit per company the workspace never exported
// before, and takes at most 10,000 companies (capped_at_10k). It answers 201
// Created (with Location) and the export's status at that moment, "pending"
// by default; would_skip is always 0: a balance that cannot cover the cost is
// 402 insufficient_balance with details {"balance","required"}, and then no
// export exists and nothing is charged.
// With source_type list, list_id names one of three saved lists
// (ListTargetAccounts and ListConferenceLeads in workspace A,
// ListOtherWorkspace in B); any other list_id is 404. sort_by orders the file
// by name, domain, country, employee_count or founded_year; other values keep
// the dataset order. An export is pending, then processing, then completed,
// as the clock passes the times set by WithExportTimings; exports never fail.
// Downloading one that is not completed is 400 EXPORT_NOT_READY. The file is
// CSV (lists joined with "; ") or a JSON array of companies.
//
// # Companies
//
// A deterministic synthetic dataset of 12,500 companies in twelve countries,
// named in full ("Germany", "United States"; ISO codes match nothing). Text
// filters ignore case, list filters match any of their values, naics_codes
// match by prefix, query searches name, domain and keywords. connections is
// validated (an array of objects) but not applied: the dataset has no
// relationships. Pages hold 25 items; cursors are opaque. Unknown ids are 404.
//
// # Validation
//
// Bodies must be JSON objects (an empty body is {}; a missing Content-Type is
// accepted, a non-JSON one is not; at most 1 MiB). Every documented member is
// type-checked, null counts as absent, and unknown members are ignored so that
// additive changes do not break clients. A 422 lists every problem:
// {"detail":{"code":"VALIDATION_ERROR","message":…,"details":{"errors":[{"field":"name","problem":"required"}]}}}.
//
// # Errors
//
// Handlers return an *apiError; writeError alone writes every error: the
// envelope {"detail":{"code","message","details"?}} as application/json, and
// the WWW-Authenticate, Retry-After and Allow headers. Documented codes take
// their status from the schemas package's table. Statuses without a
// documented code use NOT_FOUND (404), METHOD_NOT_ALLOWED (405),
// VALIDATION_ERROR (422), RATE_LIMITED (429), EXPORT_NOT_READY (400),
// ACCESS_DENIED (403, presigned downloads) and INTERNAL (500).
//
// # Rate limits
//
// Continuous token buckets: a limit of N holds N requests and refills N per
// window, steadily. An empty bucket is 429 with Retry-After: the whole seconds
// until one request is available, rounded up, at least 1.
//
// # Faults and variations
//
// WithFaults switches on deliberate deviations (Faults lists them), so the
// suite can prove it catches each; WithVariations switches on conforming
// differences (Variations) it must tolerate. Each is a small conditional at
// the one place that decides the behaviour it changes. The faults listed
// last, from www-authenticate-missing on, break only HTTP and security good
// practice (rules of the RFCs and of security that the CAPI docs do not
// restate) and keep every documented MUST, so a suite's default run passes
// with each of them on and only its stricter checks catch them.
//
// Some variations copy what real, conforming deployments do. details-null
// sends "details": null where an error has no details (FastAPI's
// Optional[dict] = None); problem-json labels error responses
// application/problem+json, the envelope unchanged; multi-challenge puts
// `Basic realm="cornect"` before the Bearer challenge in the one
// WWW-Authenticate header of a 401 (RFC 9110 §11.6.1); malformed-json-400
// answers a body that is not JSON at all with 400 MALFORMED_JSON, as Express,
// DRF and Spring do, while JSON that fails validation keeps 422;
// instant-exports completes an export the moment it is created, so an early
// download succeeds and a not-ready check has nothing to provoke;
// low-unauthenticated-limit sets the unpublished per-address limit of
// unauthenticated requests to 60 per window (as WithUnauthenticatedLimit(60)
// would); url-in-messages ends every 401 message with a link to the page that
// mints tokens.
//
// # What it does not model
//
// Persistence, real company data, token minting and revocation at run time,
// failed exports, partial exports, idempotency keys, X-RateLimit-* headers,
// proxies' forwarding headers, and API versions other than v1. Time is read
// only from the injected Clock; WithLatency alone waits in real time.
package reference
