package openapi

import (
	"encoding/json"
	"maps"
	"math"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds how deep a placeholder body nests, so that recursive
// schemas end.
const maxDepth = 8

// maxPlaceholderItems bounds the items of a placeholder array (minItems).
const maxPlaceholderItems = 8

// requestBody reports whether the operation has a request body, and the body
// to send: the first example the document gives that its schema accepts, else
// a placeholder built from the schema's required properties, else nil.
func requestBody(ref *openapi3.RequestBodyRef, v31 bool) (has bool, body []byte) {
	if ref == nil || ref.Value == nil {
		return false, nil
	}
	mt := jsonMediaType(ref.Value.Content)
	if mt == nil {
		return true, nil
	}
	var schema *openapi3.Schema
	if mt.Schema != nil {
		schema = mt.Schema.Value
	}
	for _, example := range examples(mt, schema) {
		if b, ok := acceptable(example, schema, v31); ok {
			return true, b
		}
	}
	if schema == nil {
		return true, nil
	}
	b, err := json.Marshal(placeholder(schema, 0))
	if err != nil {
		return true, nil
	}
	return true, b
}

// jsonMediaType is the content's application/json media type, else its first
// (by name) JSON one such as application/problem+json, else nil.
func jsonMediaType(content openapi3.Content) *openapi3.MediaType {
	if mt := content["application/json"]; mt != nil {
		return mt
	}
	for _, name := range slices.Sorted(maps.Keys(content)) {
		t, _, err := mime.ParseMediaType(name)
		if err == nil && (t == "application/json" || strings.HasSuffix(t, "+json")) && content[name] != nil {
			return content[name]
		}
	}
	return nil
}

// examples lists the document's examples of a body, best first: the media
// type's example, its named examples (by name; externalValue is never
// fetched), then the schema's example, examples and default.
func examples(mt *openapi3.MediaType, schema *openapi3.Schema) []any {
	var out []any
	if mt.Example != nil {
		out = append(out, mt.Example)
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			out = append(out, ex.Value.Value)
		}
	}
	if schema != nil {
		if schema.Example != nil {
			out = append(out, schema.Example)
		}
		out = append(out, schema.Examples...)
		if schema.Default != nil {
			out = append(out, schema.Default)
		}
	}
	return out
}

// acceptable encodes an example and reports whether schema (when there is
// one) accepts it as a request.
func acceptable(example any, schema *openapi3.Schema, v31 bool) ([]byte, bool) {
	b, err := json.Marshal(example)
	if err != nil {
		return nil, false
	}
	if schema == nil {
		return b, true
	}
	var value any // the plain JSON types the validator expects
	if err := json.Unmarshal(b, &value); err != nil {
		return nil, false
	}
	opts := []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}
	if v31 {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return b, schema.VisitJSON(value, opts...) == nil
}

// placeholder builds a small value the schema accepts as far as it can tell:
// the schema's own const, default, example or first enum value, else the
// required properties of an object, the minimum items of an array, and a
// value of the first type for the rest. It does not try to satisfy pattern,
// not, if/then or uniqueness constraints.
func placeholder(s *openapi3.Schema, depth int) any {
	if s == nil || depth > maxDepth {
		return nil
	}
	switch {
	case s.Const != nil:
		return s.Const
	case s.Default != nil:
		return s.Default
	case s.Example != nil:
		return s.Example
	case len(s.Examples) > 0:
		return s.Examples[0]
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	typ := firstType(s)
	if typ == "object" || (typ == "" && (len(s.AllOf) > 0 || len(s.Properties) > 0 || len(s.Required) > 0)) {
		return placeholderObject(s, depth)
	}
	if typ == "" {
		for _, alt := range slices.Concat(s.OneOf, s.AnyOf) {
			if alt != nil && alt.Value != nil {
				return placeholder(alt.Value, depth+1)
			}
		}
	}
	switch typ {
	case "string":
		return placeholderString(s)
	case "integer":
		return placeholderNumber(s, true)
	case "number":
		return placeholderNumber(s, false)
	case "boolean":
		return false
	case "null":
		return nil
	case "array":
		items := make([]any, min(s.MinItems, maxPlaceholderItems))
		for i := range items {
			if s.Items != nil {
				items[i] = placeholder(s.Items.Value, depth+1)
			}
		}
		return items
	}
	return "conform" // no type given: any value is acceptable
}

// firstType is the schema's first type other than null, or "null", or "".
func firstType(s *openapi3.Schema) string {
	if s.Type == nil {
		return ""
	}
	types := s.Type.Slice()
	for _, t := range types {
		if t != "null" {
			return t
		}
	}
	if len(types) > 0 {
		return types[0]
	}
	return ""
}

// placeholderObject holds the required properties of s and of its allOf
// parts, each a placeholder of its schema.
func placeholderObject(s *openapi3.Schema, depth int) map[string]any {
	props := map[string]*openapi3.Schema{}
	var required []string
	var collect func(*openapi3.Schema, int)
	collect = func(s *openapi3.Schema, d int) {
		if s == nil || d > maxDepth {
			return
		}
		for name, p := range s.Properties {
			if _, seen := props[name]; !seen && p != nil {
				props[name] = p.Value
			}
		}
		required = append(required, s.Required...)
		for _, part := range s.AllOf {
			if part != nil {
				collect(part.Value, d+1)
			}
		}
	}
	collect(s, depth)
	out := make(map[string]any, len(required))
	for _, name := range required {
		if _, done := out[name]; done {
			continue
		}
		if p, ok := props[name]; ok && p != nil {
			out[name] = placeholder(p, depth+1)
		} else {
			out[name] = "conform"
		}
	}
	return out
}

// placeholderString is a string of the schema's format, within its length
// bounds.
func placeholderString(s *openapi3.Schema) string {
	v := "conform"
	switch s.Format {
	case "uuid":
		v = "00000000-0000-4000-8000-000000000000"
	case "date-time":
		v = "2026-01-01T00:00:00Z"
	case "date":
		v = "2026-01-01"
	case "time":
		v = "00:00:00Z"
	case "email", "idn-email":
		v = "conform@example.com"
	case "uri", "url", "iri", "uri-reference", "iri-reference":
		v = "https://example.com/"
	case "hostname", "idn-hostname":
		v = "example.com"
	case "ipv4":
		v = "192.0.2.1"
	case "ipv6":
		v = "2001:db8::1"
	}
	if n := int(min(s.MinLength, 1024)); len(v) < n {
		v += strings.Repeat("x", n-len(v))
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

// placeholderNumber is 1, moved within the schema's bounds.
func placeholderNumber(s *openapi3.Schema, integer bool) float64 {
	v := 1.0
	lo, loExclusive := s.Min, s.ExclusiveMin.IsTrue()
	if s.ExclusiveMin.Value != nil {
		lo, loExclusive = s.ExclusiveMin.Value, true
	}
	hi, hiExclusive := s.Max, s.ExclusiveMax.IsTrue()
	if s.ExclusiveMax.Value != nil {
		hi, hiExclusive = s.ExclusiveMax.Value, true
	}
	step := 1.0
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		step = *s.MultipleOf
	}
	switch {
	case lo != nil && (v < *lo || (loExclusive && v <= *lo)):
		v = *lo
		if loExclusive {
			v += step
		}
	case hi != nil && (v > *hi || (hiExclusive && v >= *hi)):
		v = *hi
		if hiExclusive {
			v -= step
		}
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		v = math.Ceil(v / *s.MultipleOf) * *s.MultipleOf
	}
	if integer {
		v = math.Ceil(v)
	}
	return v
}
