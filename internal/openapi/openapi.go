package openapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/cornect/conform/internal/probe"
)

// Scopes, as Operation.Scope reports them.
const (
	ScopeNone      = ""           // the document requires no authentication for the operation
	ScopeRead      = "read"       // a read token suffices
	ScopeReadWrite = "read_write" // a read_write token is needed
	ScopeUnknown   = "unknown"    // authentication is required, but the document names no scope conform knows
)

// Vendor extensions read on each operation. They win over whatever the
// security requirements say, so discovery does not depend on how a document
// spells scopes.
const (
	ExtScope          = "x-cornect-scope"                 // "read" or "read_write"
	ExtLimitPerMinute = "x-cornect-rate-limit-per-minute" // a positive integer
)

// ErrExternalRef is wrapped by the error of a document that refers to another
// file or a URL.
var ErrExternalRef = errors.New("refers outside the document, which is refused")

// Operation is one operation of the API, as its document describes it.
//
// Path is relative to the document's first server URL, whose path is
// ServerPath: with servers [{"url": "https://api.cornect.io/api/v1"}], GET
// /credits has Path /credits and ServerPath /api/v1. A document without
// servers (FastAPI's) has ServerPath "": its paths are from the host's root,
// /api/v1/credits. Within tells the operations under a base URL's path from
// the rest. Servers given on a path or an operation are not read.
type Operation struct {
	Method      string   // upper case
	Path        string   // the template under the server URL, e.g. /exports/{export_id}
	ServerPath  string   // the path of servers[0].url, variables at their defaults, e.g. /api/v1; "" for none or /
	OperationID string   // "" when the document gives none
	Params      []string // the path parameters' names, in path order
	Scope       string   // ScopeRead, ScopeReadWrite, ScopeNone or ScopeUnknown (see Parse)
	Public      bool     // no security requirement applies: anyone may call it (see Parse)
	// NoSecurity is set on a Public operation that says nothing at all about
	// security, nor does the document at its top: OpenAPI's default, no
	// requirement. An explicit security [] (or an empty alternative {})
	// leaves it unset.
	NoSecurity bool
	// DeclaredPublic is set when the operation's own security is [],
	// explicitly none: the one way a document declares an operation
	// public to conform (whose contract wants a token on every request).
	DeclaredPublic bool

	// HasBody is set when the operation has a request body. Body is a valid
	// example of it when the document gives one (the media type's example or
	// examples, else the schema's example, examples or default), else a
	// minimal body with the required properties and placeholder values, else
	// nil (no JSON media type, or no schema).
	HasBody bool
	Body    []byte

	LimitPerMinute int // ExtLimitPerMinute; 0 when absent
}

// FullPath is the operation's path from the host's root: ServerPath + Path.
func (o Operation) FullPath() string { return strings.TrimSuffix(o.ServerPath, "/") + o.Path }

// Parse reads an OpenAPI document (JSON or YAML) and returns its operations,
// sorted by path, then method. source names the document in errors. Every
// problem with the operations is reported at once.
//
// Scope and Public come from the operation's x-cornect-scope when it has
// one (and it is then not Public). Otherwise they follow OpenAPI: the
// operation's own security requirements apply, or the document's top-level
// ones when it has none of its own. No requirement (an explicit [], or no
// security member on the operation nor at the top, which also sets
// NoSecurity) or an empty alternative {} makes it Public with ScopeNone;
// otherwise each alternative needs the strongest scope it lists, the
// operation the weakest of its alternatives, and ScopeUnknown when an
// alternative lists neither read nor read_write.
//
// A document is bounded before the library reads it: at most
// MaxOperations operations, MaxJSONBytes of JSON once its white space is
// dropped, MaxYAMLBytes of YAML. The library's model of a document takes
// tens of times its size, and the bounds keep a run within about 100 MiB.
func Parse(doc []byte, source string) (ops []Operation, err error) {
	doc, err = withinBounds(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi document %q: %w", source, err)
	}
	topSecurity, err := sniff(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi document %q: %w", source, err)
	}
	defer func() {
		if r := recover(); r != nil { // the library's, on a document it did not foresee
			ops, err = nil, fmt.Errorf("openapi document %q: cannot be parsed: %v", source, r)
		}
	}()
	loader := openapi3.NewLoader() // IsExternalRefsAllowed is false: nothing is read but doc
	t, err := load(loader, doc)
	if err != nil {
		var ext *openapi3.DisallowedExternalRefError
		if errors.As(err, &ext) {
			return nil, fmt.Errorf("openapi document %q: $ref %q %w: only references inside the document (#/...) are followed, no file or URL is read",
				source, ext.Ref, ErrExternalRef)
		}
		return nil, fmt.Errorf("openapi document %q: %w", source, err)
	}
	if t.Paths == nil || t.Paths.Len() == 0 {
		return nil, fmt.Errorf("openapi document %q: has no paths, so no operations to check", source)
	}
	serverPath, err := serverPathOf(t.Servers)
	if err != nil {
		return nil, fmt.Errorf("openapi document %q: %w", source, err)
	}

	v31 := t.IsOpenAPI31OrLater()
	var problems []string
	for path, item := range t.Paths.Map() {
		if !strings.HasPrefix(path, "/") {
			problems = append(problems, fmt.Sprintf("paths: %q does not start with /", path))
			continue
		}
		for method, op := range item.Operations() {
			if op == nil {
				continue
			}
			o := Operation{
				Method:      strings.ToUpper(method),
				Path:        path,
				ServerPath:  serverPath,
				OperationID: op.OperationID,
				Params:      probe.PathParams(path),
			}
			where := o.Method + " " + path
			var bad []string
			o.Scope, o.Public, o.NoSecurity, bad = scopeOf(op, t.Security, topSecurity)
			o.DeclaredPublic = o.Public && op.Security != nil && len(*op.Security) == 0
			limit, limitProblem := limitOf(op.Extensions)
			o.LimitPerMinute, bad = limit, append(bad, limitProblem...)
			o.HasBody, o.Body = requestBody(op.RequestBody, v31)
			for _, b := range bad {
				problems = append(problems, where+": "+b)
			}
			ops = append(ops, o)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("openapi document %q:\n  %s", source, strings.Join(problems, "\n  "))
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("openapi document %q: its paths have no operations to check", source)
	}
	sortOperations(ops)
	return ops, nil
}

// load parses doc and resolves its references. A JSON document (FastAPI's,
// most generators') is decoded as JSON: the library's loader reads every
// document as YAML, which for a document of thousands of operations costs
// hundreds of megabytes.
func load(loader *openapi3.Loader, doc []byte) (*openapi3.T, error) {
	if trimmed := bytes.TrimLeft(doc, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return loader.LoadFromData(doc)
	}
	t := &openapi3.T{}
	if json.Unmarshal(doc, t) != nil {
		return loader.LoadFromData(doc) // not JSON after all, or not a document: the loader says which
	}
	if err := loader.ResolveRefsIn(t, nil); err != nil {
		return nil, err
	}
	return t, nil
}

// Within tells the operations under basePath, the path of the base URL
// conform is given (e.g. /api/v1), from the rest. An operation is under it
// when its full path (ServerPath + Path) is basePath or lies below it,
// segment by segment; it comes back in inside with its Path relative to
// basePath and ServerPath set to it. The others, outside, keep their paths:
// a FastAPI document lists every route of the app, /healthz and /docs
// beside /api/v1/credits, and only the API's own are the API's. Both lists
// are sorted by path, then method.
func Within(ops []Operation, basePath string) (inside, outside []Operation) {
	base := strings.TrimSuffix(basePath, "/")
	for _, o := range ops {
		rel, ok := strings.CutPrefix(o.FullPath(), base)
		if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
			outside = append(outside, o)
			continue
		}
		if rel == "" {
			rel = "/"
		}
		o.Path, o.ServerPath = rel, base
		inside = append(inside, o)
	}
	sortOperations(inside)
	sortOperations(outside)
	return inside, outside
}

func sortOperations(ops []Operation) {
	slices.SortFunc(ops, func(a, b Operation) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	})
}

// sniff checks what the library would accept silently or explain poorly: that
// doc is JSON or YAML, a mapping, and an OpenAPI 3 document. It reports
// whether the document has a top-level security member at all, which the
// library does not tell apart from an empty one.
func sniff(doc []byte) (topSecurity bool, err error) {
	trimmed := bytes.TrimSpace(doc)
	switch {
	case len(trimmed) == 0:
		return false, errors.New("is empty")
	case bytes.HasPrefix(trimmed, []byte("<")):
		return false, errors.New("is neither JSON nor YAML: it looks like HTML or XML; give the URL of the document itself")
	}
	var top map[string]topMember
	var paths pathsCounter
	if trimmed[0] == '{' || trimmed[0] == '[' {
		top, paths.json, err = sniffJSON(trimmed)
	} else {
		top, paths.yaml, err = sniffYAML(trimmed)
	}
	if err != nil {
		return false, err
	}
	if _, ok := top["swagger"]; ok {
		return false, errors.New("is a Swagger 2.0 document; only OpenAPI 3 is supported, convert it first")
	}
	version, ok := top["openapi"]
	switch {
	case !ok:
		return false, errors.New(`is not an OpenAPI document: it has no "openapi" version member`)
	case !version.isString:
		return false, fmt.Errorf("has OpenAPI version %s, which is not a string; write it as %q", version.text, "3.1.0")
	case !strings.HasPrefix(version.value, "3."):
		return false, fmt.Errorf("has OpenAPI version %q; only 3.x is supported", version.value)
	}
	_, topSecurity = top["security"]
	if n := paths.count(); n > MaxOperations {
		return false, fmt.Errorf("lists more than %d operations, the most conform sweeps (its memory and time grow with them): %w", MaxOperations, ErrTooManyOperations)
	}
	return topSecurity, nil
}

// MaxOperations bounds the operations of a document: a sweep of that many
// stays within conform's memory bound (about 100 MiB) and stops within a
// second of Ctrl-C; a larger document is refused before it is parsed.
const MaxOperations = 5_000

// MaxJSONBytes bounds a JSON document without its white space (a
// generated 5,000-operation document takes about 3.4 MB; one of 5,000
// operations and 1,200 schemas at this bound was measured at 89 MiB for
// a dry run), MaxYAMLBytes a YAML one: a YAML reader builds a node for
// every scalar, several times the memory of the same document in JSON.
const (
	MaxJSONBytes = 7 << 19 // 3.5 MiB
	MaxYAMLBytes = 1 << 20
)

func mib(n int) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// withinBounds returns doc, a JSON document without its white space, or
// an error naming the bound it passes.
func withinBounds(doc []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 || trimmed[0] != '{' && trimmed[0] != '[' {
		if len(doc) > MaxYAMLBytes {
			return nil, fmt.Errorf("is YAML of %s, more than the %s conform reads as YAML; convert it to JSON (yq -o=json), which may take %s: %w",
				mib(len(doc)), mib(MaxYAMLBytes), mib(MaxJSONBytes), ErrTooLarge)
		}
		return doc, nil
	}
	var compact bytes.Buffer
	if json.Compact(&compact, trimmed) != nil {
		return doc, nil // not JSON: sniff says why
	}
	if compact.Len() > MaxJSONBytes {
		return nil, fmt.Errorf("is JSON of %s without its white space, more than the %s conform reads: %w",
			mib(compact.Len()), mib(MaxJSONBytes), ErrTooLarge)
	}
	return compact.Bytes(), nil
}

// ErrTooManyOperations is wrapped by the error of a document with more
// than MaxOperations operations.
var ErrTooManyOperations = errors.New("too many operations")

// methods are the keys of a path item that are operations.
var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// pathsCounter counts a document's operations, up to one past
// MaxOperations, from the raw text of its paths member (JSON) or its node
// (YAML), so that an oversized document is refused before the library
// builds its model of every operation.
type pathsCounter struct {
	json json.RawMessage
	yaml *yaml.Node
}

func (p pathsCounter) count() int {
	switch {
	case p.json != nil:
		return countJSON(p.json)
	case p.yaml != nil:
		return countYAML(p.yaml)
	}
	return 0
}

// countJSON reads the paths object token by token, keeping nothing.
func countJSON(paths json.RawMessage) int {
	dec := json.NewDecoder(bytes.NewReader(paths))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0
	}
	n := 0
	for dec.More() && n <= MaxOperations {
		if _, err := dec.Token(); err != nil { // the path
			return n
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			if err != nil {
				return n
			}
			if d, ok := t.(json.Delim); ok { // an array: skip it
				if err := skipJSON(dec, d); err != nil {
					return n
				}
			}
			continue
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return n
			}
			if key, _ := k.(string); methods[key] {
				n++
			}
			t, err := dec.Token()
			if err != nil {
				return n
			}
			if d, ok := t.(json.Delim); ok {
				if err := skipJSON(dec, d); err != nil {
					return n
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the path item's }
			return n
		}
	}
	return n
}

// skipJSON reads to the end of the container opened by open.
func skipJSON(dec *json.Decoder, open json.Delim) error {
	if open != '{' && open != '[' {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// countYAML counts the method keys of each path item of the paths mapping.
func countYAML(paths *yaml.Node) int {
	if paths.Kind == yaml.AliasNode && paths.Alias != nil {
		paths = paths.Alias
	}
	if paths.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 1; i < len(paths.Content) && n <= MaxOperations; i += 2 {
		item := paths.Content[i]
		if item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		if item.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			if methods[item.Content[j].Value] {
				n++
			}
		}
	}
	return n
}

// topMember is one member of a document's top-level mapping, as sniff reads it.
type topMember struct {
	isString bool
	value    string // the string, when isString
	text     string // the value as written, for messages
}

func sniffJSON(doc []byte) (map[string]topMember, json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, nil, fmt.Errorf("is JSON but not an object (found a JSON %s), so not an OpenAPI document", typeErr.Value)
		}
		return nil, nil, fmt.Errorf("is not JSON: %v", err)
	}
	top := make(map[string]topMember, len(raw))
	for k, v := range raw {
		m := topMember{}
		if k == "openapi" || k == "swagger" { // the only members whose value a message quotes
			m.text = string(v)
			m.isString = json.Unmarshal(v, &m.value) == nil
		}
		top[k] = m
	}
	return top, raw["paths"], nil
}

// sniffYAML reads the keys of a YAML document's top-level mapping. Only the
// node tree is built: aliases are not expanded, tags not resolved beyond
// telling a string from another scalar.
func sniffYAML(doc []byte) (map[string]topMember, *yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, nil, fmt.Errorf("is neither JSON nor YAML: %v", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("is YAML (or plain text) but not a mapping, so not an OpenAPI document")
	}
	var paths *yaml.Node
	m := root.Content[0]
	top := make(map[string]topMember, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		member := topMember{text: v.Value}
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
			member.isString, member.value = true, v.Value
		}
		top[k.Value] = member
		if k.Value == "paths" {
			paths = v
		}
	}
	return top, paths, nil
}

// serverPathOf is the path of the first server's URL, its variables set to
// their defaults, without a trailing slash ("" for none or /).
func serverPathOf(servers openapi3.Servers) (string, error) {
	if len(servers) == 0 || servers[0] == nil {
		return "", nil
	}
	raw := servers[0].URL
	for name, v := range servers[0].Variables {
		if v != nil {
			raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("servers[0].url %q is not a URL: %v", servers[0].URL, err)
	}
	p := u.Path
	if u.Scheme == "" && u.Host == "" && p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p // relative to the document; taken from the host's root
	}
	return strings.TrimSuffix(p, "/"), nil
}

// scopeRank orders the known scopes; a stronger scope includes the weaker.
var scopeRank = map[string]int{ScopeRead: 1, ScopeReadWrite: 2}

// scopeOf applies the scope rules of Parse to one operation.
func scopeOf(op *openapi3.Operation, top openapi3.SecurityRequirements, topExplicit bool) (scope string, public, noSecurity bool, problems []string) {
	if v, ok := op.Extensions[ExtScope]; ok {
		s, isString := v.(string)
		if !isString || scopeRank[s] == 0 {
			return "", false, false, []string{fmt.Sprintf("%s must be %q or %q, got %s", ExtScope, ScopeRead, ScopeReadWrite, jsonText(v))}
		}
		return s, false, false, nil
	}
	reqs, said := top, topExplicit
	if op.Security != nil {
		reqs, said = *op.Security, true
	}
	if len(reqs) == 0 {
		return ScopeNone, true, !said, nil // no requirement: OpenAPI's default when nothing is said
	}
	weakest := 0
	for _, req := range reqs {
		if len(req) == 0 {
			return ScopeNone, true, false, nil // an empty alternative lets anyone in
		}
		strongest := 0
		for _, scopes := range req {
			for _, s := range scopes {
				strongest = max(strongest, scopeRank[s])
			}
		}
		if strongest == 0 {
			return ScopeUnknown, false, false, nil
		}
		if weakest == 0 || strongest < weakest {
			weakest = strongest
		}
	}
	if weakest == scopeRank[ScopeReadWrite] {
		return ScopeReadWrite, false, false, nil
	}
	return ScopeRead, false, false, nil
}

// limitOf reads ExtLimitPerMinute.
func limitOf(ext map[string]any) (int, []string) {
	v, ok := ext[ExtLimitPerMinute]
	if !ok {
		return 0, nil
	}
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case uint64:
		n = float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			f = -1
		}
		n = f
	default:
		n = -1
	}
	if n < 1 || n > math.MaxInt32 || n != math.Trunc(n) {
		return 0, []string{fmt.Sprintf("%s must be a positive whole number of requests, got %s", ExtLimitPerMinute, jsonText(v))}
	}
	return int(n), nil
}

// jsonText shows a decoded JSON value in a message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
