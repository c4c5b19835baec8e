package suite

import (
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
	// Needs lists the token roles the check needs, all of them; "A|B" means
	// either. needsRateLimitToken stands for the profile's rate_limit.token.
	Needs []string
}

// needsRateLimitToken is resolved from the profile by Requires.
const needsRateLimitToken = "@rate_limit.token"

// Catalogue lists every check of the suite, in run order.
func Catalogue() []Check {
	const v010 = "0.1.0"
	m, sh := report.Must, report.Should
	anyRead := RoleRead + "|" + RoleReadWrite + "|" + RoleNoCredits
	anyWrite := RoleReadWrite + "|" + RoleNoCredits
	return []Check{
		{"AUTH-MISSING", "MISSING_AUTH_HEADER 401 without an Authorization header, on every endpoint", m,
			"A request without an Authorization header MUST get 401 with code MISSING_AUTH_HEADER in the error envelope.", docErrors, []string{"auth"}, v010, nil},
		{"AUTH-FORMAT", "INVALID_TOKEN_FORMAT 401 for a header that is not a cornect_ bearer token, on every endpoint", m,
			"A request whose Authorization header is not `Bearer cornect_…` MUST get 401 with code INVALID_TOKEN_FORMAT.", docErrors, []string{"auth"}, v010, nil},
		{"AUTH-UNKNOWN", "INVALID_TOKEN 401 for a well-formed token that does not exist, on every endpoint", m,
			"A well-formed cornect_ token that does not exist MUST get 401 with code INVALID_TOKEN.", docErrors, []string{"auth"}, v010, nil},
		{"AUTH-REVOKED", "INVALID_TOKEN 401 for a revoked token, on every endpoint", m,
			"A revoked token MUST get 401 with code INVALID_TOKEN on the next request.", docAuth, []string{"auth"}, v010, []string{RoleRevoked}},
		{"AUTH-EXPIRED", "TOKEN_EXPIRED 401 for a token past its expiry date, on every endpoint", m,
			"A token past its expiry date MUST get 401 with code TOKEN_EXPIRED.", docErrors, []string{"auth"}, v010, []string{RoleExpired}},
		{"AUTH-UNBOUND", "TOKEN_NOT_WORKSPACE_BOUND 401 for a legacy token without a workspace, on every endpoint", m,
			"A legacy token with no workspace MUST get 401 with code TOKEN_NOT_WORKSPACE_BOUND.", docErrors, []string{"auth"}, v010, []string{RoleUnbound}},
		{"AUTH-NON-MEMBER", "NOT_WORKSPACE_MEMBER 401 for a token whose owner left the workspace, on every endpoint", m,
			"A token whose owner was removed from the workspace MUST get 401 with code NOT_WORKSPACE_MEMBER.", docErrors, []string{"auth"}, v010, []string{RoleNonMember}},
		{"SCOPE-INSUFFICIENT", "INSUFFICIENT_SCOPE 403 for a read token on every read_write endpoint", m,
			"A read token on a read_write endpoint MUST get 403 with code INSUFFICIENT_SCOPE; details, when present, MUST say token_scope read and required read_write.", docErrors, []string{"scope"}, v010, []string{RoleRead}},
		{"SCOPE-NO-SIDE-EFFECT", "403 INSUFFICIENT_SCOPE on POST /exports creates and charges nothing", sh,
			"A request refused with 403 SHOULD have no side effects: GET /credits shows the same balance and transactions.", rfcRefused, []string{"scope", "credits", "security"}, v010, []string{RoleRead}},
		{"SCOPE-READ-ACCEPTED", "no 401 or 403 for a read token on every read endpoint", m,
			"A read token MUST be accepted by every read endpoint (the negative control of INSUFFICIENT_SCOPE).", docAuth, []string{"scope"}, v010, []string{RoleRead}},
		{"CREDITS-INSUFFICIENT", "insufficient_balance 402 for an export the workspace cannot pay for", m,
			"Creating an export the balance cannot cover MUST get 402 with code insufficient_balance, spelled exactly so.", docErrors, []string{"credits"}, v010, []string{RoleNoCredits}},
		{"CREDITS-NO-CHARGE", "402 insufficient_balance charges nothing: GET /credits unchanged", m,
			"A 402 insufficient_balance MUST NOT create an export or charge credits: balance and recent transactions stay the same.", docCredits, []string{"credits"}, v010, []string{RoleNoCredits}},
		{"NOTFOUND-UNKNOWN-ID", "404 with the error envelope for an unknown id", m,
			"A request for a resource that does not exist MUST get 404 with the error envelope (any non-empty code).", docErrors, []string{"not-found"}, v010, []string{anyRead}},
		{"NOTFOUND-OTHER-WORKSPACE", "404 for another workspace's export, as for a missing one", m,
			"An export of another workspace MUST be indistinguishable from a missing one: 404 with the error envelope.", docGetExport, []string{"not-found", "exports", "charges"}, v010, []string{RoleReadWrite, RoleNoCredits}},
		{"EXPORT-NOT-READY", "400 with the error envelope when downloading an export that is not completed", m,
			"Downloading an export that is not completed MUST get 400 with the error envelope.", docDownload, []string{"exports", "charges"}, v010, []string{RoleReadWrite}},
		{"VALIDATION-422", "422 with the error envelope for a body that fails validation", m,
			"A request body that fails validation MUST get 422 with the error envelope — not a framework's default error shape.", docErrors, []string{"validation"}, v010, []string{anyWrite}},
		{"AUTH-CHALLENGE", "WWW-Authenticate: Bearer on every 401, error=\"invalid_token\" only when a token was presented", sh,
			"A 401 SHOULD carry a WWW-Authenticate challenge with the Bearer scheme, naming error=\"invalid_token\" when a token was presented and no error when none was.", rfcChallenge, []string{"auth", "http"}, v010, nil},
		{"AUTH-SCHEME-CASE", "the bearer scheme is case-insensitive: `bearer` and `BEARER` are accepted", sh,
			"The authentication scheme SHOULD be matched case-insensitively: `bearer cornect_…` works like `Bearer cornect_…`.", rfcScheme, []string{"auth", "http"}, v010, []string{RoleRead}},
		{"AUTH-BEFORE-VALIDATION", "401, not 422, for an unauthenticated POST with an invalid body", sh,
			"Authentication SHOULD come before validation: an unauthenticated caller learns nothing about the body rules.", rfcAuthFirst, []string{"auth", "validation", "security"}, v010, nil},
		{"SECURITY-NO-LEAK", "error bodies echo no token and carry no stack trace or internal path", sh,
			"Error responses SHOULD NOT echo the presented token, nor carry stack traces or internal file paths.", rfcNoLeak, []string{"security"}, v010, nil},
		{"HTTP-METHOD-405", "405 with Allow and the error envelope for a wrong method", sh,
			"A method the endpoint does not support SHOULD get 405 with an Allow header and the error envelope.", rfcMethod, []string{"http"}, v010, []string{RoleRead}},
		{"HTTP-UNKNOWN-ROUTE", "404 with the error envelope for an unknown path", sh,
			"A path the API does not have SHOULD get 404 with the error envelope, like every other error.", docErrors, []string{"http", "not-found"}, v010, []string{RoleRead}},
		{"HTTP-STABLE-CODE", "the same failure provoked twice gets the same code", sh,
			"Codes are stable: the same failure provoked twice SHOULD get the same status and code.", docErrors, []string{"http"}, v010, []string{RoleRead}},
		{"RATE-LIMIT-429", "429 with the error envelope and Retry-After in whole seconds past the per-token limit", m,
			"A token past its per-endpoint limit MUST get 429 with the error envelope and a Retry-After header giving whole seconds to wait (at least 1).", docRateLimits, []string{"rate-limit"}, v010, []string{needsRateLimitToken}},
		{"RATE-LIMIT-RECOVERY", "served again after waiting Retry-After (not 429)", m,
			"After waiting the seconds Retry-After gave, the next request MUST be served again.", docRateLimits, []string{"rate-limit"}, v010, []string{needsRateLimitToken}},
		{"HTTP-RETRY-AFTER-SYNTAX", "every Retry-After of the run parses as seconds or an HTTP-date", sh,
			"Retry-After, wherever it appears, SHOULD be delay-seconds or an HTTP-date.", rfcRetryAfter, []string{"http", "rate-limit"}, v010, nil},
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
