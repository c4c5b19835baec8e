package match

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/schemas"
)

// ErrorExpectation is what a provoked error response must look like.
type ErrorExpectation struct {
	Status int
	// OrStatus are other acceptable statuses (a malformed body may get 400).
	OrStatus []int
	// Code pins detail.code (a documented code, validated against its own
	// schema); empty accepts any non-empty code, as for 404, 422 and 429.
	Code string
	// Details, when the response carries detail.details, are members it must hold.
	Details map[string]string
	// RetryAfter requires a Retry-After header of whole seconds, at least 1.
	RetryAfter bool
}

func (e ErrorExpectation) String() string {
	s := e.statuses()
	if e.Code != "" {
		s += " " + e.Code
	}
	return s
}

// ErrorViolations lists every way ex differs from e.
func ErrorViolations(ex probe.Exchange, e ErrorExpectation) []Violation {
	if ex.Status == 0 {
		return []Violation{{Where: "response", Rule: "transport", Message: "no response: " + ex.Err}}
	}
	var vs []Violation
	if ex.Status != e.Status && !slices.Contains(e.OrStatus, ex.Status) {
		vs = append(vs, Violation{Where: "status", Rule: "status", Expected: e.statuses(), Got: statusText(ex.Status) + redirectNote(ex)})
	}
	vs = append(vs, jsonContentType(ex)...)
	if ex.Err != "" {
		vs = append(vs, Violation{Where: "body", Rule: "incomplete-body", Message: "incomplete: " + ex.Err})
	}
	if ex.Truncated {
		vs = append(vs, Violation{Where: "body", Rule: "size", Message: fmt.Sprintf("longer than the %d bytes read; an error body is expected to be small", len(ex.Body))})
	}
	schemaID := schemas.EnvelopeID
	if id, ok := schemas.CodeSchemaID(e.Code); ok {
		schemaID = id
	}
	for _, sv := range schemas.Validate(schemaID, ex.Body) {
		vs = append(vs, fromSchema(sv))
	}
	vs = append(vs, codeAgreement(ex, e)...)
	vs = append(vs, detailsMembers(ex, e.Details)...)
	if e.RetryAfter {
		vs = append(vs, retryAfterSeconds(ex)...)
	}
	return vs
}

// statuses names the acceptable statuses: "422 Unprocessable Entity or 400 Bad Request".
func (e ErrorExpectation) statuses() string {
	names := []string{statusText(e.Status)}
	for _, s := range e.OrStatus {
		names = append(names, statusText(s))
	}
	return strings.Join(names, " or ")
}

func statusText(s int) string {
	return fmt.Sprintf("%d %s", s, http.StatusText(s))
}

func redirectNote(ex probe.Exchange) string {
	if ex.Status >= 300 && ex.Status < 400 {
		if loc := ex.Header.Get("Location"); loc != "" {
			return fmt.Sprintf(" (a redirect to %s; not followed)", loc)
		}
		return " (a redirect; not followed)"
	}
	return ""
}

func fromSchema(sv schemas.Violation) Violation {
	return Violation{Rule: "schema", Where: "body", Pointer: sv.InstanceLocation, Keyword: sv.Keyword, Message: sv.Message}
}

// jsonContentType requires application/json or another +json media type.
func jsonContentType(ex probe.Exchange) []Violation {
	ct := ex.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct != "" && err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	got := fmt.Sprintf("%q", ct)
	if ct == "" {
		got = "no Content-Type"
	}
	return []Violation{{Where: "header Content-Type", Rule: "content-type", Expected: "application/json", Got: got}}
}

// bodyCode returns detail.code when it is a string.
func bodyCode(body []byte) (string, bool) {
	var env struct {
		Detail struct {
			Code    any            `json:"code"`
			Details map[string]any `json:"details"`
		} `json:"detail"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "", false
	}
	c, ok := env.Detail.Code.(string)
	return c, ok
}

// codeAgreement checks the status against the Errors table for the code the
// server sent, and flags a documented code in another case.
func codeAgreement(ex probe.Exchange, e ErrorExpectation) []Violation {
	code, ok := bodyCode(ex.Body)
	if !ok || code == "" {
		return nil
	}
	if doc, ok := schemas.LookupCode(code); ok {
		if doc.Status != ex.Status {
			return []Violation{{Where: "status", Rule: "code-status", Message: fmt.Sprintf("code %s is documented with status %d, the response has %d", code, doc.Status, ex.Status)}}
		}
		return nil
	}
	if e.Code != "" {
		return nil // the code schema's const already names the difference
	}
	for _, doc := range schemas.Codes() {
		if strings.EqualFold(doc.Code, code) {
			return []Violation{{Where: "body", Pointer: "/detail/code", Rule: "case", Message: fmt.Sprintf("%q differs only in case from the documented %q; codes are case-sensitive", code, doc.Code)}}
		}
	}
	return nil
}

// detailsMembers checks members of detail.details when it is present.
func detailsMembers(ex probe.Exchange, want map[string]string) []Violation {
	if len(want) == 0 {
		return nil
	}
	var env struct {
		Detail struct {
			Details map[string]any `json:"details"`
		} `json:"detail"`
	}
	if json.Unmarshal(ex.Body, &env) != nil || env.Detail.Details == nil {
		return nil // absent details are allowed; a wrong type is a schema violation
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var vs []Violation
	for _, k := range keys {
		got, present := env.Detail.Details[k]
		if !present {
			vs = append(vs, Violation{Where: "body", Pointer: "/detail/details/" + k, Rule: "details", Expected: fmt.Sprintf("%q", want[k]), Got: "no such member"})
			continue
		}
		if s, ok := got.(string); !ok || s != want[k] {
			g, _ := json.Marshal(got)
			vs = append(vs, Violation{Where: "body", Pointer: "/detail/details/" + k, Rule: "details", Expected: fmt.Sprintf("%q", want[k]), Got: string(g)})
		}
	}
	return vs
}

var delaySeconds = regexp.MustCompile(`^[0-9]+$`)

// retryAfterSeconds requires Retry-After as whole seconds, at least 1: the
// Rate limits page says the header gives the seconds to wait.
func retryAfterSeconds(ex probe.Exchange) []Violation {
	vals := ex.Header.Values("Retry-After")
	switch {
	case len(vals) == 0:
		return []Violation{{Where: "header Retry-After", Rule: "retry-after", Expected: "whole seconds to wait, at least 1", Got: "no Retry-After header"}}
	case len(vals) > 1:
		return []Violation{{Where: "header Retry-After", Rule: "retry-after", Expected: "one value", Got: fmt.Sprintf("%d values %q", len(vals), vals)}}
	case !delaySeconds.MatchString(vals[0]):
		return []Violation{{Where: "header Retry-After", Rule: "retry-after", Expected: "whole seconds to wait, at least 1", Got: fmt.Sprintf("%q", vals[0])}}
	case strings.TrimLeft(vals[0], "0") == "":
		return []Violation{{Where: "header Retry-After", Rule: "retry-after", Expected: "at least 1 second", Got: fmt.Sprintf("%q", vals[0])}}
	}
	return nil
}
