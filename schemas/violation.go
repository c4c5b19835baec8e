package schemas

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Violation is one way a body fails a schema.
//
// InstanceLocation is the JSON pointer (RFC 6901) of the value that fails,
// "" for the whole body. For "required" and "additionalProperties" it is the
// object that lacks or carries the property, as in JSON Schema's own output,
// and Message names the property: a body without detail.message gives
// InstanceLocation "/detail" and Message `missing required property "message"`.
//
// KeywordLocation is the absolute keyword location: the $id of the schema
// that holds the failing keyword, "#", and the JSON pointer to the keyword in
// that schema, e.g.
// "https://conform.cornect.dev/schemas/error-envelope.schema.json#/properties/detail/required".
// It is the same whichever schema the check started from, and Raw of the part
// before "#" shows the keyword in context. It is "" for the "json" and
// "schema" violations, which no keyword produces.
//
// Keyword is the failing keyword ("required", "type", "const", "enum",
// "minLength", ...), or "json" for a body that is not JSON, or "schema" for a
// schema id that is not embedded.
//
// Message says what was expected and what came, e.g. `expected object, got
// string "Not Found"`, `must be "TOKEN_EXPIRED", got "token_expired"`, `must
// not be empty`.
type Violation struct {
	InstanceLocation string
	KeywordLocation  string
	Keyword          string
	Message          string
}

// String renders the violation for a person, e.g.
// `at /detail: missing required property "message" (required)`.
func (v Violation) String() string {
	loc := v.InstanceLocation
	if loc == "" {
		loc = "(root)"
	}
	return fmt.Sprintf("at %s: %s (%s)", loc, v.Message, v.Keyword)
}

// violations flattens a validation error into its leaves, one violation per
// finding, with messages of our own. A value of the wrong type gets exactly
// one violation: findings about the same value or anything inside it are
// dropped, they only repeat that it is not what was expected. The result is
// sorted by instance location, then keyword, then message, and deduplicated
// by those three: two schemas that check the same thing report it once, under
// the keyword location that sorts first.
func (r *registry) violations(root *jsonschema.ValidationError, inst any) []Violation {
	var all []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			all = append(all, r.explain(e, inst)...)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(root)

	var wrongType []string
	for _, v := range all {
		if v.Keyword == "type" {
			wrongType = append(wrongType, v.InstanceLocation)
		}
	}
	all = slices.DeleteFunc(all, func(v Violation) bool {
		return v.Keyword != "type" && slices.ContainsFunc(wrongType, func(loc string) bool {
			return within(v.InstanceLocation, loc)
		})
	})

	slices.SortStableFunc(all, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.InstanceLocation, b.InstanceLocation),
			cmp.Compare(a.Keyword, b.Keyword),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.KeywordLocation, b.KeywordLocation),
		)
	})
	return slices.CompactFunc(all, func(a, b Violation) bool {
		return a.InstanceLocation == b.InstanceLocation && a.Keyword == b.Keyword && a.Message == b.Message
	})
}

// within reports whether the pointer loc is ancestor itself or lies inside it.
func within(loc, ancestor string) bool {
	return loc == ancestor || ancestor == "" || strings.HasPrefix(loc, ancestor+"/")
}

// explain turns one leaf error into violations, quoting the keyword's value
// from the schema and the offending value from the body. A keyword it does not
// know keeps the validator's own message.
func (r *registry) explain(e *jsonschema.ValidationError, inst any) []Violation {
	loc := pointer(e.InstanceLocation)
	schemaID, schemaPtr, _ := strings.Cut(e.SchemaURL, "#")
	schemaPtr = unescapeTokens(schemaPtr)
	path := e.ErrorKind.KeywordPath()
	if _, isRef := e.ErrorKind.(*kind.Reference); isRef {
		path = nil // a $ref that failed without causes: the validator says why
	}
	kwPtr := schemaPtr + pointer(path)
	keyword := kwPtr[strings.LastIndexByte(kwPtr, '/')+1:]
	v := Violation{InstanceLocation: loc, KeywordLocation: schemaID + "#" + kwPtr, Keyword: keyword, Message: e.ErrorKind.LocalizedString(messages)}

	want, wantOK := lookup(r.docs[schemaID], kwPtr)
	got, gotOK := lookup(inst, loc)
	if !wantOK || !gotOK {
		return []Violation{v}
	}
	switch keyword {
	case "required":
		obj, _ := got.(map[string]any)
		var out []Violation
		for _, name := range strs(want) {
			if _, ok := obj[name]; !ok {
				v.Message = fmt.Sprintf("missing required property %q", name)
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			return out
		}
	case "additionalProperties":
		parent, _ := lookup(r.docs[schemaID], strings.TrimSuffix(kwPtr, "/additionalProperties"))
		var out []Violation
		for _, name := range extraProperties(parent, got) {
			v.Message = fmt.Sprintf("property %q is not allowed", name)
			out = append(out, v)
		}
		if len(out) > 0 {
			return out
		}
	case "type":
		types := strs(want)
		if s, ok := want.(string); ok {
			types = []string{s}
		}
		v.Message = fmt.Sprintf("expected %s, got %s", strings.Join(types, " or "), describe(got))
	case "const":
		v.Message = fmt.Sprintf("must be %s, got %s", short(want), short(got))
	case "enum":
		list, _ := want.([]any)
		quoted := make([]string, len(list))
		for i, w := range list {
			quoted[i] = short(w)
		}
		v.Message = fmt.Sprintf("must be one of %s, got %s", strings.Join(quoted, ", "), short(got))
	case "minLength":
		s, _ := got.(string)
		n := utf8.RuneCountInString(s)
		if n == 0 {
			v.Message = "must not be empty"
		} else {
			v.Message = fmt.Sprintf("must be at least %v characters long, got %d", want, n)
		}
	}
	return []Violation{v}
}

// extraProperties lists, sorted, the members of obj that the object schema
// parent neither lists in properties nor matches with patternProperties.
func extraProperties(parent, obj any) []string {
	sch, _ := parent.(map[string]any)
	props, _ := sch["properties"].(map[string]any)
	patterns, _ := sch["patternProperties"].(map[string]any)
	members, _ := obj.(map[string]any)
	var extra []string
	for _, name := range slices.Sorted(maps.Keys(members)) {
		if _, ok := props[name]; !ok && !matchesAny(patterns, name) {
			extra = append(extra, name)
		}
	}
	return extra
}

// matchesAny reports whether name matches one of the patternProperties keys.
func matchesAny(patterns map[string]any, name string) bool {
	for p := range patterns {
		if re, err := regexp.Compile(p); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// messages is the printer of the validator's own messages, for the keywords
// explain has none of its own for.
var messages = message.NewPrinter(language.English)

// unescapeTokens turns a pointer in a schema URL's fragment, whose tokens are
// also URL path-escaped, into a plain RFC 6901 JSON pointer.
func unescapeTokens(loc string) string {
	tokens := strings.Split(loc, "/")
	for i, t := range tokens {
		if u, err := url.PathUnescape(t); err == nil {
			tokens[i] = u
		}
	}
	return strings.Join(tokens, "/")
}

// pointer joins reference tokens into an RFC 6901 JSON pointer.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// lookup resolves an RFC 6901 JSON pointer in a decoded JSON value.
func lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// strs returns the strings in a decoded JSON array.
func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, item := range list {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// describe names a value's JSON type and, for a scalar, shows it:
// `string "Not Found"`, `number 42`, `null`, `array`.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string " + short(v)
	case bool:
		return "boolean " + short(v)
	default:
		return "number " + short(v)
	}
}

// maxShown bounds how many characters of a string a message quotes.
const maxShown = 60

// short renders a value for a message: scalars as JSON (long strings cut),
// arrays and objects by type only.
func short(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		if utf8.RuneCountInString(v) > maxShown {
			v = string([]rune(v)[:maxShown]) + "…"
		}
		return quoteJSON(v)
	default:
		return quoteJSON(v)
	}
}

// quoteJSON encodes a scalar as JSON without HTML escaping.
func quoteJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
