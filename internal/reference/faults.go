package reference

import (
	"fmt"
	"strings"
)

// FaultInfo describes one fault or variation.
type FaultInfo struct {
	Name        string
	Description string // what the server does differently
	Breaks      string // the documented promise a fault breaks; empty for variations
}

// Names of the faults. Each is honoured by one conditional at the one place
// that decides the behaviour it changes; grep the constant to find it.
const (
	faultValidationArrayDetail       = "validation-array-detail"
	faultNotFoundPlainText           = "not-found-plain-text"
	faultNotFoundDetailString        = "not-found-detail-string"
	faultExpiredAccepted             = "expired-accepted"
	faultExpiredAsInvalidToken       = "expired-as-invalid-token"
	faultRevokedAccepted             = "revoked-accepted"
	faultUnboundAccepted             = "unbound-accepted"
	faultNonMember403                = "non-member-403"
	faultMissingAuthAsInvalidToken   = "missing-auth-as-invalid-token"
	faultPrefixUnchecked             = "prefix-unchecked"
	faultEmptyHeaderAsMissing        = "empty-header-as-missing"
	faultCreditsNoAuth               = "credits-no-auth"
	faultScopeNotEnforced            = "scope-not-enforced"
	faultScopeAs401                  = "scope-as-401"
	faultScopeDetailsSwapped         = "scope-details-swapped"
	faultReadEndpointNeedsWrite      = "read-endpoint-needs-write"
	faultBalanceUppercase            = "balance-uppercase"
	faultBalanceAs403                = "balance-as-403"
	faultBalanceNotChecked           = "balance-not-checked"
	faultChargeOn402                 = "charge-on-402"
	faultRateLimitMissing            = "rate-limit-missing"
	faultRetryAfterMissing           = "retry-after-missing"
	faultRetryAfterHTTPDate          = "retry-after-http-date"
	faultRetryAfterZero              = "retry-after-zero"
	faultRateLimitSticky             = "rate-limit-sticky"
	faultErrorsAs200                 = "errors-as-200"
	faultJSONAsHTML                  = "json-as-html"
	faultHTMLForAnyAccept            = "html-for-any-accept"
	faultEnvelopeFlat                = "envelope-flat"
	faultMessageMissing              = "message-missing"
	faultUnknownID500                = "unknown-id-500"
	faultValidationAs400             = "validation-as-400"
	faultMalformedJSON500            = "malformed-json-500"
	faultListIDUnchecked             = "list-id-unchecked"
	faultExportFormatUnchecked       = "export-format-unchecked"
	faultSortOrderUnchecked          = "sort-order-unchecked"
	faultSourceTypeUnchecked         = "source-type-unchecked"
	faultJSONScalars400              = "json-scalars-400"
	faultDownloadUnfinished200       = "download-unfinished-200"
	faultCrossWorkspace403           = "cross-workspace-403"
	faultStringFilterTypesUnchecked  = "string-filter-types-unchecked"
	faultIntegerFilterTypesUnchecked = "integer-filter-types-unchecked"
)

// Names of the faults that break HTTP and security good practice (SHOULD
// level) but no documented MUST: the suite's default run passes with each on,
// and only its stricter checks catch them.
const (
	faultWWWAuthenticateMissing           = "www-authenticate-missing"
	faultChallengeErrorWithoutCredentials = "challenge-error-without-credentials"
	faultSchemeCaseSensitive              = "scheme-case-sensitive"
	faultValidationBeforeAuth             = "validation-before-auth"
	faultTokenEcho                        = "token-echo"
	faultStackTrace                       = "stack-trace"
	faultScopeAfterCharge                 = "scope-after-charge"
	faultWrongMethod404                   = "wrong-method-404"
	faultMethodNotAllowedWithoutAllow     = "method-not-allowed-without-allow"
	faultUnknownRoutePlainText            = "unknown-route-plain-text"
	faultCodesUnstable                    = "codes-unstable"
	faultRetryAfterGarbage                = "retry-after-garbage"
	faultCrossWorkspaceOtherCode          = "cross-workspace-other-code"
	faultSharedBucket                     = "rate-limit-shared-bucket"
)

// Names of the variations.
const (
	variationRewordedMessages        = "reworded-messages"
	variationExtraMembers            = "extra-members"
	variationNoDetails               = "no-details"
	variationCharset                 = "charset"
	variationOtherCodes              = "other-codes"
	variationGzip                    = "gzip"
	variationConnectionClose         = "connection-close"
	variationLatency40ms             = "latency-40ms"
	variationDetailsNull             = "details-null"
	variationProblemJSON             = "problem-json"
	variationMultiChallenge          = "multi-challenge"
	variationMalformedJSON400        = "malformed-json-400"
	variationInstantExports          = "instant-exports"
	variationLowUnauthenticatedLimit = "low-unauthenticated-limit"
	variationURLInMessages           = "url-in-messages"
	variationMethodAfterScope        = "method-after-scope"
)

// Faults lists the deliberate deviations from the contract that WithFaults
// accepts, in a stable order.
func Faults() []FaultInfo {
	return []FaultInfo{
		{faultValidationArrayDetail, `422 bodies in FastAPI's default form {"detail":[{"loc":…,"msg":…,"type":…}]}`, "every error carries the {detail:{code,message}} envelope"},
		{faultNotFoundPlainText, `404s sent as text/plain "Not Found"`, "every error response is JSON with the envelope"},
		{faultNotFoundDetailString, `404s sent as {"detail":"Not Found"}`, "every error carries the {detail:{code,message}} envelope"},
		{faultExpiredAccepted, "expired tokens are accepted", "401 TOKEN_EXPIRED for a token past its expiry date"},
		{faultExpiredAsInvalidToken, "expired tokens get code INVALID_TOKEN", "401 TOKEN_EXPIRED for a token past its expiry date"},
		{faultRevokedAccepted, "revoked tokens are accepted", "revocation is immediate: 401 INVALID_TOKEN"},
		{faultUnboundAccepted, "legacy tokens with no workspace are accepted (served workspace A)", "401 TOKEN_NOT_WORKSPACE_BOUND for a legacy token"},
		{faultNonMember403, "a token whose owner left the workspace gets 403 NOT_WORKSPACE_MEMBER", "401 NOT_WORKSPACE_MEMBER"},
		{faultMissingAuthAsInvalidToken, "a request without Authorization gets code INVALID_TOKEN", "401 MISSING_AUTH_HEADER when no Authorization header is sent"},
		{faultPrefixUnchecked, "a bearer token without the cornect_ prefix gets INVALID_TOKEN", "401 INVALID_TOKEN_FORMAT when the header is not a cornect_ bearer token"},
		{faultEmptyHeaderAsMissing, "an empty Authorization header gets MISSING_AUTH_HEADER", "401 INVALID_TOKEN_FORMAT when the header is present but not a cornect_ bearer token"},
		{faultCreditsNoAuth, "GET /credits skips authentication and serves workspace A to anyone", "every request carries a token; GET /credits answers 401 without one"},
		{faultScopeNotEnforced, "read tokens can create exports", "403 INSUFFICIENT_SCOPE for a read token on POST /exports"},
		{faultScopeAs401, "insufficient scope answered with 401 (code INSUFFICIENT_SCOPE)", "INSUFFICIENT_SCOPE is a 403"},
		{faultScopeDetailsSwapped, `INSUFFICIENT_SCOPE details say {"token_scope":"read_write","required":"read"}`, `INSUFFICIENT_SCOPE details {"token_scope":"read","required":"read_write"}`},
		{faultReadEndpointNeedsWrite, "GET /exports/{export_id} requires a read_write token", "read tokens may call every query endpoint"},
		{faultBalanceUppercase, "insufficient balance uses code INSUFFICIENT_BALANCE", "402 insufficient_balance, lower case, exactly as documented"},
		{faultBalanceAs403, "insufficient balance answered with 403", "insufficient_balance is a 402"},
		{faultBalanceNotChecked, "exports are created and charged even when the balance cannot cover them", "402 insufficient_balance when the balance cannot cover the export"},
		{faultChargeOn402, "402 is returned but the charge was already recorded", "on 402 no export is created and no credits are charged"},
		{faultRateLimitMissing, "no request is ever rate limited", "429 when a rate limit bucket is empty"},
		{faultRetryAfterMissing, "429 without Retry-After", "429 carries Retry-After in seconds"},
		{faultRetryAfterHTTPDate, "Retry-After sent as an HTTP-date", "429 carries Retry-After in seconds"},
		{faultRetryAfterZero, "Retry-After: 0", "Retry-After gives the seconds to wait before a retry can succeed"},
		{faultRateLimitSticky, "Retry-After says 1 but the bucket stays empty for a full window", "Retry-After gives the seconds to wait before a retry can succeed"},
		{faultErrorsAs200, "every error is sent with status 200 (body unchanged)", "conventional HTTP status codes"},
		{faultJSONAsHTML, "error bodies labelled text/html", "every error response is JSON"},
		{faultHTMLForAnyAccept, "errors are HTML pages unless the request accepts application/json explicitly (no Accept, */*, a browser's), as Django REST framework answers with its browsable renderer listed first", "every error response is JSON with the envelope"},
		{faultEnvelopeFlat, `error bodies are {"code":…,"message":…} without "detail"`, "every error carries the {detail:{code,message}} envelope"},
		{faultMessageMissing, "error envelopes have no message", "every error has a human-readable message"},
		{faultUnknownID500, "GET /companies/{id} with an unknown id answers 500 INTERNAL", "404 when the requested resource doesn't exist"},
		{faultValidationAs400, "validation failures use status 400", "422 when the body fails validation"},
		{faultMalformedJSON500, "malformed JSON bodies answer 500", "422 when the body fails validation"},
		{faultListIDUnchecked, "a list_id that is not a UUID is not validated (404 instead of 422)", "422 when list_id is not a UUID"},
		{faultExportFormatUnchecked, "export_format outside its enum is accepted (source_type and sort_order are checked)", "422 when an enum field has an undocumented value"},
		{faultSortOrderUnchecked, "sort_order outside its enum is accepted (export_format and source_type are checked)", "422 when an enum field has an undocumented value"},
		{faultSourceTypeUnchecked, "source_type outside its enum is accepted (export_format and sort_order are checked)", "422 when an enum field has an undocumented value"},
		{faultJSONScalars400, `a JSON body that is a scalar (42, "…", true, null) answers 400, as express.json() does in its default strict mode; an array keeps 422`, "422 when the body fails validation"},
		{faultDownloadUnfinished200, "downloading an unfinished export returns 200 with a URL", "400 when downloading an export that is not completed"},
		{faultCrossWorkspace403, "another workspace's export answers 403, revealing that it exists", "another workspace's export is indistinguishable from a missing one (404)"},
		{faultStringFilterTypesUnchecked, `wrong types in the search filters that take lists of strings are accepted (e.g. "countries":"Germany"); integer filters are checked`, "422 when a search filter has the wrong type"},
		{faultIntegerFilterTypesUnchecked, `wrong types in the search filters that take integers are accepted (e.g. "employee_count_min":["ten"]); list filters are checked`, "422 when a search filter has the wrong type"},
		{faultWWWAuthenticateMissing, "401 responses carry no WWW-Authenticate header", "a 401 carries a WWW-Authenticate challenge (RFC 9110 §11.6.1, §15.5.2)"},
		{faultChallengeErrorWithoutCredentials, `the 401 for a request without credentials (MISSING_AUTH_HEADER) challenges with error="invalid_token"`, "a challenge to a request that sent no credentials carries no error code (RFC 6750 §3.1)"},
		{faultSchemeCaseSensitive, `the auth scheme is matched case-sensitively: "bearer cornect_…" and "BEARER cornect_…" get 401 INVALID_TOKEN_FORMAT, only "Bearer" works`, "the authentication scheme is case-insensitive (RFC 9110 §11.1)"},
		{faultValidationBeforeAuth, "POST bodies are validated before authentication: a request without valid credentials and with an invalid body gets 422, not 401", "authentication comes before body validation: a request without valid credentials gets 401 whatever its body (RFC 9110 §15.5.2)"},
		{faultTokenEcho, "the message of a 401 for a presented token quotes the token value", "no response echoes a bearer token, which must not leak to unintended parties (RFC 6750 §5.3)"},
		{faultStackTrace, "404 error envelopes carry details.trace, a Python traceback with internal file paths", "error responses disclose no internals (CWE-209, OWASP API8:2023)"},
		{faultScopeAfterCharge, "POST /exports with a read token creates and charges the export, then answers 403 INSUFFICIENT_SCOPE", "a refused request changes nothing: a 403 means the request was not fulfilled (RFC 9110 §15.5.4)"},
		{faultWrongMethod404, "a wrong method on a known path answers 404 NOT_FOUND instead of 405", "a known path with a method it does not support answers 405 (RFC 9110 §15.5.6)"},
		{faultMethodNotAllowedWithoutAllow, "405 responses lack the Allow header", "a 405 carries Allow, listing the methods the path supports (RFC 9110 §15.5.6, §10.2.1)"},
		{faultUnknownRoutePlainText, `an unknown path answers "404 page not found" as text/plain, like Go's default mux`, "every error response, an unknown path's 404 included, is JSON with the envelope"},
		{faultCodesUnstable, "the codes of undocumented statuses (404, 422, 400, 405, 429) alternate between two spellings, every second response with a code taking the other, e.g. NOT_FOUND and RESOURCE_NOT_FOUND", "error codes are stable: clients branch on them, so the same error always has the same code"},
		{faultRetryAfterGarbage, `non-429 error responses (the 402 and 404s among them) carry "Retry-After: soon"`, "Retry-After is an HTTP-date or whole seconds (RFC 9110 §10.2.3)"},
		{faultCrossWorkspaceOtherCode, "another workspace's export answers 404 with code EXPORT_OF_ANOTHER_WORKSPACE, telling the caller it exists", "another workspace's export is indistinguishable from a missing one: the same status and code"},
		{faultSharedBucket, "all tokens share one rate-limit bucket per endpoint", "each token has its own bucket per endpoint"},
	}
}

// Variations lists the conforming variations that WithVariations accepts: each
// changes the responses in a way the contract allows, so a correct client (and
// the suite) must still pass.
func Variations() []FaultInfo {
	return []FaultInfo{
		{Name: variationRewordedMessages, Description: "error messages use different wording"},
		{Name: variationExtraMembers, Description: "error envelopes carry extra members: detail.trace_id and a top-level request_id"},
		{Name: variationNoDetails, Description: "error envelopes omit every optional details member"},
		{Name: variationCharset, Description: "JSON responses are labelled application/json; charset=utf-8"},
		{Name: variationOtherCodes, Description: "undocumented statuses use other codes (RESOURCE_NOT_FOUND, UNPROCESSABLE, TOO_MANY_REQUESTS, NOT_READY, UNSUPPORTED_METHOD)"},
		{Name: variationGzip, Description: "responses are gzip-compressed when the client accepts gzip"},
		{Name: variationConnectionClose, Description: "every response carries Connection: close"},
		{Name: variationLatency40ms, Description: "every response is delayed by 40ms"},
		{Name: variationDetailsNull, Description: `error envelopes without details carry "details": null, as FastAPI serialises an Optional[dict] = None`},
		{Name: variationProblemJSON, Description: "error responses are labelled application/problem+json (the envelope is unchanged)"},
		{Name: variationMultiChallenge, Description: `401s offer two challenges in one WWW-Authenticate header: Basic realm="cornect", then the Bearer challenge`},
		{Name: variationMalformedJSON400, Description: "a body that is not JSON at all answers 400 MALFORMED_JSON, as Express, DRF and Spring do; JSON that fails validation keeps 422"},
		{Name: variationInstantExports, Description: "exports are completed the moment they are created, so a download right after creation succeeds"},
		{Name: variationLowUnauthenticatedLimit, Description: "requests that fail authentication are limited to 60 per window per client address (the docs publish no number)"},
		{Name: variationURLInMessages, Description: "401 messages end with a link: See https://cornect.io/app/settings/api-tokens to mint a token."},
		{Name: variationMethodAfterScope, Description: "a method a path does not have is refused only after authentication, the rate limit and scope, as Django REST framework's permissions and throttles run before its dispatch: a read token's PATCH /exports gets 403 INSUFFICIENT_SCOPE, a read_write token's spends the POST /exports bucket and then gets 405"},
	}
}

// CheckFaults reports the names that are not faults, listing the valid ones.
func CheckFaults(names []string) error {
	return checkNames("fault", names, Faults())
}

// CheckVariations reports the names that are not variations, listing the
// valid ones.
func CheckVariations(names []string) error {
	return checkNames("variation", names, Variations())
}

func checkNames(kind string, names []string, known []FaultInfo) error {
	valid := make(map[string]bool, len(known))
	list := make([]string, 0, len(known))
	for _, k := range known {
		valid[k.Name] = true
		list = append(list, k.Name)
	}
	var unknown []string
	for _, n := range names {
		if !valid[n] {
			unknown = append(unknown, fmt.Sprintf("%q", n))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("unknown %s %s; valid names: %s", kind, strings.Join(unknown, ", "), strings.Join(list, ", "))
}

// nameSet is the set of fault or variation names switched on.
type nameSet map[string]bool

func newNameSet(names []string) nameSet {
	s := make(nameSet, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}

// broken reports whether the named fault is switched on.
func (s *Server) broken(fault string) bool { return s.faults[fault] }

// varies reports whether the named variation is switched on.
func (s *Server) varies(variation string) bool { return s.variations[variation] }
