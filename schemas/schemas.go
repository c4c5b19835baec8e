package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// baseID is the prefix of every schema's $id; the rest of the $id is the
// schema's path in this directory, so an id tells where its file lives.
const baseID = "https://conform.cornect.dev/schemas/"

// EnvelopeID is the $id of the envelope schema every CAPI error body must
// satisfy, whatever its code.
const EnvelopeID = baseID + "error-envelope.schema.json"

// ReportID is the $id of the schema of conform's own JSON report
// (--json-report), schema_version 1.
const ReportID = baseID + "report.schema.json"

// codesDir holds one schema per documented code, named <code>.schema.json
// with the code spelled exactly as documented.
const codesDir = "codes"

// draft2020 is the only $schema the embedded schemas may declare.
const draft2020 = "https://json-schema.org/draft/2020-12/schema"

//go:embed error-envelope.schema.json report.schema.json codes/*.schema.json
var schemaFiles embed.FS

// embedded reads the embedded schemas on first use and compiles each the
// first time a body is validated against it: a run validates error bodies
// against the code schemas, never against the report schema, most of the
// compiling. Tests compile them all (load), so none can fail on use.
var embedded = sync.OnceValues(func() (*registry, error) {
	return read(schemaFiles)
})

// CodeSchemaID returns the $id of the schema for a documented code. The code
// must be spelled exactly as documented: "INSUFFICIENT_BALANCE" is not
// "insufficient_balance".
func CodeSchemaID(code string) (id string, ok bool) {
	reg, err := embedded()
	if err != nil {
		return "", false
	}
	id, ok = reg.codes[code]
	return id, ok
}

// IDs returns the $id of every embedded schema, sorted.
func IDs() []string {
	reg, err := embedded()
	if err != nil {
		return nil
	}
	return slices.Clone(reg.ids)
}

// Raw returns the text of the embedded schema with the given $id, for
// reports that show what a body was checked against.
func Raw(schemaID string) ([]byte, bool) {
	reg, err := embedded()
	if err != nil {
		return nil, false
	}
	raw, ok := reg.raw[schemaID]
	return bytes.Clone(raw), ok
}

// Validate checks a response body against the embedded schema with the given
// $id and returns every violation, or nil when the body is valid.
//
// Violations are the leaves of the validator's findings, sorted by instance
// location, then keyword, then message, without duplicates. A value of the
// wrong type gets exactly one violation ("detail" as a string is reported
// once, not once per property it lacks), and so does each missing property.
//
// It never panics: a body that is not JSON (empty, truncated, two values)
// gives one violation at "" with keyword "json", an unknown schema id one
// with keyword "schema". Safe for concurrent use.
func Validate(schemaID string, body []byte) []Violation {
	reg, err := embedded()
	if err != nil {
		return []Violation{{Keyword: "schema", Message: fmt.Sprintf("embedded schemas do not compile: %v", err)}}
	}
	return reg.validate(schemaID, body)
}

// registry is a set of schemas compiled together, so that they can $ref each
// other by $id and nothing else.
type registry struct {
	ids   []string          // sorted
	raw   map[string][]byte // by $id
	docs  map[string]any    // by $id, decoded, to quote keyword values in messages
	codes map[string]string // documented code → $id

	mu       sync.Mutex // guards compiler and schemas
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by $id, compiled so far
}

// load reads and compiles every *.schema.json in fsys (read).
func load(fsys fs.FS) (*registry, error) {
	reg, err := read(fsys)
	if err != nil {
		return nil, err
	}
	for _, id := range reg.ids {
		if _, err := reg.schema(id); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// schema is the compiled schema of an $id of the registry, compiled on
// first use.
func (r *registry) schema(id string) (*jsonschema.Schema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.schemas[id]; ok {
		return s, nil
	}
	s, err := r.compiler.Compile(id)
	if err != nil {
		// The library's load error does not unwrap to the loader's.
		var loadErr *jsonschema.LoadURLError
		if errors.As(err, &loadErr) {
			return nil, fmt.Errorf("compiling %q: loading %q: %w", id, loadErr.URL, loadErr.Err)
		}
		return nil, fmt.Errorf("compiling %q: %w", id, err)
	}
	r.schemas[id] = s
	return s, nil
}

// read reads every *.schema.json in fsys into a registry that compiles
// each on first use. Each file must declare draft 2020-12 and an $id equal
// to baseID plus its path; each file under codes/ must pin detail.code to
// its own file name. References to anything that is not in fsys are
// refused.
func read(fsys fs.FS) (*registry, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.AssertContent()
	c.UseLoader(refuseRemote{})

	reg := &registry{
		raw:     map[string][]byte{},
		docs:    map[string]any{},
		schemas: map[string]*jsonschema.Schema{},
		codes:   map[string]string{},
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(name, ".schema.json") {
			return nil
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		doc, err := decodeJSON(raw)
		if err != nil {
			return fmt.Errorf("decoding %q: %w", name, err)
		}
		id, err := checkHeader(name, doc)
		if err != nil {
			return err
		}
		if err := c.AddResource(id, doc); err != nil {
			return fmt.Errorf("adding %q: %w", name, err)
		}
		if path.Dir(name) == codesDir {
			code, err := pinnedCode(name, doc)
			if err != nil {
				return err
			}
			reg.codes[code] = id
		}
		reg.ids = append(reg.ids, id)
		reg.raw[id] = raw
		reg.docs[id] = doc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading schemas: %w", err)
	}
	slices.Sort(reg.ids)
	reg.compiler = c
	return reg, nil
}

// checkHeader returns the schema's $id after checking it matches the file's
// path and that the schema declares draft 2020-12.
func checkHeader(name string, doc any) (string, error) {
	obj, _ := doc.(map[string]any)
	if obj["$schema"] != draft2020 {
		return "", fmt.Errorf("%q: $schema must be %q, got %v", name, draft2020, obj["$schema"])
	}
	id, _ := obj["$id"].(string)
	if want := baseID + name; id != want {
		return "", fmt.Errorf("%q: $id must be %q, got %q", name, want, id)
	}
	return id, nil
}

// pinnedCode returns the code a code schema pins with const, which must be
// the file's name without ".schema.json".
func pinnedCode(name string, doc any) (string, error) {
	v, _ := lookup(doc, "/properties/detail/properties/code/const")
	code, ok := v.(string)
	want := strings.TrimSuffix(path.Base(name), ".schema.json")
	if !ok || code != want {
		return "", fmt.Errorf("%q: must pin detail.code with const %q, got %v", name, want, v)
	}
	return code, nil
}

// errNotEmbedded is why a reference to a schema outside the registry fails.
var errNotEmbedded = errors.New("only embedded schemas may be referenced")

// refuseRemote is the compiler's loader. Every embedded schema is added to the
// compiler beforehand, so the compiler only asks for what is not embedded:
// https, file and anything else is refused, and compiling never touches the
// network or the disk. (The draft 2020-12 meta-schemas are built into the
// library and never loaded.)
type refuseRemote struct{}

func (refuseRemote) Load(url string) (any, error) {
	return nil, fmt.Errorf("refusing to load %q: %w", url, errNotEmbedded)
}

func (r *registry) validate(id string, body []byte) []Violation {
	if _, ok := r.raw[id]; !ok {
		return []Violation{{Keyword: "schema", Message: fmt.Sprintf("unknown schema id %q", id)}}
	}
	s, err := r.schema(id)
	if err != nil {
		return []Violation{{Keyword: "schema", Message: fmt.Sprintf("embedded schemas do not compile: %v", err)}}
	}
	inst, err := decodeJSON(body)
	if err != nil {
		return []Violation{{Keyword: "json", Message: "body is not valid JSON: " + notJSON(body, err)}}
	}
	err = s.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Keyword: "schema", Message: fmt.Sprintf("validating against %q: %v", id, err)}}
	}
	return r.violations(ve, inst)
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty body")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// Only JSON white space may follow (RFC 8259 §2). Trimmed, not read
	// token by token: the decoder walks white space a byte at a time,
	// which for a body padded to the limit read was a tenth of a run.
	if len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errors.New("unexpected data after the top-level value")
	}
	return v, nil
}

// notJSON says why body is not JSON in the terms of the body, not of the
// decoder: "it starts with a UTF-8 byte order mark", "it starts with
// `Unauthorized`", "it ends before the JSON value does".
func notJSON(body []byte, err error) string {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	var syn *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return "the body is empty"
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return "it starts with a UTF-8 byte order mark, which a JSON text sent over a network must not have (RFC 8259 §8.1)"
	case !strings.ContainsRune(`{["-0123456789tfn`, rune(trimmed[0])):
		return "it starts with `" + quoteStart(trimmed) + "`"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends before the JSON value does (cut off?)"
	case errors.As(err, &syn):
		return fmt.Sprintf("at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "invalid character "))
	}
	return err.Error()
}

// quoteStart is the start of a body for a message: its first line, at
// most 40 characters, control characters and backticks shown as escapes.
func quoteStart(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	s := strings.ToValidUTF8(string(line), "\uFFFD")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '`' {
			return '?'
		}
		return r
	}, strings.TrimRight(s, "\r"))
}
