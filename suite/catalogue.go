package suite

import (
	"github.com/cornect/conform/internal/report"
)

// Doc pages and RFC sections that checks cite.
const (
	docErrors       = "https://cornect.io/docs/api/errors"
	docAuth         = "https://cornect.io/docs/api/authentication"
	docRateLimits   = "https://cornect.io/docs/api/rate-limits"
	docCredits      = "https://cornect.io/docs/api/credits"
	docCreateExport = "https://cornect.io/docs/api/create-export"
	docGetExport    = "https://cornect.io/docs/api/get-export"
	docDownload     = "https://cornect.io/docs/api/download-export"
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
	m := report.Must
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
		{"RATE-LIMIT-429", "429 with the error envelope and Retry-After in whole seconds past the per-token limit", m,
			"A token past its per-endpoint limit MUST get 429 with the error envelope and a Retry-After header giving whole seconds to wait (at least 1).", docRateLimits, []string{"rate-limit"}, v010, []string{needsRateLimitToken}},
		{"RATE-LIMIT-RECOVERY", "served again after waiting Retry-After (not 429)", m,
			"After waiting the seconds Retry-After gave, the next request MUST be served again.", docRateLimits, []string{"rate-limit"}, v010, []string{needsRateLimitToken}},
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
