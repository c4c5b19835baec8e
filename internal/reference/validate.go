package reference

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problems a field can have.
const (
	problemRequired    = "required"
	problemString      = "must be a string"
	problemNonEmpty    = "must not be empty"
	problemStrings     = "must be an array of strings"
	problemInteger     = "must be an integer"
	problemObject      = "must be an object"
	problemObjects     = "must be an array of objects"
	problemUUID        = "must be a UUID"
	problemListID      = "required when source_type is list"
	problemCursor      = "is not a cursor this API issued"
	problemBodyObject  = "must be a JSON object"
	problemBodyTooBig  = "must be at most 1 MiB"
	problemContentType = "Content-Type must be application/json"
)

var uuidFormat = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// decodeObject parses a request body that must be a JSON object. An empty
// body counts as {} (every member optional); a missing Content-Type is
// accepted, a non-JSON one is not. Members the API does not know are kept
// and later ignored, so clients may send fields added after they were built.
func (s *Server) decodeObject(c *call) (map[string]json.RawMessage, *apiError) {
	if c.bodyTooLarge {
		return nil, validationFailed([]fieldProblem{{"body", problemBodyTooBig}})
	}
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	if ct := c.r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
		return nil, validationFailed([]fieldProblem{{"body", problemContentType}})
	}
	var anything any
	if err := json.Unmarshal(body, &anything); err != nil {
		if s.broken(faultMalformedJSON500) {
			return nil, internalError("Internal server error.")
		}
		if s.varies(variationMalformedJSON400) {
			return nil, &apiError{status: http.StatusBadRequest, code: codeMalformedJSON, message: "The request body is not valid JSON: " + err.Error() + "."}
		}
		return nil, validationFailed([]fieldProblem{{"body", "malformed JSON: " + err.Error()}})
	}
	if _, isArray := anything.([]any); !isArray && s.broken(faultJSONScalars400) {
		if _, isObject := anything.(map[string]any); !isObject {
			return nil, &apiError{status: http.StatusBadRequest, code: codeMalformedJSON, message: "The request body must be a JSON object or array."}
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, validationFailed([]fieldProblem{{"body", problemBodyObject}})
	}
	return obj, nil
}

// checkBody validates the body of a request the way its route's handler
// does, without acting on it; routes that take no body pass. Only the
// validation-before-auth fault calls it, before authentication.
func (s *Server) checkBody(rt *route, c *call) *apiError {
	var problemsOf func(map[string]json.RawMessage) []fieldProblem
	switch rt.id {
	case endpointSearchCompanies:
		problemsOf = func(obj map[string]json.RawMessage) []fieldProblem { _, _, p := s.decodeSearch(obj); return p }
	case endpointCreateExport:
		problemsOf = func(obj map[string]json.RawMessage) []fieldProblem { _, p := s.decodeExportRequest(obj); return p }
	default:
		return nil
	}
	obj, err := s.decodeObject(c)
	if err != nil {
		return err
	}
	if problems := problemsOf(obj); len(problems) > 0 {
		return validationFailed(problems)
	}
	return nil
}

func isJSONMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// fields reads the members of one JSON object, collecting a problem for each
// member of the wrong type. Absent and null members read as absent: every
// optional member may be null.
type fields struct {
	obj      map[string]json.RawMessage
	prefix   string // path of the object from the body's root, e.g. "search_filters."
	problems []fieldProblem

	// unchecked are the problems a fault accepts silently (the
	// string- and integer-filter-types-unchecked faults): a lone string
	// counts as a one-element array, anything else wrong as absent.
	unchecked map[string]bool
	// anyEnum are the enum members that accept any string (the
	// export-format-, sort-order- and source-type-unchecked faults).
	anyEnum map[string]bool
}

func (f *fields) problem(name, problem string) {
	if !f.unchecked[problem] {
		f.problems = append(f.problems, fieldProblem{f.prefix + name, problem})
	}
}

// raw returns a member, or false when it is absent or null.
func (f *fields) raw(name string) (json.RawMessage, bool) {
	v, ok := f.obj[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// str reads a string member; present is false when it is absent (or wrong).
func (f *fields) str(name string) (v string, present bool) {
	raw, ok := f.raw(name)
	if !ok {
		return "", false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		f.problem(name, problemString)
		return "", false
	}
	return v, true
}

// enum reads a string member that must be one of allowed; absent gives def.
func (f *fields) enum(name, def string, allowed ...string) string {
	v, ok := f.str(name)
	if !ok {
		return def
	}
	if !slices.Contains(allowed, v) && !f.anyEnum[name] {
		f.problem(name, "must be one of: "+strings.Join(allowed, ", "))
		return def
	}
	return v
}

func (f *fields) strs(name string) []string {
	raw, ok := f.raw(name)
	if !ok {
		return nil
	}
	if v, ok := stringArray(raw); ok {
		return v
	}
	var one string
	if f.unchecked[problemStrings] && json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	f.problem(name, problemStrings)
	return nil
}

// stringArray decodes a JSON array whose every item is a string (null items
// are not strings).
func stringArray(raw json.RawMessage) ([]string, bool) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		var v string
		if !bytes.HasPrefix(item, []byte(`"`)) || json.Unmarshal(item, &v) != nil {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

func (f *fields) integer(name string) *int64 {
	raw, ok := f.raw(name)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		f.problem(name, problemInteger)
		return nil
	}
	return &n
}

func (f *fields) objects(name string) []map[string]json.RawMessage {
	raw, ok := f.raw(name)
	if !ok {
		return nil
	}
	var v []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil || slices.ContainsFunc(v, func(m map[string]json.RawMessage) bool { return m == nil }) {
		f.problem(name, problemObjects)
		return nil
	}
	return v
}

func (f *fields) object(name string) (map[string]json.RawMessage, bool) {
	raw, ok := f.raw(name)
	if !ok {
		return nil, false
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		f.problem(name, problemObject)
		return nil, false
	}
	return v, true
}
