package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cornect/conform/internal/openapi"
)

// extraPath is the path of extra operation i with the given item id.
func extraPath(i int, itemID string) string {
	return v1 + extraPathPrefix + extraOperationName(i) + "/" + itemID
}

// clientOf gives request i a client address of its own, so that failed
// authentication does not run into the per-client limit.
func clientOf(i int) modifier { return fromIP(fmt.Sprintf("10.%d.%d.1", i/256, i%256)) }

func TestEveryExtraOperationAuthenticatesThenAnswers404(t *testing.T) {
	const n = 300
	e := newEnv(t, WithExtraOperations(n))
	for i := range n {
		path := extraPath(i, newUUID())
		e.do(http.MethodGet, path, "", "", clientOf(i)).expectError(t, http.StatusUnauthorized, "MISSING_AUTH_HEADER")
		e.do(http.MethodGet, path, RoleExpired, "", clientOf(i)).expectError(t, http.StatusUnauthorized, "TOKEN_EXPIRED")
		e.do(http.MethodGet, path, RoleRead, "", clientOf(i)).expectError(t, http.StatusNotFound, codeNotFound)
	}
}

// TestExtraOperationsAnswerLikeGetCompany holds the extra operations to the
// chain of a documented read endpoint: for every token state and malformed
// header, GET /companies/{unknown id} and an extra operation give the same
// status, code and challenge.
func TestExtraOperationsAnswerLikeGetCompany(t *testing.T) {
	const n = 10
	e := newEnv(t, WithExtraOperations(n))
	type answer struct {
		status          int
		code, challenge string
	}
	answerOf := func(r *result) answer {
		return answer{r.status, r.envelope(t).Detail.Code, r.header.Get("WWW-Authenticate")}
	}
	cases := map[string][]modifier{"no header": nil}
	for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer cornect_", "Bearer nope_abc", "Bearer cornect_guess", ""} {
		cases[fmt.Sprintf("Authorization %q", h)] = []modifier{setHeader("Authorization", h)}
	}
	cases["two Authorization headers"] = []modifier{withHeader("Authorization", "Bearer cornect_a"), withHeader("Authorization", "Bearer cornect_b")}
	for _, role := range TokenRoles() {
		cases[role] = []modifier{setHeader("Authorization", "Bearer "+e.tokens[role])}
	}
	i := 0
	for name, mods := range cases {
		t.Run(name, func(t *testing.T) {
			i++
			id := newUUID()
			want := answerOf(e.get("/companies/"+id, "", append(mods, clientOf(i))...))
			got := answerOf(e.do(http.MethodGet, extraPath(i%n, id), "", "", append(mods, clientOf(i))...))
			if got != want {
				t.Errorf("extra operation answered %+v, GET /companies/{id} %+v", got, want)
			}
		})
	}
}

func TestExtraOperationsCountAgainstTheUnauthenticatedLimit(t *testing.T) {
	e := newEnv(t, WithExtraOperations(5), WithUnauthenticatedLimit(3), WithRateWindow(30*time.Second))
	const ip = "203.0.113.9"
	id := newUUID()
	// Three failures of three kinds, on three operations.
	e.do(http.MethodGet, extraPath(0, id), "", "", fromIP(ip)).expectStatus(t, http.StatusUnauthorized)
	e.do(http.MethodGet, extraPath(1, id), RoleExpired, "", fromIP(ip)).expectStatus(t, http.StatusUnauthorized)
	e.do(http.MethodGet, extraPath(2, id), "", "", fromIP(ip), setHeader("Authorization", "Bearer cornect_guess")).expectStatus(t, http.StatusUnauthorized)

	r := e.do(http.MethodGet, extraPath(3, id), RoleRevoked, "", fromIP(ip))
	r.expectError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After %q, want 10 (3 per 30s)", got)
	}
	// The client's bucket is shared with the documented endpoints.
	e.get("/credits", "", fromIP(ip)).expectStatus(t, http.StatusTooManyRequests)
	// A valid token is not held back, and another client is not affected.
	e.do(http.MethodGet, extraPath(4, id), RoleRead, "", fromIP(ip)).expectStatus(t, http.StatusNotFound)
	e.do(http.MethodGet, extraPath(4, id), "", "", fromIP("198.51.100.1")).expectStatus(t, http.StatusUnauthorized)
}

func TestExtraOperationsHaveTheirOwnBucketPerToken(t *testing.T) {
	e := newEnv(t, WithExtraOperations(2))
	path := extraPath(0, newUUID())
	for i := range extraLimit {
		if r := e.do(http.MethodGet, path, RoleRead, ""); r.status != http.StatusNotFound {
			t.Fatalf("request %d: status %d, want 404", i+1, r.status)
		}
	}
	r := e.do(http.MethodGet, path, RoleRead, "")
	r.expectError(t, http.StatusTooManyRequests, codeRateLimited)
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	e.do(http.MethodGet, path, RoleReadWrite, "").expectStatus(t, http.StatusNotFound)
	e.do(http.MethodGet, extraPath(1, newUUID()), RoleRead, "").expectStatus(t, http.StatusNotFound)
	e.get("/companies/"+newUUID(), RoleRead).expectStatus(t, http.StatusNotFound)
}

func TestExtraOperationsRouteLikeTheOthers(t *testing.T) {
	e := newEnv(t, WithExtraOperations(3))
	id := newUUID()
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead} {
		want := e.do(method, v1+"/companies/"+id, RoleRead, "")
		got := e.do(method, extraPath(2, id), RoleRead, "")
		got.expectError(t, http.StatusMethodNotAllowed, codeMethodNotAllowed)
		if a, b := got.header.Get("Allow"), want.header.Get("Allow"); a != "GET" || a != b {
			t.Errorf("%s: Allow %q, want GET as GET /companies/{id} has (%q)", method, a, b)
		}
	}
	for _, path := range []string{
		extraPath(3, id),                 // one past the last
		v1 + "/extra/op2/" + id,          // not the op's name
		extraPath(0, ""),                 // no item id
		extraPath(0, id) + "/more",       // too long
		v1 + "/extra/" + id,              // too short
		"/api/v2/extra/op0000/" + id,     // another version
		v1 + "/extra/op0000/" + id + "/", // trailing slash
	} {
		e.do(http.MethodGet, path, RoleRead, "").expectError(t, http.StatusNotFound, codeNotFound)
	}
	newEnv(t).get(extraPathPrefix+extraOperationName(0)+"/"+id, RoleRead).expectError(t, http.StatusNotFound, codeNotFound)
}

func TestExtraOperationsNeedAValidNumber(t *testing.T) {
	for _, n := range []int{-1, maxExtraOperations + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, "WithExtraOperations") || !strings.Contains(msg, fmt.Sprint(n)) {
					t.Errorf("New panicked with %q, want the option and %d named", msg, n)
				}
			}()
			New(WithExtraOperations(n))
		})
	}
	if doc := New(WithExtraOperations(0)).openapi; !bytes.Equal(doc, openAPIDocument) {
		t.Errorf("with 0 extra operations the document is not the embedded one")
	}
}

func TestOpenAPIDocumentListsTheExtraOperations(t *testing.T) {
	const n = 40
	e := newEnv(t, WithExtraOperations(n))
	served := e.do(http.MethodGet, "/openapi.json", "", "")
	served.expectStatus(t, http.StatusOK)
	if again := e.get("/openapi.json", ""); !bytes.Equal(again.body, served.body) {
		t.Errorf("/api/v1/openapi.json and /openapi.json differ")
	}
	ops, err := openapi.Parse(served.body, "served openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	documented, err := openapi.Parse(openAPIDocument, "openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != len(documented)+n {
		t.Fatalf("%d operations, want %d documented and %d extra", len(ops), len(documented), n)
	}
	byID := map[string]openapi.Operation{}
	for _, o := range ops {
		byID[o.OperationID] = o
	}
	for i := range n {
		op := extraOperationName(i)
		o, ok := byID[extraOperationID(op)]
		if !ok {
			t.Errorf("%s is not documented", op)
			continue
		}
		rt := e.srv.extras[op]
		switch {
		case o.Method != rt.method || o.FullPath() != strings.Join(rt.pattern, "/"):
			t.Errorf("%s: documented as %s %s, routed as %s %s", op, o.Method, o.FullPath(), rt.method, strings.Join(rt.pattern, "/"))
		case o.Public || o.Scope != openapi.ScopeRead || o.LimitPerMinute != extraLimit:
			t.Errorf("%s: public %v, scope %q, limit %d; want read and %d", op, o.Public, o.Scope, o.LimitPerMinute, extraLimit)
		case !reflect.DeepEqual(o.Params, []string{extraItemParam}):
			t.Errorf("%s: path parameters %v", op, o.Params)
		}
	}

	// Security and error responses are declared as on GET /companies/{id}.
	var doc struct {
		Paths      map[string]map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(served.body, &doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Components.SecuritySchemes["cornectToken"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("security scheme cornectToken is %+v, want http bearer", s)
	}
	company := doc.Paths["/companies/{id}"]["get"]
	extra := doc.Paths[extraPathPrefix+extraOperationName(n-1)+"/{item_id}"]["get"]
	for _, key := range []string{"security", openapi.ExtScope} {
		if !bytes.Equal(extra[key], company[key]) {
			t.Errorf("%s: %s, GET /companies/{id} has %s", key, extra[key], company[key])
		}
	}
	var responses, companyResponses map[string]json.RawMessage
	_ = json.Unmarshal(extra["responses"], &responses)
	_ = json.Unmarshal(company["responses"], &companyResponses)
	for _, status := range []string{"401", "404", "429"} {
		if !bytes.Equal(responses[status], companyResponses[status]) {
			t.Errorf("response %s: %s, GET /companies/{id} has %s", status, responses[status], companyResponses[status])
		}
	}

	// The documented part is unchanged.
	var withExtras, embedded map[string]any
	_ = json.Unmarshal(served.body, &withExtras)
	_ = json.Unmarshal(openAPIDocument, &embedded)
	for path := range withExtras["paths"].(map[string]any) {
		if strings.HasPrefix(path, extraPathPrefix) {
			delete(withExtras["paths"].(map[string]any), path)
		}
	}
	if !reflect.DeepEqual(withExtras, embedded) {
		t.Errorf("adding the extra operations changed the rest of the document")
	}
}

func TestOpenAPIDocumentWithExtraOperationsIsValidOpenAPI31(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(New(WithExtraOperations(3)).openapi)
	if err != nil {
		t.Fatalf("loading: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Errorf("not a valid OpenAPI document: %v", err)
	}
}

// TestExtraDocumentKeepsTheEmbeddedLayout: the builder only inserts path
// items, so the rest of the document keeps its bytes.
func TestExtraDocumentKeepsTheEmbeddedLayout(t *testing.T) {
	doc, err := withExtraOperations(openAPIDocument, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, openAPIDocument) {
		t.Errorf("rebuilt with no extra operations, the document differs from the embedded one")
	}
	with, err := withExtraOperations(openAPIDocument, 1)
	if err != nil {
		t.Fatal(err)
	}
	item := ",\n    " + fmt.Sprintf(extraPathItem, extraOperationName(0))
	if !bytes.Contains(with, []byte(item)) || !bytes.Equal(bytes.Replace(with, []byte(item), nil, 1), openAPIDocument) {
		t.Errorf("with one extra operation, the document is not the embedded one with its path item added")
	}
	if !json.Valid(with) {
		t.Errorf("with one extra operation, the document is not JSON")
	}
}

// TestSweepingTheServedDocument is what a sweep does: every operation the
// served document lists, called with a random id, answers 401 without a
// token and, with a read token, not 405 nor an unknown route's 404.
func TestSweepingTheServedDocument(t *testing.T) {
	e := newEnv(t, WithExtraOperations(100), WithUnauthenticatedLimit(1000))
	ops, err := openapi.Parse(e.get("/openapi.json", "").body, "served openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		path := o.FullPath()
		for _, p := range o.Params {
			path = strings.ReplaceAll(path, "{"+p+"}", newUUID())
		}
		e.do(o.Method, path, "", string(o.Body)).expectError(t, http.StatusUnauthorized, "MISSING_AUTH_HEADER")
		r := e.do(o.Method, path, RoleRead, string(o.Body))
		if r.status == http.StatusMethodNotAllowed || (r.status == http.StatusNotFound && strings.Contains(string(r.body), "nothing at this URL")) {
			t.Errorf("%s %s: %d %s", o.Method, path, r.status, short(r.body))
		}
	}
}

// TestRoutingManyExtraOperationsIsALookup: whichever extra operation a
// request names, routing considers it and the documented routes, no more;
// and routing to the last of 10,000 costs about what routing to the first
// does.
func TestRoutingManyExtraOperationsIsALookup(t *testing.T) {
	s := New(WithExtraOperations(maxExtraOperations))
	id := newUUID()
	first, last := extraPath(0, id), extraPath(maxExtraOperations-1, id)
	for _, path := range []string{first, last} {
		considered := 0
		for range s.candidates(strings.Split(path, "/")) {
			considered++
		}
		if considered > len(s.routes)+1 {
			t.Errorf("%s: routing considered %d routes, want at most %d", path, considered, len(s.routes)+1)
		}
		if rt, _, err := s.match(http.MethodGet, path); err != nil || rt.handle == nil {
			t.Fatalf("%s: not routed: %v", path, err)
		}
	}
	cost := func(path string) time.Duration {
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			for range 2000 {
				_, _, _ = s.match(http.MethodGet, path)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	if a, b := cost(first), cost(last); b > 10*a {
		t.Errorf("routing to the last extra operation took %v, to the first %v", b, a)
	}
}

func BenchmarkExtraOperation(b *testing.B) {
	s := New(WithExtraOperations(maxExtraOperations), WithUnauthenticatedLimit(1<<30))
	id := newUUID()
	for _, i := range []int{0, maxExtraOperations - 1} {
		path := extraPath(i, id)
		b.Run(fmt.Sprintf("route/%s", extraOperationName(i)), func(b *testing.B) {
			for b.Loop() {
				_, _, _ = s.match(http.MethodGet, path)
			}
		})
	}
	b.Run("route/documented", func(b *testing.B) {
		for b.Loop() {
			_, _, _ = s.match(http.MethodGet, v1+"/companies/"+id)
		}
	})
}
