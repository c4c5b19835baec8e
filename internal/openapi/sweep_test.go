package openapi_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
)

// sweepDoc is a FastAPI-style document (no servers: paths from the host's
// root) of an API at /api/v1: one operation of the contract with its
// parameter named apart and a scope the contract does not give it, one of
// the document's own, one that forgot its security, one declared public,
// one the profile lists as public, and a route outside the API.
const sweepDoc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
  "paths": {
    "/api/v1/companies/{company_id}": {"get": {"operationId": "company", "security": [{"bearer": []}], "x-cornect-scope": "read_write", "responses": {"200": {"description": "ok"}}}},
    "/api/v1/widgets": {"post": {"operationId": "make_widget", "security": [{"bearer": []}], "x-cornect-scope": "read_write",
      "requestBody": {"content": {"text/plain": {}}}, "responses": {"200": {"description": "ok"}}}},
    "/api/v1/forgot": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/api/v1/status": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}},
    "/api/v1/ping": {"get": {"security": [{"bearer": []}], "responses": {"200": {"description": "ok"}}}},
    "/healthz": {"get": {"responses": {"200": {"description": "ok"}}}}
  }
}`

func mergeDoc(t *testing.T, doc string, prof *fixtures.Profile) (*openapi.Sweep, error) {
	t.Helper()
	ops, err := openapi.Parse([]byte(doc), "doc.json")
	if err != nil {
		t.Fatal(err)
	}
	return openapi.Merge(ops, "doc.json", "https://api.example.com/api/v1", prof)
}

func sweptKeys(s *openapi.Sweep) []string {
	var keys []string
	for _, e := range s.Ops {
		keys = append(keys, e.Key())
	}
	return keys
}

func TestMergeKeepsTheContractAndAddsTheDocument(t *testing.T) {
	prof := fixtures.Default()
	prof.Public = []string{"GET /ping"}
	s, err := mergeDoc(t, sweepDoc, prof)
	if err != nil {
		t.Fatal(err)
	}
	keys := sweptKeys(s)
	// Every operation of the contract is swept, in the document or not.
	for _, e := range prof.Endpoints {
		if !slices.Contains(keys, e.Key()) {
			t.Errorf("the contract's %s is not swept: %v", e.Key(), keys)
		}
	}
	byKey := map[string]fixtures.Endpoint{}
	for _, e := range s.Ops {
		byKey[e.Key()] = e
	}
	// The contract's operation keeps the contract's template and scope.
	contract, _ := prof.Endpoint("get_company")
	if got := byKey[contract.Key()]; got.Path != contract.Path || got.Scope != contract.Scope || got.LimitPerMinute != contract.LimitPerMinute {
		t.Errorf("the contract's operation became %+v, want the profile's %+v", got, contract)
	}
	// The document's own: its scope, a body where it has one, its ID.
	w, ok := byKey["POST /widgets"]
	if !ok || w.Scope != openapi.ScopeReadWrite || string(w.Body) != "{}" || w.ID != "make_widget" || w.Doc != "doc.json" {
		t.Errorf("the document's operation: %+v, %v", w, ok)
	}
	// A route that forgot its security is swept, for the auth checks only.
	if f, ok := byKey["GET /forgot"]; !ok || f.Scope != openapi.ScopeUnknown || f.ID != "GET /forgot" {
		t.Errorf("the operation without security: %+v, %v; want it swept with scope unknown", f, ok)
	}
	// Declared public (security []), public by the profile, or outside the
	// API: never swept.
	for _, k := range []string{"GET /status", "GET /ping", "GET /healthz"} {
		if slices.Contains(keys, k) {
			t.Errorf("%s is swept", k)
		}
	}
	notes := strings.Join(s.Notes(), "\n")
	for _, want := range []string{
		"1 operation of the OpenAPI document outside the API's base path /api/v1: out of scope, never probed: GET /healthz",
		"2 operations declared public (security [] on the operation, or the profile's public list), not swept: GET /api/v1/ping, GET /api/v1/status",
		"1 operation with no security requirement in the OpenAPI document, swept all the same",
		"GET /companies/{id} (GET /api/v1/companies/{company_id} in the OpenAPI document): the document says scope read_write, the contract scope read; checked as the contract says",
		"5 operations of the contract not in the OpenAPI document, swept all the same",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes do not say %q:\n%s", want, notes)
		}
	}
	var dry bytes.Buffer
	s.Print(&dry, false)
	for _, want := range []string{"would sweep  GET /companies/{id}  scope read  the contract's; GET /api/v1/companies/{company_id} in the document", "public  GET /api/v1/status", "out of scope  GET /healthz"} {
		if !strings.Contains(collapse(dry.String()), want) {
			t.Errorf("the dry run does not list %q:\n%s", want, dry.String())
		}
	}
}

// collapse turns every run of spaces into two, as tabwriter pads.
func collapse(s string) string {
	for strings.Contains(s, "   ") {
		s = strings.ReplaceAll(s, "   ", "  ")
	}
	return s
}

func TestMergeRefusesADocumentWithNothingToSweep(t *testing.T) {
	for _, tt := range []struct{ name, doc, want string }{
		{"nothing under the base path", `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
			"paths": {"/healthz": {"get": {"responses": {"200": {"description": "ok"}}}}}}`,
			"no operation of it is under the base URL's path /api/v1 (it has 1 operation: GET /healthz)"},
		{"everything public", `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
			"paths": {"/api/v1/status": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}}}}`,
			"every operation under /api/v1 is declared public"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mergeDoc(t, tt.doc, fixtures.Default())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error that says %q", err, tt.want)
			}
		})
	}
}

// TestMergeTakesAnOperationOnce: the same operation of the contract twice,
// its parameters named apart, is swept once.
func TestMergeTakesAnOperationOnce(t *testing.T) {
	doc := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "servers": [{"url": "/api/v1"}],
		"paths": {
			"/companies/{a}": {"get": {"responses": {"200": {"description": "ok"}}}},
			"/companies/{b}": {"get": {"responses": {"200": {"description": "ok"}}}}}}`
	s, err := mergeDoc(t, doc, fixtures.Default())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range sweptKeys(s) {
		if k == "GET /companies/{id}" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("GET /companies/{id} swept %d times, want once: %v", n, sweptKeys(s))
	}
}
