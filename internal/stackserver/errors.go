package stackserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Codes of the errors the stack answers itself, before the request reaches
// the reference: the same codes the reference uses for the same statuses,
// so a client sees one API.
const (
	codeNotFound           = "NOT_FOUND"
	codeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	codeValidation         = "VALIDATION_ERROR"
	codeMalformedJSON      = "MALFORMED_JSON"
	codeServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// apiError is an answer of the stack's own that is not a success; the app's
// exception handlers render it as the CAPI's envelope.
type apiError struct {
	status     int
	code       string
	message    string
	details    any
	allow      []string // Allow, for 405
	retryAfter int      // Retry-After in whole seconds; 0 for none
	proxyPage  bool     // the body is the proxy's HTML page, not the envelope
}

// fieldProblem is one reason a body failed, as the reference reports it.
type fieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func notFound() *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound, message: "There is nothing at this URL."}
}

func methodNotAllowed(allow []string) *apiError {
	return &apiError{
		status:  http.StatusMethodNotAllowed,
		code:    codeMethodNotAllowed,
		message: "This endpoint does not support that method. Allowed: " + strings.Join(allow, ", ") + ".",
		allow:   allow,
	}
}

// malformedJSON is the answer to a body that is not JSON: 422 with the
// reference's VALIDATION_ERROR details, or 400 MALFORMED_JSON as the
// reference's malformed-json-400 variation answers it.
func malformedJSON(status int, err error) *apiError {
	if status == http.StatusBadRequest {
		return &apiError{status: status, code: codeMalformedJSON, message: "The request body is not valid JSON: " + err.Error() + "."}
	}
	return &apiError{
		status:  http.StatusUnprocessableEntity,
		code:    codeValidation,
		message: "The request body failed validation.",
		details: map[string][]fieldProblem{"errors": {{"body", "malformed JSON: " + err.Error()}}},
	}
}

func (s *Server) overloaded() *apiError {
	e := &apiError{
		status:    http.StatusServiceUnavailable,
		code:      codeServiceUnavailable,
		message:   "The service is busy. Try again shortly.",
		proxyPage: s.cfg.overloadBody == OverloadProxyHTML,
	}
	if s.cfg.overloadRetry {
		e.retryAfter = 1
	}
	return e
}

// nginx503 is the page nginx sends for a 503 of its own.
const nginx503 = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n" +
	"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// writeError is the one place that writes the stack's own errors: status,
// body (the envelope, or the proxy's page), Content-Type, and the Allow and
// Retry-After headers.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	if len(e.allow) > 0 {
		h.Set("Allow", strings.Join(e.allow, ", "))
	}
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	contentType, body := "application/json", envelope(e)
	if e.proxyPage {
		contentType, body = "text/html", []byte(nginx503)
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body) // a failed write means the client went away
}

// envelope renders the documented {"detail":{"code","message","details"?}}.
func envelope(e *apiError) []byte {
	type detail struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	}
	b, err := json.Marshal(struct {
		Detail detail `json:"detail"`
	}{detail{e.code, e.message, e.details}})
	if err != nil {
		panic(fmt.Sprintf("stackserver: encoding an error: %v", err))
	}
	return b
}

// writeRedirect answers with Starlette's RedirectResponse: 307, Location,
// an empty body.
func writeRedirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusTemporaryRedirect)
}
