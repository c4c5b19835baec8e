package reference

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/cornect/conform/schemas"
)

// Codes for statuses the Errors page gives no code for. The contract only
// requires a non-empty code there; the other-codes variation swaps them.
const (
	codeNotFound         = "NOT_FOUND"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeValidation       = "VALIDATION_ERROR"
	codeRateLimited      = "RATE_LIMITED"
	codeExportNotReady   = "EXPORT_NOT_READY"
	codeAccessDenied     = "ACCESS_DENIED"  // presigned download URL wrong or expired
	codeMalformedJSON    = "MALFORMED_JSON" // malformed-json-400 variation: a body that is not JSON
	codeInternal         = "INTERNAL"
)

// apiError is the value handlers return instead of writing a failure
// themselves: everything writeError needs to answer it.
type apiError struct {
	status     int
	code       string
	message    string
	details    any            // optional; omitted when nil
	problems   []fieldProblem // validation failures; sent as details.errors
	challenge  *challenge     // WWW-Authenticate, for failed authentication
	allow      []string       // Allow, for 405
	retryAfter int            // Retry-After in whole seconds, for 429
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message)
}

// fieldProblem is one reason a body failed validation.
type fieldProblem struct {
	Field   string `json:"field"`   // dotted path from the body's root, e.g. "search_filters.countries"
	Problem string `json:"problem"` // e.g. "required", "must be a string"
}

// challenge is the Bearer challenge (RFC 6750 §3) of a 401 caused by
// authentication.
type challenge struct {
	// errorCode is the challenge's error (RFC 6750 §3.1): invalid_token for
	// a Bearer token that was presented and refused, invalid_request for a
	// malformed Bearer header, none without Bearer credentials.
	errorCode string
}

// documentedError builds an error whose code is on the Errors page; its
// status comes from that page's table.
func documentedError(code, message string, details any) *apiError {
	status := schemas.StatusOf(code)
	if status == 0 {
		panic(fmt.Sprintf("reference: %q is not a documented error code", code))
	}
	return &apiError{status: status, code: code, message: message, details: details}
}

func notFound(message string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound, message: message}
}

func methodNotAllowed(allow []string) *apiError {
	return &apiError{
		status:  http.StatusMethodNotAllowed,
		code:    codeMethodNotAllowed,
		message: "This endpoint does not support that method. Allowed: " + strings.Join(allow, ", ") + ".",
		allow:   allow,
	}
}

func validationFailed(problems []fieldProblem) *apiError {
	return &apiError{
		status:   http.StatusUnprocessableEntity,
		code:     codeValidation,
		message:  "The request body failed validation.",
		problems: problems,
	}
}

func rateLimited(retryAfterSeconds int) *apiError {
	return &apiError{
		status:     http.StatusTooManyRequests,
		code:       codeRateLimited,
		message:    "Rate limit exceeded. Retry after the number of seconds in Retry-After.",
		retryAfter: retryAfterSeconds,
	}
}

func internalError(message string) *apiError {
	return &apiError{status: http.StatusInternalServerError, code: codeInternal, message: message}
}

// writeError is the one place that answers a failure: status, envelope,
// Content-Type, and the WWW-Authenticate, Retry-After and Allow headers. Most
// faults and variations about the shape of errors are decided here.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	status, code, message := e.status, e.code, e.message
	if e.problems != nil && s.broken(faultValidationAs400) {
		status = http.StatusBadRequest
	}
	if s.varies(variationOtherCodes) || (s.broken(faultCodesUnstable) && otherCode(code) != code && s.alternate(code)) {
		code = otherCode(code)
	}
	if s.varies(variationRewordedMessages) {
		message = reword(message)
	}
	if e.challenge != nil && s.varies(variationURLInMessages) {
		message += " " + msgTokenHelp
	}

	h := w.Header()
	if e.challenge != nil && !s.broken(faultWWWAuthenticateMissing) {
		challenges := e.challenge.header(message)
		if s.varies(variationMultiChallenge) {
			challenges = `Basic realm="cornect", ` + challenges // two challenges, one header (RFC 9110 §11.6.1)
		}
		h.Set("WWW-Authenticate", challenges)
	}
	if len(e.allow) > 0 && !s.broken(faultMethodNotAllowedWithoutAllow) {
		h.Set("Allow", strings.Join(e.allow, ", "))
	}
	if e.retryAfter > 0 {
		switch {
		case s.broken(faultRetryAfterMissing):
		case s.broken(faultRetryAfterHTTPDate):
			at := s.cfg.clock.Now().Add(secondsDuration(e.retryAfter))
			h.Set("Retry-After", at.UTC().Format(http.TimeFormat))
		case s.broken(faultRetryAfterZero):
			h.Set("Retry-After", "0")
		default:
			h.Set("Retry-After", strconv.Itoa(e.retryAfter))
		}
	} else if s.broken(faultRetryAfterGarbage) {
		h.Set("Retry-After", "soon") // neither whole seconds nor an HTTP-date
	}

	contentType, body := s.jsonContentType(), s.errorBody(e, code, message)
	if s.varies(variationProblemJSON) {
		contentType = strings.Replace(contentType, "application/json", "application/problem+json", 1)
	}
	if e.status == http.StatusNotFound && s.broken(faultNotFoundPlainText) {
		contentType, body = "text/plain; charset=utf-8", []byte("Not Found")
	}
	if s.broken(faultJSONAsHTML) {
		contentType = "text/html; charset=utf-8"
	}
	if s.broken(faultHTMLForAnyAccept) && !acceptsJSONExplicitly(r.Header.Values("Accept")) {
		contentType, body = "text/html; charset=utf-8", browsablePage(status, body)
	}
	if s.broken(faultErrorsAs200) {
		status = http.StatusOK
	}
	h.Set("Content-Type", contentType)
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a failed write means the client went away
}

// errorDetail is the documented envelope's detail object.
type errorDetail struct {
	Code    string  `json:"code"`
	Message *string `json:"message,omitempty"`
	Details any     `json:"details,omitempty"`  // details-null variation: json.RawMessage("null")
	TraceID string  `json:"trace_id,omitempty"` // extra-members variation
}

type errorEnvelope struct {
	Detail    errorDetail `json:"detail"`
	RequestID string      `json:"request_id,omitempty"` // extra-members variation
}

// errorBody renders the JSON body of an error; only writeError calls it.
func (s *Server) errorBody(e *apiError, code, message string) []byte {
	if e.status == http.StatusNotFound && s.broken(faultNotFoundDetailString) {
		return mustJSON(map[string]string{"detail": "Not Found"})
	}
	if e.problems != nil && s.broken(faultValidationArrayDetail) {
		return mustJSON(map[string]any{"detail": fastAPIProblems(e.problems)})
	}

	d := errorDetail{Code: code}
	if !s.broken(faultMessageMissing) {
		d.Message = &message
	}
	if !s.varies(variationNoDetails) {
		if e.problems != nil {
			d.Details = map[string]any{"errors": e.problems}
		} else if e.details != nil {
			d.Details = e.details
		}
	}
	if e.status == http.StatusNotFound && s.broken(faultStackTrace) {
		d.Details = map[string]string{"trace": leakedTraceback}
	}
	if d.Details == nil && s.varies(variationDetailsNull) {
		d.Details = json.RawMessage("null") // a non-nil value, so omitempty keeps it
	}
	extra := s.varies(variationExtraMembers)
	if extra {
		d.TraceID = randomHex(16)
	}
	if s.broken(faultEnvelopeFlat) {
		return mustJSON(d)
	}
	env := errorEnvelope{Detail: d}
	if extra {
		env.RequestID = "req_" + randomHex(12)
	}
	return mustJSON(env)
}

// fastAPIProblems renders problems the way FastAPI's default handler does.
func fastAPIProblems(problems []fieldProblem) []map[string]any {
	out := make([]map[string]any, 0, len(problems))
	for _, p := range problems {
		loc := []string{"body"}
		if p.Field != "body" {
			loc = append(loc, strings.Split(p.Field, ".")...)
		}
		msg, typ := p.Problem, "value_error"
		if p.Problem == problemRequired {
			msg, typ = "field required", "value_error.missing"
		}
		out = append(out, map[string]any{"loc": loc, "msg": msg, "type": typ})
	}
	return out
}

// header renders the challenge. A description is sent only with an error;
// it is a fixed message and never contains the credential.
func (c *challenge) header(description string) string {
	if c.errorCode == "" {
		return `Bearer realm="cornect"`
	}
	return `Bearer realm="cornect", error="` + c.errorCode + `", error_description="` + challengeSafe(description) + `"`
}

// challengeSafe keeps the characters RFC 6750 §3 allows in error_description.
func challengeSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// otherCode is the code the other-codes variation uses instead of ours for
// statuses the Errors page gives no code for.
func otherCode(code string) string {
	switch code {
	case codeNotFound:
		return "RESOURCE_NOT_FOUND"
	case codeValidation:
		return "UNPROCESSABLE"
	case codeRateLimited:
		return "TOO_MANY_REQUESTS"
	case codeExportNotReady:
		return "NOT_READY"
	case codeMethodNotAllowed:
		return "UNSUPPORTED_METHOD"
	}
	return code
}

// alternate reports whether this response takes the other spelling of its
// code under the codes-unstable fault: every second response with that code
// does, however responses with other codes interleave.
func (s *Server) alternate(code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spellings[code]++
	return s.spellings[code]%2 == 0
}

// leakedTraceback is what the stack-trace fault puts in 404 envelopes: the
// internals a careless error handler lets through.
const leakedTraceback = `Traceback (most recent call last):
  File "/app/capi/routers/companies.py", line 88, in get_company
    company = await repository.get(workspace_id, company_id)
  File "/app/capi/repositories/companies.py", line 141, in get
    raise NotFoundError(f"company {company_id} not found in workspace {workspace_id}")
capi.errors.NotFoundError: not found`

// reword is the reworded-messages variation: same meaning, other words.
func reword(message string) string {
	if message == "" {
		return message
	}
	return "Request refused: " + strings.ToLower(message[:1]) + message[1:]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("reference: encoding a response: %v", err))
	}
	return b
}

// acceptsJSONExplicitly reports whether an Accept names application/json
// (or a +json type) before any HTML: what the html-for-any-accept fault
// answers with JSON. No Accept, */* and a browser's get the page.
func acceptsJSONExplicitly(accept []string) bool {
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
			switch {
			case mt == "text/html":
				return false
			case mt == "application/json" || strings.HasSuffix(mt, "+json"):
				return true
			}
		}
	}
	return false
}

// browsablePage wraps an error body in an HTML page, as a browsable API
// renderer does.
func browsablePage(status int, body []byte) []byte {
	return []byte(fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%d %s</h1><pre>%s</pre></body></html>\n",
		status, http.StatusText(status), status, http.StatusText(status), html.EscapeString(string(body))))
}
