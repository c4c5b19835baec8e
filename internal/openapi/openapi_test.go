package openapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/reference"
)

// referenceOperations is what the reference server's document must yield:
// the six documented endpoints, their scopes, limits and example bodies.
var referenceOperations = []openapi.Operation{
	{Method: "POST", Path: "/companies/search", ServerPath: "/api/v1", OperationID: "search_companies", Scope: "read",
		HasBody: true, Body: []byte(`{"countries":["Germany"],"query":"conform probe"}`), LimitPerMinute: 60},
	{Method: "GET", Path: "/companies/{id}", ServerPath: "/api/v1", OperationID: "get_company", Params: []string{"id"}, Scope: "read", LimitPerMinute: 120},
	{Method: "GET", Path: "/credits", ServerPath: "/api/v1", OperationID: "get_credits", Scope: "read", LimitPerMinute: 60},
	{Method: "POST", Path: "/exports", ServerPath: "/api/v1", OperationID: "create_export", Scope: "read_write",
		HasBody: true, Body: []byte(`{"name":"conform probe","search_filters":{"countries":["Germany"],"employee_count_max":15}}`), LimitPerMinute: 5},
	{Method: "GET", Path: "/exports/{export_id}", ServerPath: "/api/v1", OperationID: "get_export", Params: []string{"export_id"}, Scope: "read", LimitPerMinute: 120},
	{Method: "POST", Path: "/exports/{export_id}/download", ServerPath: "/api/v1", OperationID: "download_export", Params: []string{"export_id"}, Scope: "read", LimitPerMinute: 30},
}

// petOperations is what both pets documents, 3.0 and 3.1, must yield.
var petOperations = []openapi.Operation{
	{Method: "POST", Path: "/pets", ServerPath: "/api/v1", OperationID: "create_pet", Scope: "read_write", LimitPerMinute: 10,
		HasBody: true, Body: []byte(`{"born":"2026-01-01","kind":"cat","name":"conform"}`)}, // no example: a placeholder
	{Method: "PATCH", Path: "/pets/{pet_id}", ServerPath: "/api/v1", OperationID: "update_pet", Params: []string{"pet_id"}, Scope: "read_write",
		HasBody: true, Body: []byte(`{"born":"2026-01-01","kind":"cat","name":"conform"}`)}, // its example breaks the enum: a placeholder
	{Method: "PUT", Path: "/pets/{pet_id}", ServerPath: "/api/v1", OperationID: "replace_pet", Params: []string{"pet_id"}, Scope: "read_write",
		HasBody: true, Body: []byte(`{"born":"2019-05-04","kind":"cat","name":"First"}`)}, // the first named example
	{Method: "GET", Path: "/pets/{pet_id}/photos/{photo_id}", ServerPath: "/api/v1", OperationID: "get_photo", Params: []string{"pet_id", "photo_id"}, Scope: "read", LimitPerMinute: 120},
	{Method: "POST", Path: "/pets/{pet_id}/photos/{photo_id}", ServerPath: "/api/v1", OperationID: "tag_photo", Params: []string{"pet_id", "photo_id"}, Scope: "read",
		HasBody: true, Body: []byte(`{"born":"2026-01-01","kind":"cat","name":"conform","tags":["00000000-0000-4000-8000-000000000000","00000000-0000-4000-8000-000000000000"],"weight":0.5}`)},
	{Method: "PUT", Path: "/pets/{pet_id}/photos/{photo_id}", ServerPath: "/api/v1", OperationID: "upload_photo", Params: []string{"pet_id", "photo_id"}, Scope: "read",
		HasBody: true}, // not JSON: no body to offer
}

func TestParseFindsEveryOperation(t *testing.T) {
	tests := []struct {
		name string
		doc  []byte
		want []openapi.Operation
	}{
		{"the reference server's document", reference.OpenAPIDocument(), referenceOperations},
		{"OpenAPI 3.0 with examples, allOf, nullable and server variables", readTestdata(t, "pets-3.0.json"), petOperations},
		{"the same API in OpenAPI 3.1", readTestdata(t, "pets-3.1.json"), petOperations},
		{"the same API in YAML", readTestdata(t, "pets-3.1.yaml"), petOperations},
		{"a small YAML document without security", readTestdata(t, "openapi.yaml"), []openapi.Operation{
			{Method: "GET", Path: "/credits", OperationID: "get_credits", Scope: "", Public: true, NoSecurity: true},
		}},
		{"top-level security, overridden to none per operation", readTestdata(t, "security-override.json"), []openapi.Operation{
			{Method: "GET", Path: "/greeting", ServerPath: "/v2", OperationID: "greeting", Scope: "", Public: true},
			{Method: "GET", Path: "/health", ServerPath: "/v2", OperationID: "health", Scope: "", Public: true, DeclaredPublic: true},
			{Method: "GET", Path: "/things", ServerPath: "/v2", OperationID: "list_things", Scope: "unknown"},
			{Method: "POST", Path: "/things", ServerPath: "/v2", OperationID: "create_thing", Scope: "read_write"}, // x-cornect-scope wins over []
		}},
		{"scopes given only by security requirements", readTestdata(t, "scopes-only.json"), []openapi.Operation{
			{Method: "GET", Path: "/admin", ServerPath: "/api/v1", OperationID: "admin", Scope: "unknown"},
			{Method: "GET", Path: "/anything", ServerPath: "/api/v1", OperationID: "anything", Scope: "unknown"},
			{Method: "GET", Path: "/items", ServerPath: "/api/v1", OperationID: "list_items", Scope: "read"},
			{Method: "POST", Path: "/items", ServerPath: "/api/v1", OperationID: "create_item", Scope: "read_write"},
			{Method: "DELETE", Path: "/items/{item_id}", ServerPath: "/api/v1", OperationID: "delete_item", Params: []string{"item_id"}, Scope: "read_write"},
			{Method: "GET", Path: "/items/{item_id}", ServerPath: "/api/v1", OperationID: "get_item", Params: []string{"item_id"}, Scope: "read"},
		}},
		{"top-level security explicitly none", readTestdata(t, "top-level-public.json"), []openapi.Operation{
			{Method: "GET", Path: "/closed", OperationID: "closed", Scope: "read"},
			{Method: "GET", Path: "/open", OperationID: "open", Scope: "", Public: true},
		}},
		{"no security anywhere: no requirement, so public, as OpenAPI reads it", readTestdata(t, "no-security.json"), []openapi.Operation{
			{Method: "GET", Path: "/status", OperationID: "status", Scope: "", Public: true, NoSecurity: true},
		}},
		{"no top-level security: an operation without its own is public, one with it is not", readTestdata(t, "fastapi-security.json"), []openapi.Operation{
			{Method: "GET", Path: "/api/v1/", OperationID: "index", Scope: "", Public: true, NoSecurity: true},
			{Method: "GET", Path: "/api/v1/credits", OperationID: "get_credits", Scope: "unknown"},
			{Method: "GET", Path: "/api/v1/open", OperationID: "open", Scope: "", Public: true, DeclaredPublic: true},
			{Method: "GET", Path: "/healthz", OperationID: "health", Scope: "", Public: true, NoSecurity: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := openapi.Parse(tt.doc, tt.name)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, bodiesAsText); diff != "" {
				t.Errorf("operations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRefusesWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		doc  []byte
		want []string // substrings of the error
	}{
		{"a JSON file that is not OpenAPI", readTestdata(t, "not-openapi.json"), []string{`no "openapi" version member`}},
		{"a Swagger 2.0 document", readTestdata(t, "swagger-2.0.json"), []string{"Swagger 2.0", "only OpenAPI 3"}},
		{"an HTML page", readTestdata(t, "not-json.html"), []string{"neither JSON nor YAML", "HTML"}},
		{"text that is neither JSON nor YAML", []byte("openapi: [3.1.0\npaths: {"), []string{"neither JSON nor YAML"}},
		{"YAML that is not a mapping", []byte("- openapi\n- 3.1.0\n"), []string{"not a mapping"}},
		{"plain text", []byte("Not Found"), []string{"not a mapping"}},
		{"a YAML version that is a number", []byte("openapi: 3.1\ninfo: {title: x, version: '1'}\npaths: {}\n"), []string{"version 3.1", "not a string", `"3.1.0"`}},
		{"a Swagger 2.0 document in YAML", []byte("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n"), []string{"Swagger 2.0"}},
		{"a YAML document whose aliases expand without end", billionLaughs(), []string{"alias"}},
		{"JSON that is not an object", []byte(`["openapi"]`), []string{"not an object"}},
		{"an empty file", []byte("  \n"), []string{"is empty"}},
		{"a version other than 3", []byte(`{"openapi": "4.0.0", "info": {"title": "x", "version": "1"}, "paths": {}}`), []string{`"4.0.0"`, "only 3.x"}},
		{"no operations", readTestdata(t, "no-paths.json"), []string{"no paths"}},
		{"a reference to a missing component", []byte(`{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"post": {"requestBody": {"$ref": "#/components/requestBodies/Missing"}}}}}`), []string{"Missing"}},
		{"wrong extension values, all reported", readTestdata(t, "bad-extensions.json"), []string{
			`GET /credits: x-cornect-scope must be "read" or "read_write", got "admin"`,
			`GET /credits: x-cornect-rate-limit-per-minute must be a positive whole number of requests, got "sixty"`,
			`POST /exports: x-cornect-rate-limit-per-minute must be a positive whole number of requests, got 2.5`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			source := tt.name
			ops, err := openapi.Parse(tt.doc, source)
			if err == nil {
				t.Fatalf("Parse succeeded with %d operations, want an error", len(ops))
			}
			if !strings.Contains(err.Error(), `"`+source+`"`) {
				t.Errorf("error %q does not name the source %q", err, source)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// TestParseNeverFollowsExternalReferences proves a hostile document cannot
// make conform read another file or send a request.
func TestParseNeverFollowsExternalReferences(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(readTestdata(t, "shared.json"))
	}))
	defer srv.Close()

	tests := []struct {
		name, ref string
	}{
		{"a URL", srv.URL + "/shared.json#/components/schemas/Pet"},
		{"a file beside the document", "shared.json#/components/schemas/Pet"},
		{"an absolute file path", filepath.Join(mustAbs(t, "testdata"), "shared.json") + "#/components/schemas/Pet"},
		{"a whole document", srv.URL + "/shared.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.ReplaceAll(string(readTestdata(t, "external-file-ref.json")), "shared.json#/components/schemas/Pet", tt.ref)
			_, err := openapi.Parse([]byte(doc), "hostile")
			if !errors.Is(err, openapi.ErrExternalRef) {
				t.Fatalf("Parse error = %v, want ErrExternalRef", err)
			}
			if !strings.Contains(err.Error(), tt.ref) {
				t.Errorf("error %q does not quote the reference %q", err, tt.ref)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests; references must never be fetched", n)
	}
	t.Run("through Load from a file, whose neighbour exists", func(t *testing.T) {
		_, err := openapi.Load(t.Context(), filepath.Join("testdata", "external-file-ref.json"), nil, 0)
		if !errors.Is(err, openapi.ErrExternalRef) {
			t.Fatalf("Load error = %v, want ErrExternalRef", err)
		}
	})
}

func TestWithinKeepsTheOperationsUnderTheBasePath(t *testing.T) {
	tests := []struct {
		name, doc, basePath string
		inside, outside     []string // METHOD path; outside's from the host's root
	}{
		{"paths that repeat the base path lose it; a route at the root is outside", "paths-with-prefix.json", "/api/v1",
			[]string{"GET /credits", "GET /exports/{export_id}"}, []string{"GET /healthz"}},
		{"a trailing slash on the base path changes nothing", "paths-with-prefix.json", "/api/v1/",
			[]string{"GET /credits", "GET /exports/{export_id}"}, []string{"GET /healthz"}},
		{"no servers, as FastAPI writes it: paths from the host's root", "fastapi-security.json", "/api/v1",
			[]string{"GET /", "GET /credits", "GET /open"}, []string{"GET /healthz"}},
		{"a server URL that is the base URL keeps the paths", "scopes-only.json", "/api/v1",
			[]string{"GET /admin", "GET /anything", "GET /items", "POST /items", "DELETE /items/{item_id}", "GET /items/{item_id}"}, nil},
		{"a base URL at the host's root gets the server path", "scopes-only.json", "/",
			[]string{"GET /api/v1/admin", "GET /api/v1/anything", "GET /api/v1/items", "POST /api/v1/items", "DELETE /api/v1/items/{item_id}", "GET /api/v1/items/{item_id}"}, nil},
		{"a server elsewhere than the base path puts everything outside", "scopes-only.json", "/v2",
			nil, []string{"GET /api/v1/admin", "GET /api/v1/anything", "GET /api/v1/items", "POST /api/v1/items", "DELETE /api/v1/items/{item_id}", "GET /api/v1/items/{item_id}"}},
		{"a base path shared only as a string prefix is not a base path", "paths-with-prefix.json", "/api/v",
			nil, []string{"GET /api/v1/credits", "GET /api/v1/exports/{export_id}", "GET /healthz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := openapi.Parse(readTestdata(t, tt.doc), tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			inside, outside := openapi.Within(ops, tt.basePath)
			var in, out []string
			for _, o := range inside {
				in = append(in, o.Method+" "+o.Path)
				if o.FullPath() != strings.TrimSuffix(tt.basePath, "/")+o.Path {
					t.Errorf("%s %s: full path %q, want it under %q", o.Method, o.Path, o.FullPath(), tt.basePath)
				}
			}
			for _, o := range outside {
				out = append(out, o.Method+" "+o.FullPath())
			}
			if diff := cmp.Diff(tt.inside, in); diff != "" {
				t.Errorf("inside (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.outside, out); diff != "" {
				t.Errorf("outside (-want +got):\n%s", diff)
			}
		})
	}
}

// billionLaughs is a small YAML document whose aliases, expanded, would
// hold 10^9 strings.
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.1.0\ninfo: {title: x, version: '1'}\n")
	b.WriteString(`x-0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "x-%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("paths:\n  /a:\n    get:\n      operationId: a\n      x-bomb: *l8\n")
	return []byte(b.String())
}

// bodiesAsText shows bodies as text in diffs and treats nil and empty alike.
var bodiesAsText = cmp.Transformer("body", func(b []byte) string { return string(b) })

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
