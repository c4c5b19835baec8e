package reference

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// scope is what a token may do.
type scope string

const (
	scopeRead      scope = "read"       // every query endpoint
	scopeReadWrite scope = "read_write" // read, plus POST /exports
)

// token is an API token as the server stores it.
type token struct {
	role         string // its key in Tokens()
	scope        scope
	workspaceID  string // "" for a legacy token bound to no workspace
	expiresAt    time.Time
	revoked      bool
	ownerRemoved bool // its owner is no longer a member of the workspace
}

// Token roles, the keys of Server.Tokens.
const (
	RoleRead      = "READ"
	RoleReadWrite = "READ_WRITE"
	RoleExpired   = "EXPIRED"
	RoleRevoked   = "REVOKED"
	RoleUnbound   = "UNBOUND"
	RoleNonMember = "NON_MEMBER"
	RoleNoCredits = "NO_CREDITS"
)

// TokenRoles lists the keys of Server.Tokens in a stable order.
func TokenRoles() []string {
	return []string{RoleRead, RoleReadWrite, RoleExpired, RoleRevoked, RoleUnbound, RoleNonMember, RoleNoCredits}
}

var (
	// tokenFormat is the documented shape of a token: the cornect_ prefix and a secret.
	tokenFormat = regexp.MustCompile(`^cornect_[A-Za-z0-9_-]+$`)
	// token68 is any bearer credential (RFC 9110 §11.2), for the prefix-unchecked fault.
	token68 = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)
)

// Messages of the authentication failures. They are fixed texts: none ever
// contains the credential that was sent (unless the token-echo fault is on).
const (
	msgMissingAuth   = "No Authorization header was sent. Send Authorization: Bearer cornect_<secret>."
	msgInvalidFormat = "The Authorization header must be a bearer token of the form cornect_<secret>."
	msgInvalidToken  = "The token is not valid: it is unknown or has been revoked."
	msgTokenExpired  = "The token is past its expiry date. Mint a new one."
	msgNotBound      = "This legacy token is not bound to a workspace. Mint a new one."
	msgNotMember     = "The token's owner is no longer a member of its workspace."

	// msgTokenHelp ends every 401 message under the url-in-messages variation.
	msgTokenHelp = "See https://cornect.io/app/settings/api-tokens to mint a token."
)

// authenticate finds the token and workspace a request acts as, or the 401
// that refuses it.
func (s *Server) authenticate(r *http.Request, now time.Time) (*token, *workspace, *apiError) {
	values, present := r.Header["Authorization"]
	missing := !present
	if present && s.broken(faultEmptyHeaderAsMissing) && strings.Join(values, "") == "" {
		missing = true
	}
	if missing {
		if s.broken(faultMissingAuthAsInvalidToken) {
			return nil, nil, authFailure("INVALID_TOKEN", msgInvalidToken, "")
		}
		// challenge-error-without-credentials: the challenge then says error="invalid_token"
		code := ""
		if s.broken(faultChallengeErrorWithoutCredentials) {
			code = challengeInvalidToken
		}
		return nil, nil, authFailure("MISSING_AUTH_HEADER", msgMissingAuth, code)
	}

	secret, ok := s.bearerSecret(values)
	if !ok {
		return nil, nil, authFailure("INVALID_TOKEN_FORMAT", msgInvalidFormat, formatChallengeError(values))
	}
	tok := s.tokens[secret]
	var e *apiError
	switch {
	case tok == nil:
		e = authFailure("INVALID_TOKEN", msgInvalidToken, challengeInvalidToken)
	case tok.revoked && !s.broken(faultRevokedAccepted):
		e = authFailure("INVALID_TOKEN", msgInvalidToken, challengeInvalidToken)
	case !now.Before(tok.expiresAt) && !s.broken(faultExpiredAccepted):
		e = authFailure("TOKEN_EXPIRED", msgTokenExpired, challengeInvalidToken)
		if s.broken(faultExpiredAsInvalidToken) {
			e = authFailure("INVALID_TOKEN", msgInvalidToken, challengeInvalidToken)
		}
	case tok.workspaceID == "" && !s.broken(faultUnboundAccepted):
		e = authFailure("TOKEN_NOT_WORKSPACE_BOUND", msgNotBound, challengeInvalidToken)
	case tok.ownerRemoved:
		e = authFailure("NOT_WORKSPACE_MEMBER", msgNotMember, challengeInvalidToken)
		if s.broken(faultNonMember403) {
			e.status, e.challenge = http.StatusForbidden, nil
		}
	}
	if e != nil {
		if s.broken(faultTokenEcho) {
			e.message = "Token " + secret + ": " + e.message
		}
		return nil, nil, e
	}
	wsID := tok.workspaceID
	if wsID == "" { // only with unbound-accepted: legacy tokens act on workspace A
		wsID = workspaceAID
	}
	return tok, s.workspaces[wsID], nil
}

// bearerSecret extracts the secret of an "Authorization: Bearer cornect_…"
// header; the scheme is case-insensitive (RFC 9110 §11.1).
func (s *Server) bearerSecret(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	scheme, credential, found := strings.Cut(values[0], " ")
	isBearer := strings.EqualFold(scheme, "Bearer")
	if s.broken(faultSchemeCaseSensitive) {
		isBearer = scheme == "Bearer"
	}
	if !found || !isBearer {
		return "", false
	}
	credential = strings.TrimLeft(credential, " ")
	if tokenFormat.MatchString(credential) {
		return credential, true
	}
	if s.broken(faultPrefixUnchecked) && token68.MatchString(credential) {
		return credential, true
	}
	return "", false
}

func authFailure(code, message, challengeError string) *apiError {
	e := documentedError(code, message, nil)
	e.challenge = &challenge{errorCode: challengeError}
	return e
}

// The challenge errors of RFC 6750 §3.1 the reference sends.
const (
	challengeInvalidToken   = "invalid_token"
	challengeInvalidRequest = "invalid_request"
)

// formatChallengeError is the challenge error for an Authorization header
// that is not a cornect_ bearer token (RFC 6750 §3.1): a Bearer token of
// another form was presented and is invalid; "Bearer" without a token is a
// malformed request; another scheme, or no scheme, presents no Bearer
// credentials, and the challenge names no error.
func formatChallengeError(values []string) string {
	if len(values) != 1 {
		return challengeInvalidRequest
	}
	scheme, credential, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return ""
	case strings.TrimSpace(credential) == "":
		return challengeInvalidRequest
	}
	return challengeInvalidToken
}

// scopeDetails are the details of INSUFFICIENT_SCOPE, in the documented order.
type scopeDetails struct {
	TokenScope scope `json:"token_scope"`
	Required   scope `json:"required"`
}

// checkScope refuses a token whose scope does not cover the route.
func (s *Server) checkScope(rt *route, tok *token) *apiError {
	required := rt.scope
	if rt.id == endpointGetExport && s.broken(faultReadEndpointNeedsWrite) {
		required = scopeReadWrite
	}
	if required == scopeRead || tok.scope == scopeReadWrite || s.broken(faultScopeNotEnforced) {
		return nil
	}
	details := scopeDetails{TokenScope: tok.scope, Required: required}
	if s.broken(faultScopeDetailsSwapped) {
		details = scopeDetails{TokenScope: required, Required: tok.scope}
	}
	e := documentedError("INSUFFICIENT_SCOPE", "This endpoint requires a read_write token.", details)
	if s.broken(faultScopeAs401) {
		e.status = http.StatusUnauthorized
	}
	return e
}
