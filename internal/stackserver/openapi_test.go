package stackserver

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cornect/conform/internal/reference"
)

// load fetches a document the server serves and loads it with kin-openapi.
func load(t *testing.T, s *Server, path string) *openapi3.T {
	t.Helper()
	r := send(client(t), s, "GET", path, "", "")
	r.expectStatus(t, 200)
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", path, err)
	}
	return doc
}

// TestFastAPIDocumentLoadsAndLooksLikeFastAPIs: the document at the root
// loads with kin-openapi and has what FastAPI generates: /healthz, full
// paths, no servers, HTTPBearer without scopes, FastAPI's parameter names.
func TestFastAPIDocumentLoadsAndLooksLikeFastAPIs(t *testing.T) {
	s := start(t, WithFastAPIDocs(true))
	doc := load(t, s, "/openapi.json")
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if len(doc.Servers) != 0 {
		t.Errorf("servers %v, want none", doc.Servers)
	}
	if len(doc.Security) != 0 {
		t.Errorf("top-level security %v, want none", doc.Security)
	}
	health := doc.Paths.Find("/healthz")
	if health == nil || health.Get == nil {
		t.Fatalf("no GET /healthz")
	}
	if health.Get.Security != nil {
		t.Errorf("GET /healthz has security %v, want none", *health.Get.Security)
	}
	scheme := doc.Components.SecuritySchemes["HTTPBearer"]
	if scheme == nil || scheme.Value.Type != "http" || scheme.Value.Scheme != "bearer" {
		t.Fatalf("securitySchemes.HTTPBearer is %+v, want http bearer", scheme)
	}
	for _, path := range []string{"/api/v1/credits", "/api/v1/companies/{company_id}", "/api/v1/exports/{export_id}/download"} {
		item := doc.Paths.Find(path)
		if item == nil {
			t.Errorf("no path %s", path)
			continue
		}
		for method, op := range item.Operations() {
			if op.Security == nil || len(*op.Security) != 1 {
				t.Errorf("%s %s: security %v, want [{HTTPBearer: []}]", method, path, op.Security)
				continue
			}
			if scopes, ok := (*op.Security)[0]["HTTPBearer"]; !ok || len(scopes) != 0 {
				t.Errorf("%s %s: security %v, want HTTPBearer without scopes", method, path, (*op.Security)[0])
			}
		}
	}
	params := func(path string) []string {
		var names []string
		for _, op := range doc.Paths.Find(path).Operations() {
			for _, p := range op.Parameters {
				if p.Value.In == "path" {
					names = append(names, p.Value.Name)
				}
			}
		}
		return names
	}
	if got := params("/api/v1/companies/{company_id}"); !slices.Equal(got, []string{"company_id"}) {
		t.Errorf("path parameters of /api/v1/companies/{company_id}: %v", got)
	}
	if got := params("/api/v1/exports/{export_id}"); !slices.Equal(got, []string{"export_id"}) {
		t.Errorf("path parameters of /api/v1/exports/{export_id}: %v", got)
	}
}

// TestFastAPIDocumentListsEveryRoute holds the document to the router, as
// FastAPI generates it from the routes: every route but the documents
// themselves, and nothing else.
func TestFastAPIDocumentListsEveryRoute(t *testing.T) {
	s := New(WithFastAPIDocs(true))
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	undocumented := []string{"GET /openapi.json", "GET /openapi.yaml", "GET /docs", "GET /redoc"}
	var routed []string
	for _, key := range s.Routes() {
		if !slices.Contains(undocumented, key) {
			routed = append(routed, key)
		}
	}
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("documented:\n  %s\nrouted:\n  %s", strings.Join(documented, "\n  "), strings.Join(routed, "\n  "))
	}
}

// TestFastAPIDocumentAsYAML: /openapi.yaml is the same document.
func TestFastAPIDocumentAsYAML(t *testing.T) {
	s := start(t, WithFastAPIDocs(true))
	r := send(client(t), s, "GET", "/openapi.yaml", "", "")
	r.expectStatus(t, 200)
	if strings.HasPrefix(strings.TrimSpace(string(r.body)), "{") {
		t.Errorf("/openapi.yaml is JSON, want block YAML: %.80s", r.body)
	}
	fromJSON, _ := json.Marshal(load(t, s, "/openapi.json"))
	fromYAML, _ := json.Marshal(load(t, s, "/openapi.yaml"))
	if string(fromJSON) != string(fromYAML) {
		t.Errorf("/openapi.yaml and /openapi.json differ")
	}
}

// TestFastAPIPublicRoutes: the documents, the docs pages and /healthz need
// no token.
func TestFastAPIPublicRoutes(t *testing.T) {
	s := start(t, WithFastAPIDocs(true))
	c := client(t)
	for path, contentType := range map[string]string{
		"/docs":         "text/html; charset=utf-8",
		"/redoc":        "text/html; charset=utf-8",
		"/openapi.json": "application/json",
		"/openapi.yaml": "application/yaml",
		"/healthz":      "application/json",
	} {
		r := send(c, s, "GET", path, "", "")
		r.expectStatus(t, 200)
		if got := r.header.Get("Content-Type"); got != contentType {
			t.Errorf("%s: Content-Type %q, want %q", path, got, contentType)
		}
	}
	if r := send(c, s, "GET", "/healthz", "", ""); string(r.body) != `{"status":"ok"}` {
		t.Errorf("/healthz: %s", r.body)
	}
	if r := send(c, s, "GET", "/docs", "", ""); !strings.Contains(string(r.body), "SwaggerUIBundle") {
		t.Errorf("/docs is not Swagger UI: %.200s", r.body)
	}
	send(c, s, "GET", "/api/v1/openapi.json", "", "").expectError(t, 404, "NOT_FOUND")
}

// TestWithoutFastAPIDocsTheReferencesDocumentIsServed.
func TestWithoutFastAPIDocsTheReferencesDocumentIsServed(t *testing.T) {
	s := start(t)
	c := client(t)
	for _, path := range []string{"/openapi.json", "/api/v1/openapi.json"} {
		r := send(c, s, "GET", path, "", "")
		r.expectStatus(t, 200)
		if string(r.body) != string(reference.OpenAPIDocument()) {
			t.Errorf("%s is not the reference's document", path)
		}
	}
	send(c, s, "GET", "/healthz", "", "").expectError(t, 404, "NOT_FOUND")
	send(c, s, "GET", "/docs", "", "").expectError(t, 404, "NOT_FOUND")
}
