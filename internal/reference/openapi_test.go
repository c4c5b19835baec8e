package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cornect/conform/internal/openapi"
)

func TestOpenAPIDocumentIsValidOpenAPI31(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatalf("loading: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi is %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Errorf("not a valid OpenAPI document: %v", err)
	}
}

// TestOpenAPIDocumentMatchesRoutes holds the document to the router: every
// authenticated route is documented, with its scope and limit, and every
// documented operation is routed. Adding a route without documenting it
// fails here.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	ops, err := openapi.Parse(openAPIDocument, "openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		id, scope string
		limit     int
	}
	documented := map[string]entry{}
	for _, o := range ops {
		if o.Public {
			t.Errorf("%s %s is documented as public", o.Method, o.Path)
		}
		documented[o.Method+" "+o.ServerPath+o.Path] = entry{o.OperationID, o.Scope, o.LimitPerMinute}
	}
	routed := map[string]entry{}
	for _, rt := range routes() {
		if !rt.public {
			routed[rt.method+" "+strings.Join(rt.pattern, "/")] = entry{rt.id, string(rt.scope), rt.limit}
		}
	}
	for key, r := range routed {
		d, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("route %s (%s) is not in openapi.json", key, r.id)
		case d != r:
			t.Errorf("%s: openapi.json says %+v, the route %+v", key, d, r)
		}
	}
	for key := range documented {
		if _, ok := routed[key]; !ok {
			t.Errorf("openapi.json documents %s, which no route serves", key)
		}
	}
}

// TestOpenAPIScopesAgree checks that each operation's security requirement
// names the scope its x-cornect-scope gives, so that tools reading either
// see the same thing.
func TestOpenAPIScopesAgree(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	for _, item := range doc["paths"].(map[string]any) {
		for _, op := range item.(map[string]any) {
			delete(op.(map[string]any), openapi.ExtScope)
		}
	}
	withoutExtension, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	bySecurity, err := openapi.Parse(withoutExtension, "openapi.json without x-cornect-scope")
	if err != nil {
		t.Fatal(err)
	}
	byExtension, err := openapi.Parse(openAPIDocument, "openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range byExtension {
		if got := bySecurity[i].Scope; got != o.Scope {
			t.Errorf("%s %s: security requires %q, %s says %q", o.Method, o.Path, got, openapi.ExtScope, o.Scope)
		}
	}
}

func TestOpenAPIDocumentIsServedWithoutAuth(t *testing.T) {
	for _, path := range []string{"/openapi.json", v1 + "/openapi.json"} {
		t.Run(path, func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodGet, path, "", "")
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if !bytes.Equal(res.body, openAPIDocument) {
				t.Errorf("body is not the embedded document")
			}
			if res := e.do(http.MethodPost, path, "", ""); res.status != http.StatusMethodNotAllowed {
				t.Errorf("POST: status %d, want 405", res.status)
			}
		})
	}
}

// TestOpenAPIExampleBodiesAreAccepted sends each request body the document
// offers and expects success: a document whose examples the server refuses
// would mislead every client built from it.
func TestOpenAPIExampleBodiesAreAccepted(t *testing.T) {
	ops, err := openapi.Parse(openAPIDocument, "openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	for _, o := range ops {
		if !o.HasBody || len(o.Params) > 0 {
			continue
		}
		res := e.do(o.Method, o.ServerPath+o.Path, RoleReadWrite, string(o.Body))
		if res.status/100 != 2 {
			t.Errorf("%s %s with %s: status %d, want 2xx: %s", o.Method, o.Path, o.Body, res.status, res.body)
		}
	}
}
