package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// readFixture returns the content of testdata/name.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// codeID returns the schema id of a documented code or fails the test.
func codeID(t testing.TB, code string) string {
	t.Helper()
	id, ok := CodeSchemaID(code)
	if !ok {
		t.Fatalf("CodeSchemaID(%q): no schema", code)
	}
	return id
}

// rawDoc decodes the embedded schema with the given id.
func rawDoc(t *testing.T, id string) map[string]any {
	t.Helper()
	raw, ok := Raw(id)
	if !ok {
		t.Fatalf("Raw(%q): not embedded", id)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decoding %q: %v", id, err)
	}
	return doc
}

// errorBody builds an error body with the given code; details and the
// unknown members are left out when nil.
func errorBody(t *testing.T, code string, details any, unknownDetail, unknownRoot map[string]any) []byte {
	t.Helper()
	detail := map[string]any{"code": code, "message": "Something about " + code + "."}
	if details != nil {
		detail["details"] = details
	}
	for k, v := range unknownDetail {
		detail[k] = v
	}
	root := map[string]any{"detail": detail}
	for k, v := range unknownRoot {
		root[k] = v
	}
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEnvelopeAndInsufficientScopeAcceptTheErrorsPageExample(t *testing.T) {
	body := readFixture(t, "errors-page-example.json")
	for _, id := range []string{EnvelopeID, codeID(t, "INSUFFICIENT_SCOPE")} {
		t.Run(id, func(t *testing.T) {
			if got := Validate(id, body); got != nil {
				t.Errorf("Validate: %v, want no violations", got)
			}
		})
	}
}

func TestEnvelopeAndCodeSchemasAcceptEveryDocumentedCode(t *testing.T) {
	for _, c := range Codes() {
		var details map[string]any = map[string]any{"request_id": "req_123"}
		if c.Code == "INSUFFICIENT_SCOPE" {
			details = map[string]any{"token_scope": "read", "required": "read_write", "endpoint": "POST /exports"}
		}
		unknownDetail := map[string]any{"request_id": "req_123", "doc_url": "https://cornect.io/docs/api/errors"}
		unknownRoot := map[string]any{"trace_id": "abc", "errors": []any{1, 2}}
		bodies := []struct {
			name string
			body []byte
		}{
			{"code and message", errorBody(t, c.Code, nil, nil, nil)},
			{"with details", errorBody(t, c.Code, details, nil, nil)},
			{"with unknown members in detail and at the root", errorBody(t, c.Code, nil, unknownDetail, unknownRoot)},
			{"with details and unknown members", errorBody(t, c.Code, details, unknownDetail, unknownRoot)},
			{"with details null, as FastAPI sends an unset optional member", []byte(`{"detail":{"code":"` + c.Code + `","message":"m","details":null}}`)},
		}
		for _, b := range bodies {
			for _, id := range []string{EnvelopeID, codeID(t, c.Code)} {
				t.Run(c.Code+"/"+b.name+"/"+filepath.Base(id), func(t *testing.T) {
					if got := Validate(id, b.body); got != nil {
						t.Errorf("Validate(%s): %v, want no violations", b.body, got)
					}
				})
			}
		}
	}
}

func TestEverySchemaAcceptsItsOwnExamples(t *testing.T) {
	for _, id := range IDs() {
		t.Run(filepath.Base(id), func(t *testing.T) {
			examples, _ := rawDoc(t, id)["examples"].([]any)
			if len(examples) == 0 {
				t.Fatal("schema has no examples")
			}
			for i, ex := range examples {
				body, err := json.Marshal(ex)
				if err != nil {
					t.Fatal(err)
				}
				if got := Validate(id, body); got != nil {
					t.Errorf("example %d: %v, want no violations", i, got)
				}
			}
		})
	}
}

// want is the part of a violation a test pins: KeywordLocation is checked
// only when set, Message by substring.
type want struct {
	loc, keyword, msg, kwloc string
}

func checkViolations(t *testing.T, got []Violation, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d violations, want %d:\n%s", len(got), len(wants), lines(got))
	}
	for i, w := range wants {
		g := got[i]
		if g.InstanceLocation != w.loc || g.Keyword != w.keyword || !strings.Contains(g.Message, w.msg) {
			t.Errorf("violation %d = %s\nwant at %q keyword %q message containing %q", i, g, w.loc, w.keyword, w.msg)
		}
		if w.kwloc != "" && g.KeywordLocation != w.kwloc {
			t.Errorf("violation %d keyword location = %q, want %q", i, g.KeywordLocation, w.kwloc)
		}
	}
}

func lines(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s [%s]\n", v, v.KeywordLocation)
	}
	return b.String()
}

func TestValidateRejectsWithAPreciseViolation(t *testing.T) {
	expired := codeID(t, "TOKEN_EXPIRED")
	scope := codeID(t, "INSUFFICIENT_SCOPE")
	balance := codeID(t, "insufficient_balance")
	tests := []struct {
		name    string
		schema  string
		body    string
		fixture string // read from testdata/ instead of body
		want    want
	}{
		{
			name: "a body without detail", schema: EnvelopeID, body: `{}`,
			want: want{"", "required", `missing required property "detail"`, EnvelopeID + "#/required"},
		},
		{
			name: "detail as a string (Starlette's default 404)", schema: EnvelopeID, fixture: "starlette-404.json",
			want: want{"/detail", "type", `expected object, got string "Not Found"`, EnvelopeID + "#/properties/detail/type"},
		},
		{
			name: "detail as a string against a code schema, without a cascade", schema: expired, fixture: "starlette-404.json",
			want: want{"/detail", "type", "expected object, got string", ""},
		},
		{
			name: "detail as an array (FastAPI's default 422)", schema: EnvelopeID, fixture: "fastapi-422.json",
			want: want{"/detail", "type", "expected object, got array", ""},
		},
		{
			name: "detail as an array against a code schema, without a cascade", schema: scope, fixture: "fastapi-422.json",
			want: want{"/detail", "type", "expected object, got array", ""},
		},
		{
			name: "a flat code and message without detail", schema: expired, fixture: "flat-envelope.json",
			want: want{"", "required", `missing required property "detail"`, ""},
		},
		{
			name: "detail without message", schema: EnvelopeID, body: `{"detail":{"code":"TOKEN_EXPIRED"}}`,
			want: want{"/detail", "required", `missing required property "message"`, EnvelopeID + "#/properties/detail/required"},
		},
		{
			name: "code as a number", schema: EnvelopeID, body: `{"detail":{"code":401,"message":"Token expired."}}`,
			want: want{"/detail/code", "type", "expected string, got number 401", ""},
		},
		{
			name: "code as a number against a code schema, type only", schema: expired, body: `{"detail":{"code":401,"message":"Token expired."}}`,
			want: want{"/detail/code", "type", "expected string, got number 401", ""},
		},
		{
			name: "an empty code", schema: EnvelopeID, body: `{"detail":{"code":"","message":"Token expired."}}`,
			want: want{"/detail/code", "minLength", "must not be empty", ""},
		},
		{
			name: "an empty message", schema: expired, body: `{"detail":{"code":"TOKEN_EXPIRED","message":""}}`,
			want: want{"/detail/message", "minLength", "must not be empty", EnvelopeID + "#/properties/detail/properties/message/minLength"},
		},
		{
			name: "details as a string", schema: EnvelopeID, body: `{"detail":{"code":"TOKEN_EXPIRED","message":"m","details":"none"}}`,
			want: want{"/detail/details", "type", `expected object or null, got string "none"`, ""},
		},
		{
			name: "details as a string against INSUFFICIENT_SCOPE, without a cascade", schema: scope,
			body: `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"m","details":"read"}}`,
			want: want{"/detail/details", "type", "expected object or null, got string", ""},
		},
		{
			name: "INSUFFICIENT_BALANCE against the lower-case insufficient_balance schema", schema: balance,
			body: `{"detail":{"code":"INSUFFICIENT_BALANCE","message":"Not enough credits."}}`,
			want: want{"/detail/code", "const", `must be "insufficient_balance", got "INSUFFICIENT_BALANCE"`, balance + "#/properties/detail/properties/code/const"},
		},
		{
			name: "token_expired against TOKEN_EXPIRED", schema: expired,
			body: `{"detail":{"code":"token_expired","message":"Token expired."}}`,
			want: want{"/detail/code", "const", `must be "TOKEN_EXPIRED", got "token_expired"`, ""},
		},
		{
			name: "another documented code against INSUFFICIENT_SCOPE", schema: scope,
			body: `{"detail":{"code":"INVALID_TOKEN","message":"Token not found."}}`,
			want: want{"/detail/code", "const", `must be "INSUFFICIENT_SCOPE", got "INVALID_TOKEN"`, ""},
		},
		{
			name: "INSUFFICIENT_SCOPE with token_scope admin", schema: scope,
			body: `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"m","details":{"token_scope":"admin","required":"read_write"}}}`,
			want: want{"/detail/details/token_scope", "enum", `must be one of "read", "read_write", got "admin"`, ""},
		},
		{
			name: "INSUFFICIENT_SCOPE details without required", schema: scope,
			body: `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"m","details":{"token_scope":"read"}}}`,
			want: want{"/detail/details", "required", `missing required property "required"`, scope + "#/properties/detail/properties/details/required"},
		},
		{
			name: "a JSON null body", schema: EnvelopeID, body: `null`,
			want: want{"", "type", "expected object, got null", ""},
		},
		{
			name: "a body that is not JSON", schema: EnvelopeID, body: `Not Found`,
			want: want{"", "json", "not valid JSON: it starts with `Not Found`", ""},
		},
		{
			name: "an empty body", schema: expired, body: ``,
			want: want{"", "json", "not valid JSON: the body is empty", ""},
		},
		{
			name: "two JSON values", schema: EnvelopeID, body: `{"detail":{"code":"X","message":"m"}} {}`,
			want: want{"", "json", "unexpected data after the top-level value", ""},
		},
		{
			name: "a value, white space, then another", schema: EnvelopeID, body: `{"detail":{"code":"X","message":"m"}}` + strings.Repeat(" \t\r\n", 1<<12) + `x`,
			want: want{"", "json", "unexpected data after the top-level value", ""},
		},
		{
			name: "a truncated body", schema: EnvelopeID, body: `{"detail":{"code":"X",`,
			want: want{"", "json", "not valid JSON: it ends before the JSON value does", ""},
		},
		{
			name: "an unknown schema id", schema: "https://conform.cornect.dev/schemas/nope.schema.json", body: `{}`,
			want: want{"", "schema", `unknown schema id "https://conform.cornect.dev/schemas/nope.schema.json"`, ""},
		},
		{
			name: "a code schema id in the wrong case", schema: baseID + "codes/token_expired.schema.json", body: `{}`,
			want: want{"", "schema", "unknown schema id", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if tc.fixture != "" {
				body = readFixture(t, tc.fixture)
			}
			checkViolations(t, Validate(tc.schema, body), []want{tc.want})
		})
	}
}

func TestValidateReportsEveryViolationInABody(t *testing.T) {
	expired := codeID(t, "TOKEN_EXPIRED")
	scope := codeID(t, "INSUFFICIENT_SCOPE")
	tests := []struct {
		name   string
		schema string
		body   string
		want   []want
	}{
		{
			name: "code a number and message empty", schema: EnvelopeID,
			body: `{"detail":{"code":401,"message":""}}`,
			want: []want{
				{"/detail/code", "type", "expected string, got number", ""},
				{"/detail/message", "minLength", "must not be empty", ""},
			},
		},
		{
			name: "code and message both missing", schema: expired,
			body: `{"detail":{}}`,
			want: []want{
				{"/detail", "required", `missing required property "code"`, ""},
				{"/detail", "required", `missing required property "message"`, ""},
			},
		},
		{
			name: "code in the wrong case, message empty, details a string", schema: expired,
			body: `{"detail":{"code":"token_expired","message":"","details":"x"}}`,
			want: []want{
				{"/detail/code", "const", `must be "TOKEN_EXPIRED", got "token_expired"`, ""},
				{"/detail/details", "type", "expected object or null, got string", ""},
				{"/detail/message", "minLength", "must not be empty", ""},
			},
		},
		{
			name: "INSUFFICIENT_SCOPE details empty", schema: scope,
			body: `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"m","details":{}}}`,
			want: []want{
				{"/detail/details", "required", `missing required property "required"`, ""},
				{"/detail/details", "required", `missing required property "token_scope"`, ""},
			},
		},
		{
			name: "INSUFFICIENT_SCOPE with both scopes out of the enum", schema: scope,
			body: `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"m","details":{"token_scope":"admin","required":1}}}`,
			want: []want{
				{"/detail/details/required", "enum", "got 1", ""},
				{"/detail/details/token_scope", "enum", `got "admin"`, ""},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, Validate(tc.schema, []byte(tc.body)), tc.want)
		})
	}
}

func TestValidateReportsTheSameBodyTheSameWayEveryTime(t *testing.T) {
	body := []byte(`{"detail":{"code":"token_expired","message":"","details":"x"}}`)
	first := Validate(codeID(t, "TOKEN_EXPIRED"), body)
	for range 50 {
		if got := Validate(codeID(t, "TOKEN_EXPIRED"), body); !slices.Equal(got, first) {
			t.Fatalf("order changed:\n%s\nthen\n%s", lines(first), lines(got))
		}
	}
}

func TestMessagesCutLongValues(t *testing.T) {
	long := strings.Repeat("x", 500)
	got := Validate(EnvelopeID, []byte(`{"detail":"`+long+`"}`))
	if len(got) != 1 || len(got[0].Message) > 100 || !strings.Contains(got[0].Message, "…") {
		t.Errorf("got %v, want one short message with an ellipsis", got)
	}
}

func TestRemoteReferencesAreRefused(t *testing.T) {
	t.Run("the loader refuses an https URL", func(t *testing.T) {
		doc, err := refuseRemote{}.Load("https://json-schema.org/draft/2020-12/schema")
		if doc != nil || !errors.Is(err, errNotEmbedded) || !strings.Contains(err.Error(), "https://json-schema.org") {
			t.Errorf("refuseRemote.Load = %v, %v; want nil and an error naming the URL", doc, err)
		}
	})
	refs := []struct{ name, ref string }{
		{"an https URL", "https://example.com/schemas/remote.schema.json"},
		{"a file URL", "file:///etc/passwd"},
		{"a relative path to a schema that is not embedded", "missing.schema.json"},
	}
	for _, r := range refs {
		t.Run("compiling a $ref to "+r.name+" fails", func(t *testing.T) {
			fsys := fstest.MapFS{"remote.schema.json": {Data: []byte(`{
				"$schema": "https://json-schema.org/draft/2020-12/schema",
				"$id": "https://conform.cornect.dev/schemas/remote.schema.json",
				"$ref": "` + r.ref + `"
			}`)}}
			_, err := load(fsys)
			if !errors.Is(err, errNotEmbedded) {
				t.Errorf("load: %v, want an error wrapping %q", err, errNotEmbedded)
			}
		})
	}
	t.Run("the embedded schemas compile with the refusing loader", func(t *testing.T) {
		// embedded compiles each schema on first use: all of them here.
		if _, err := load(schemaFiles); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoadEnforcesTheLayout(t *testing.T) {
	const draft = `"$schema": "https://json-schema.org/draft/2020-12/schema"`
	tests := []struct {
		name, file, schema, wantErr string
	}{
		{"an $id that is not the file's path", "a.schema.json", `{` + draft + `, "$id": "https://conform.cornect.dev/schemas/b.schema.json"}`, `$id must be "https://conform.cornect.dev/schemas/a.schema.json"`},
		{"a schema without $schema", "a.schema.json", `{"$id": "https://conform.cornect.dev/schemas/a.schema.json"}`, "$schema must be"},
		{"a schema of draft-07", "a.schema.json", `{"$schema": "http://json-schema.org/draft-07/schema#", "$id": "https://conform.cornect.dev/schemas/a.schema.json"}`, "$schema must be"},
		{"a code schema without const", "codes/X.schema.json", `{` + draft + `, "$id": "https://conform.cornect.dev/schemas/codes/X.schema.json"}`, `must pin detail.code with const "X"`},
		{"a code schema pinning another code", "codes/X.schema.json", `{` + draft + `, "$id": "https://conform.cornect.dev/schemas/codes/X.schema.json", "properties": {"detail": {"properties": {"code": {"const": "x"}}}}}`, `must pin detail.code with const "X", got x`},
		{"a file that is not JSON", "a.schema.json", `{`, "decoding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{tc.file: {Data: []byte(tc.schema)}})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("load: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestAdditionalPropertiesViolationsNameEachProperty(t *testing.T) {
	reg, err := load(fstest.MapFS{"closed.schema.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id": "https://conform.cornect.dev/schemas/closed.schema.json",
		"properties": {"detail": {
			"properties": {"code": {}},
			"patternProperties": {"^x-": {}},
			"additionalProperties": false
		}}
	}`)}})
	if err != nil {
		t.Fatal(err)
	}
	got := reg.validate(baseID+"closed.schema.json", []byte(`{"detail":{"code":"X","x-trace":1,"more":2,"extra":3}}`))
	checkViolations(t, got, []want{
		{"/detail", "additionalProperties", `property "extra" is not allowed`, baseID + "closed.schema.json#/properties/detail/additionalProperties"},
		{"/detail", "additionalProperties", `property "more" is not allowed`, ""},
	})
}

func TestCodeTableAndCodeSchemasAgree(t *testing.T) {
	for _, c := range Codes() {
		t.Run(c.Code+" has a schema pinning exactly its code", func(t *testing.T) {
			id := codeID(t, c.Code)
			if want := baseID + "codes/" + c.Code + ".schema.json"; id != want {
				t.Errorf("id = %q, want %q", id, want)
			}
			doc := rawDoc(t, id)
			if got, _ := lookup(doc, "/properties/detail/properties/code/const"); got != c.Code {
				t.Errorf("const = %v, want %q", got, c.Code)
			}
			if doc["$ref"] != EnvelopeID {
				t.Errorf("$ref = %v, want %q", doc["$ref"], EnvelopeID)
			}
			if doc["title"] != c.Code {
				t.Errorf("title = %v, want %q", doc["title"], c.Code)
			}
			desc, _ := doc["description"].(string)
			for _, s := range []string{fmt.Sprintf("HTTP %d", c.Status), c.When, CodesSource()} {
				if !strings.Contains(desc, s) {
					t.Errorf("description does not mention %q: %s", s, desc)
				}
			}
		})
	}
	t.Run("every code schema is for a documented code", func(t *testing.T) {
		var n int
		for _, id := range IDs() {
			if id == EnvelopeID || id == ReportID {
				continue
			}
			n++
			code, _ := lookup(rawDoc(t, id), "/properties/detail/properties/code/const")
			s, _ := code.(string)
			if _, ok := LookupCode(s); !ok {
				t.Errorf("%s pins %v, which the code table does not list", id, code)
			}
		}
		if n != len(Codes()) {
			t.Errorf("%d code schemas, %d documented codes", n, len(Codes()))
		}
	})
	t.Run("codes are looked up in their exact case", func(t *testing.T) {
		for _, code := range []string{"INSUFFICIENT_BALANCE", "token_expired", "", "NOT_FOUND"} {
			if id, ok := CodeSchemaID(code); ok {
				t.Errorf("CodeSchemaID(%q) = %q, want none", code, id)
			}
		}
	})
}

func TestCodeTableLookups(t *testing.T) {
	tests := []struct {
		code   string
		status int
	}{
		{"insufficient_balance", 402},
		{"INSUFFICIENT_SCOPE", 403},
		{"TOKEN_EXPIRED", 401},
		{"INSUFFICIENT_BALANCE", 0},
		{"token_expired", 0},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := StatusOf(tc.code); got != tc.status {
				t.Errorf("StatusOf = %d, want %d", got, tc.status)
			}
			if _, ok := LookupCode(tc.code); ok != (tc.status != 0) {
				t.Errorf("LookupCode found = %v, want %v", ok, tc.status != 0)
			}
		})
	}
	t.Run("Codes returns a copy", func(t *testing.T) {
		Codes()[0].Code = "CHANGED"
		if Codes()[0].Code == "CHANGED" {
			t.Error("changing the result of Codes changed the table")
		}
	})
	t.Run("the table cites the Errors page", func(t *testing.T) {
		if got := CodesSource(); got != "https://cornect.io/docs/api/errors" {
			t.Errorf("CodesSource = %q", got)
		}
	})
}

func TestIDsAndRawCoverEveryEmbeddedSchema(t *testing.T) {
	ids := IDs()
	if len(ids) != len(Codes())+2 || !slices.Contains(ids, EnvelopeID) || !slices.Contains(ids, ReportID) || !slices.IsSorted(ids) {
		t.Errorf("IDs = %v, want the envelope, the report and one schema per code, sorted", ids)
	}
	for _, id := range ids {
		t.Run(filepath.Base(id), func(t *testing.T) {
			if got := rawDoc(t, id)["$id"]; got != id {
				t.Errorf("$id = %v, want %q", got, id)
			}
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		if _, ok := Raw("https://example.com/x.json"); ok {
			t.Error("Raw found a schema that is not embedded")
		}
	})
	t.Run("callers cannot change the embedded text", func(t *testing.T) {
		raw, _ := Raw(EnvelopeID)
		raw[0] = 'X'
		if again, _ := Raw(EnvelopeID); again[0] == 'X' {
			t.Error("changing the result of Raw changed the schema")
		}
		IDs()[0] = "changed"
		if IDs()[0] == "changed" {
			t.Error("changing the result of IDs changed the registry")
		}
	})
}

func TestViolationString(t *testing.T) {
	tests := []struct {
		v    Violation
		want string
	}{
		{Violation{InstanceLocation: "", Keyword: "required", Message: `missing required property "detail"`}, `at (root): missing required property "detail" (required)`},
		{Violation{InstanceLocation: "/detail", Keyword: "required", Message: `missing required property "message"`}, `at /detail: missing required property "message" (required)`},
		{Violation{InstanceLocation: "/detail/code", Keyword: "const", Message: `must be "TOKEN_EXPIRED", got "token_expired"`}, `at /detail/code: must be "TOKEN_EXPIRED", got "token_expired" (const)`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.v.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateIsSafeForConcurrentUse(t *testing.T) {
	scope := codeID(t, "INSUFFICIENT_SCOPE")
	valid := readFixture(t, "errors-page-example.json")
	invalid := readFixture(t, "fastapi-422.json")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if got := Validate(scope, valid); got != nil {
					t.Errorf("valid body: %v", got)
					return
				}
				if got := Validate(scope, invalid); len(got) != 1 {
					t.Errorf("invalid body: %v", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkValidate(b *testing.B) {
	scope := codeID(b, "INSUFFICIENT_SCOPE")
	bodies := []struct {
		name string
		body string
	}{
		{"valid", `{"detail":{"code":"INSUFFICIENT_SCOPE","message":"This endpoint requires a read_write token.","details":{"token_scope":"read","required":"read_write"}}}`},
		{"invalid", `{"detail":{"code":401,"message":"","details":{"token_scope":"admin"}}}`},
	}
	for _, bb := range bodies {
		body := []byte(bb.body)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Validate(scope, body)
			}
		})
	}
}

// A body that is not JSON is said in the body's terms, not the decoder's.
func TestABodyThatIsNotJSONIsSaidInItsOwnTerms(t *testing.T) {
	for _, tt := range []struct {
		body, want string
	}{
		{"\xef\xbb\xbf{\"detail\":{}}", "body is not valid JSON: it starts with a UTF-8 byte order mark"},
		{"Unauthorized\n", "body is not valid JSON: it starts with `Unauthorized`"},
		{"<html><body>502 Bad Gateway</body></html>", "body is not valid JSON: it starts with `<html><body>502 Bad Gateway</body></html…`"},
		{"", "body is not valid JSON: the body is empty"},
		{`{"detail": {"code": "X"`, "body is not valid JSON: it ends before the JSON value does"},
	} {
		vs := Validate(EnvelopeID, []byte(tt.body))
		if len(vs) != 1 || !strings.HasPrefix(vs[0].Message, tt.want) {
			t.Errorf("body %q: %+v, want one violation saying %q", tt.body, vs, tt.want)
		}
		if len(vs) == 1 && strings.Contains(vs[0].Message, "invalid character") {
			t.Errorf("body %q: %q speaks the decoder's words", tt.body, vs[0].Message)
		}
	}
}

func TestViolationsOfPropertiesWithEscapedNames(t *testing.T) {
	// "a/b~c d" is escaped twice in the validator's schema locations: RFC
	// 6901 (~1, ~0) and URL path (%20). Both must be undone to quote the
	// schema's const, and the instance location is a plain JSON pointer.
	fsys := fstest.MapFS{"odd.schema.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id": "https://conform.cornect.dev/schemas/odd.schema.json",
		"properties": {"a/b~c d": {"const": "x"}}
	}`)}}
	reg, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := reg.validate("https://conform.cornect.dev/schemas/odd.schema.json", []byte(`{"a/b~c d": "y"}`))
	want := []Violation{{
		InstanceLocation: "/a~1b~0c d",
		KeywordLocation:  "https://conform.cornect.dev/schemas/odd.schema.json#/properties/a~1b~0c d/const",
		Keyword:          "const",
		Message:          `must be "x", got "y"`,
	}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestValidateAcceptsAValueFollowedByWhiteSpace(t *testing.T) {
	// RFC 8259 §2: white space may follow the value, however much.
	body := `{"detail":{"code":"X","message":"m"}}` + strings.Repeat(" \t\r\n", 1<<14)
	if vs := Validate(EnvelopeID, []byte(body)); len(vs) != 0 {
		t.Errorf("a valid envelope followed by 64 KiB of white space: %v", vs)
	}
}

// A run validates error bodies against the code schemas only: the
// embedded registry compiles a schema the first time a body is validated
// against it, and the report schema, most of the compiling, never in a run.
func TestTheEmbeddedSchemasCompileOnFirstUse(t *testing.T) {
	reg, err := read(schemaFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.schemas) != 0 {
		t.Fatalf("read compiled %d schemas; none should be before first use", len(reg.schemas))
	}
	id := codeID(t, "INVALID_TOKEN")
	if vs := reg.validate(id, []byte(`{"detail":{"code":"INVALID_TOKEN","message":"no"}}`)); len(vs) != 0 {
		t.Fatalf("a valid body: %v", vs)
	}
	if _, ok := reg.schemas[id]; !ok {
		t.Errorf("the schema validated against is not compiled")
	}
	if _, ok := reg.schemas[ReportID]; ok {
		t.Errorf("the report schema was compiled, though nothing was validated against it")
	}
	if vs := reg.validate(ReportID, []byte(`{}`)); len(vs) == 0 {
		t.Errorf("an empty report is valid against the report schema, compiled on use")
	}
}
