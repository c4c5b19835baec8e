package suite

import (
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Doc pages and RFC sections that checks cite.
const (
	docErrors     = "https://cornect.io/docs/api/errors"
	docAuth       = "https://cornect.io/docs/api/authentication"
	docRateLimits = "https://cornect.io/docs/api/rate-limits"
	docCredits    = "https://cornect.io/docs/api/credits"
	docGetExport  = "https://cornect.io/docs/api/get-export"
	docDownload   = "https://cornect.io/docs/api/download-export"

	rfcChallenge  = "RFC 9110 §11.6.1 and §15.5.2; RFC 6750 §3 and §3.1"
	rfcScheme     = "RFC 9110 §11.1"
	rfcAuthFirst  = "RFC 9110 §15.5.2; https://cornect.io/docs/api/authentication"
	rfcNoLeak     = "RFC 6750 §5.1; OWASP ASVS V7.4.1"
	rfcRefused    = "RFC 9110 §15.5.4"
	rfcMethod     = "RFC 9110 §15.5.6"
	rfcRetryAfter = "RFC 9110 §10.2.3"
)

// Check is one entry of the catalogue: what is verified, how strongly, and
// which page promises it.
type Check struct {
	ID       string
	Title    string // names the code or status verified; becomes the spec text
	Level    report.Level
	Sentence string // RFC 2119 style
	Source   string
	Labels   []string
	Since    string // suite version that added it
	// Needs are the tokens every variant of the check needs; a variant may
	// need more (see plan.go).
	Needs []Need
}

// Catalogue lists every check of the suite, in run order.
func Catalogue() []Check {
	const v010, v020 = "0.1.0", "0.2.0"
	return []Check{
		{
			ID: "AUTH-MISSING", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "MISSING_AUTH_HEADER 401 without an Authorization header, on every endpoint",
			Sentence: "A request without an Authorization header MUST get 401 with code MISSING_AUTH_HEADER in the error envelope.",
		},
		{
			ID: "AUTH-FORMAT", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "INVALID_TOKEN_FORMAT 401 for a header that is not a cornect_ bearer token, on every endpoint",
			Sentence: "A request whose Authorization header is not `Bearer cornect_…` MUST get 401 with code INVALID_TOKEN_FORMAT.",
		},
		{
			ID: "AUTH-UNKNOWN", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "INVALID_TOKEN 401 for a well-formed token that does not exist, on every endpoint",
			Sentence: "A well-formed cornect_ token that does not exist MUST get 401 with code INVALID_TOKEN.",
		},
		{
			ID: "AUTH-REVOKED", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docAuth,
			Title:    "INVALID_TOKEN 401 for a revoked token, on every endpoint",
			Sentence: "A revoked token MUST get 401 with code INVALID_TOKEN on the next request.",
			Needs:    []Need{{probe.RoleRevoked}},
		},
		{
			ID: "AUTH-EXPIRED", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "TOKEN_EXPIRED 401 for a token past its expiry date, on every endpoint",
			Sentence: "A token past its expiry date MUST get 401 with code TOKEN_EXPIRED.",
			Needs:    []Need{{probe.RoleExpired}},
		},
		{
			ID: "AUTH-UNBOUND", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "TOKEN_NOT_WORKSPACE_BOUND 401 for a legacy token without a workspace, on every endpoint",
			Sentence: "A legacy token with no workspace MUST get 401 with code TOKEN_NOT_WORKSPACE_BOUND.",
			Needs:    []Need{{probe.RoleUnbound}},
		},
		{
			ID: "AUTH-NON-MEMBER", Level: report.Must, Labels: []string{"auth"}, Since: v010, Source: docErrors,
			Title:    "NOT_WORKSPACE_MEMBER 401 for a token whose owner left the workspace, on every endpoint",
			Sentence: "A token whose owner was removed from the workspace MUST get 401 with code NOT_WORKSPACE_MEMBER.",
			Needs:    []Need{{probe.RoleNonMember}},
		},
		{
			ID: "SCOPE-INSUFFICIENT", Level: report.Must, Labels: []string{"scope", "charges"}, Since: v010, Source: docErrors,
			Title:    "INSUFFICIENT_SCOPE 403 for a read token on every read_write endpoint",
			Sentence: "A read token on a read_write endpoint MUST get 403 with code INSUFFICIENT_SCOPE; details, when present, MUST say token_scope read and required read_write.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "SCOPE-NO-CHARGE", Level: report.Must, Labels: []string{"scope", "credits", "charges"}, Since: v020, Source: docAuth + "; " + docCredits,
			Title:    "a read token's POST /exports creates and charges nothing, whatever it is answered",
			Sentence: "A read token MUST NOT create an export or spend credits: POST /exports is refused, and GET /credits shows the same balance and transactions after it.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "SCOPE-NO-SIDE-EFFECT", Level: report.Should, Labels: []string{"scope", "credits", "security"}, Since: v010, Source: rfcRefused,
			Title:    "403 INSUFFICIENT_SCOPE on another read_write operation changes no credits",
			Sentence: "A request to a read_write operation that is not charged, refused with 403, SHOULD have no side effects: GET /credits shows the same balance and transactions.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "SCOPE-READ-ACCEPTED", Level: report.Must, Labels: []string{"scope"}, Since: v010, Source: docAuth,
			Title:    "no 401 or 403 for a read token on every read endpoint",
			Sentence: "A read token MUST be accepted by every read endpoint (the negative control of INSUFFICIENT_SCOPE).",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "CREDITS-INSUFFICIENT", Level: report.Must, Labels: []string{"credits"}, Since: v010, Source: docErrors,
			Title:    "insufficient_balance 402 for an export the workspace cannot pay for",
			Sentence: "Creating an export the balance cannot cover MUST get 402 with code insufficient_balance, spelled exactly so.",
			Needs:    []Need{{probe.RoleNoCredits}},
		},
		{
			ID: "CREDITS-NO-CHARGE", Level: report.Must, Labels: []string{"credits"}, Since: v010, Source: docCredits,
			Title:    "402 insufficient_balance charges nothing: GET /credits unchanged",
			Sentence: "A 402 insufficient_balance MUST NOT create an export or charge credits: balance and recent transactions stay the same.",
			Needs:    []Need{{probe.RoleNoCredits}},
		},
		{
			ID: "NOTFOUND-UNKNOWN-ID", Level: report.Must, Labels: []string{"not-found"}, Since: v010, Source: docErrors,
			Title:    "404 with the error envelope for an unknown id",
			Sentence: "A request for a resource that does not exist MUST get 404 with the error envelope (any non-empty code).",
		},
		{
			ID: "NOTFOUND-OTHER-WORKSPACE", Level: report.Must, Labels: []string{"not-found", "exports", "charges"}, Since: v010, Source: docGetExport,
			Title:    "404 and the same code for another workspace's export as for a missing one",
			Sentence: "An export of another workspace MUST be indistinguishable from a missing one: the same 404 status and the same code.",
			Needs:    []Need{{probe.RoleReadWrite}, {probe.RoleNoCredits}},
		},
		{
			ID: "EXPORT-NOT-READY", Level: report.Must, Labels: []string{"exports", "charges"}, Since: v010, Source: docDownload,
			Title:    "400 with the error envelope when downloading an export that is not completed",
			Sentence: "Downloading an export that is not completed MUST get 400 with the error envelope.",
			Needs:    []Need{{probe.RoleReadWrite}},
		},
		{
			ID: "VALIDATION-422", Level: report.Must, Labels: []string{"validation"}, Since: v010, Source: docErrors,
			Title:    "422 with the error envelope for a body that fails validation",
			Sentence: "A request body that fails validation MUST get 422 with the error envelope — not a framework's default error shape.",
		},
		{
			ID: "ENVELOPE-ANY-ACCEPT", Level: report.Must, Labels: []string{"http"}, Since: v020, Source: docErrors,
			Title:    "the JSON error envelope whatever the client accepts: no Accept, */*, application/json, a browser's",
			Sentence: "Every error response MUST carry the JSON error envelope whatever Accept the request sent: a 401, a 404 and a 422 are provoked with no Accept, `*/*`, `application/json` and a browser's `text/html,…,*/*;q=0.8`.",
		},
		{
			ID: "AUTH-CHALLENGE", Level: report.Should, Labels: []string{"auth", "http"}, Since: v010, Source: rfcChallenge,
			Title:    "WWW-Authenticate: Bearer on every 401, error=\"invalid_token\" only for a refused Bearer token",
			Sentence: "A 401 SHOULD carry a WWW-Authenticate challenge with the Bearer scheme whose error is what RFC 6750 §3.1 gives: invalid_token for a Bearer token presented and refused; invalid_token, invalid_request or none for `Bearer` with no credentials, which §3.1 does not decide; none when no Bearer credentials were sent.",
		},
		{
			ID: "AUTH-SCHEME-CASE", Level: report.Should, Labels: []string{"auth", "http"}, Since: v010, Source: rfcScheme,
			Title:    "the bearer scheme is case-insensitive: `bearer` and `BEARER` are accepted",
			Sentence: "The authentication scheme SHOULD be matched case-insensitively: `bearer cornect_…` works like `Bearer cornect_…`.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "AUTH-BEFORE-VALIDATION", Level: report.Should, Labels: []string{"auth", "validation", "security"}, Since: v010, Source: rfcAuthFirst,
			Title:    "401, not 422, for an unauthenticated POST with an invalid body",
			Sentence: "Authentication SHOULD come before validation: an unauthenticated caller learns nothing about the body rules.",
		},
		{
			ID: "SECURITY-NO-LEAK", Level: report.Should, Labels: []string{"security"}, Since: v010, Source: rfcNoLeak,
			Title:    "error bodies echo no token and carry no stack trace or internal path",
			Sentence: "Error responses SHOULD NOT echo the presented token, nor carry stack traces or internal file paths.",
		},
		{
			ID: "HTTP-METHOD-405", Level: report.Should, Labels: []string{"http"}, Since: v010, Source: rfcMethod,
			Title:    "405 with Allow and the error envelope for a wrong method",
			Sentence: "A method the endpoint does not support SHOULD get 405 with an Allow header and the error envelope.",
			Needs:    []Need{{probe.RoleRead, probe.RoleReadWrite, probe.RoleNoCredits}},
		},
		{
			ID: "HTTP-UNKNOWN-ROUTE", Level: report.Should, Labels: []string{"http", "not-found"}, Since: v010, Source: docErrors,
			Title:    "404 with the error envelope for an unknown path",
			Sentence: "A path the API does not have SHOULD get 404 with the error envelope, like every other error.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "HTTP-STABLE-CODE", Level: report.Must, Labels: []string{"http"}, Since: v010, Source: docErrors,
			Title:    "the same failure provoked twice gets the same status and code",
			Sentence: "Codes are stable: the same failure provoked twice MUST get the same status and the same code.",
			Needs:    []Need{{probe.RoleRead}},
		},
		{
			ID: "RATE-LIMIT-429", Level: report.Must, Labels: []string{"rate-limit"}, Since: v010, Source: docRateLimits,
			Title:    "429 with the error envelope and Retry-After in whole seconds past the per-token limit",
			Sentence: "A token past its per-endpoint limit MUST get 429 with the error envelope and a Retry-After header giving whole seconds to wait (at least 1).",
		},
		{
			ID: "RATE-LIMIT-PER-TOKEN", Level: report.Must, Labels: []string{"rate-limit"}, Since: v020, Source: docRateLimits,
			Title:    "another token is served while one is past the endpoint's limit (not 429)",
			Sentence: "Each token has its own bucket per endpoint: once one token is past an endpoint's limit, another token's request to that endpoint MUST NOT get 429.",
		},
		{
			ID: "RATE-LIMIT-RECOVERY", Level: report.Must, Labels: []string{"rate-limit"}, Since: v010, Source: docRateLimits,
			Title:    "served again after waiting Retry-After (not 429)",
			Sentence: "After waiting the seconds Retry-After gave, the next request MUST be served again.",
		},
		{
			ID: "HTTP-RETRY-AFTER-SYNTAX", Level: report.Should, Labels: []string{"http", "rate-limit"}, Since: v010, Source: rfcRetryAfter,
			Title:    "every Retry-After of the run parses as seconds or an HTTP-date",
			Sentence: "Retry-After, wherever it appears, SHOULD be delay-seconds or an HTTP-date.",
		},
	}
}

// lookup finds a check of the catalogue; an unknown ID is a defect of the suite.
func lookup(id string) Check {
	for _, c := range Catalogue() {
		if c.ID == id {
			return c
		}
	}
	panic("suite: check " + id + " is not in the catalogue")
}

// Text is the spec text: the ID, then the title with its code or status.
func (c Check) Text() string { return c.ID + " " + c.Title }
