package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/stackserver"
	"github.com/cornect/conform/suite"
)

// withForgetfulOperation serves the reference plus one more operation,
// GET /companies/{id}/contacts, that its OpenAPI document says needs a read
// token but whose handler forgets to authenticate: the classic bug a sweep
// over a sample of endpoints misses.
func withForgetfulOperation(t *testing.T) (*reference.Server, *httptest.Server) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(reference.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["paths"].(map[string]any)["/companies/{id}/contacts"] = map[string]any{
		"get": map[string]any{
			"operationId":                     "list_company_contacts",
			"security":                        []any{map[string]any{"cornectToken": []any{"read"}}},
			"x-cornect-scope":                 "read",
			"x-cornect-rate-limit-per-minute": 120,
			"parameters": []any{map[string]any{
				"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"},
			}},
			"responses": map[string]any{"200": map[string]any{"description": "the company's contacts"}},
		},
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		case strings.HasPrefix(r.URL.Path, "/api/v1/companies/") && strings.HasSuffix(r.URL.Path, "/contacts"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[]}`))
		default:
			ref.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return ref, srv
}

func TestOpenAPISweepCatchesTheOperationThatForgetsAuth(t *testing.T) {
	ref, srv := withForgetfulOperation(t)
	env := tokenEnv(ref.Tokens(), srv.URL+"/api/v1")
	dir := t.TempDir()

	// The profile does not know the operation: the sweep cannot see the bug.
	blind := runConform(t, env, "run", "--label-filter", "auth", "--json-report", filepath.Join(dir, "blind.json"))
	if blind.code != exitOK {
		t.Fatalf("without --openapi: exit %d, want 0 (the profile lacks the operation)\n%s", blind.code, blind.stdout)
	}

	// Spread (the default): the one operation the profile lacks gets one
	// auth check, the first, and that check fails on it. Full: every
	// auth check probes it, and fails.
	const op = "GET /companies/{id}/contacts"
	sweep := suite.SweepChecks()
	var res runResult
	for _, mode := range []string{"spread", "full"} {
		path := filepath.Join(dir, mode+".json")
		res = runConform(t, env, "run", "--label-filter", "auth", "--openapi", srv.URL+"/openapi.json", "--auth-coverage", mode, "--json-report", path)
		if res.code != exitViolations {
			t.Fatalf("with --openapi, %s: exit %d, want 1\n%s\n%s", mode, res.code, res.stdout, res.stderr)
		}
		r := readJSONReport(t, path)
		for _, c := range r.Checks {
			if !slices.Contains(sweep, c.ID) {
				continue // not a sweep of the operations
			}
			named := strings.Contains(c.Explanation(), "/companies/{id}/contacts")
			probes := mode == "full" || c.ID == sweep[0]
			if probes && (c.Status != report.Failed || !named) {
				t.Errorf("%s, %s: %s, want failed naming the contacts operation:\n%s", mode, c.Name(), c.Status, c.Explanation())
			}
			if !probes && c.Status != report.Passed {
				t.Errorf("%s, %s: %s, want passed (it does not probe the contacts operation)\n%s", mode, c.Name(), c.Status, c.Explanation())
			}
		}
		rows, _ := r.Coverage()
		if want := len(fixtures.Default().Endpoints) + 1; len(rows) != want {
			t.Errorf("%s: coverage has %d operations, want the document's %d (the profile's and the contacts operation)", mode, len(rows), want)
		}
		for _, row := range rows {
			want := report.Passed
			if row.Operation == op {
				want = report.Failed
			}
			if got := row.Checks[sweep[0]]; got != want {
				t.Errorf("%s: coverage of %s under %s: %s, want %s", mode, row.Operation, sweep[0], got, want)
			}
			for _, id := range sweep[1:] {
				if _, judged := row.Checks[id]; row.Operation == op && judged != (mode == "full") {
					t.Errorf("%s: %s judged %s: %v", mode, id, op, judged)
				}
			}
		}
	}
	if !strings.Contains(res.stdout, op) {
		t.Errorf("the console does not name %s", op)
	}
}

func TestOpenAPIOfTheReferenceCoversEveryOperation(t *testing.T) {
	ref, base := serveReference(t)
	path := filepath.Join(t.TempDir(), "r.json")
	env := tokenEnv(ref.Tokens(), base)
	res := runConform(t, env, "run", "--openapi", strings.TrimSuffix(base, "/api/v1")+"/openapi.json", "--json-report", path)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	rows, _ := readJSONReport(t, path).Coverage()
	if want := len(fixtures.Default().Endpoints); len(rows) != want {
		t.Fatalf("coverage has %d operations, want the profile's %d", len(rows), want)
	}
	for _, row := range rows {
		for _, id := range suite.SweepChecks() {
			if row.Checks[id] != report.Passed {
				t.Errorf("%s: %s is %q, want passed", row.Operation, id, row.Checks[id])
			}
		}
	}
}

func TestABadOpenAPIDocumentIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"not": "openapi"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(dir, "elsewhere.json")
	if err := os.WriteFile(elsewhere, []byte(`{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "servers": [{"url": "/v2"}],
		"security": [{"bearer": []}], "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, base := serveReference(t)
	for loc, want := range map[string]string{
		bad:                                "--openapi",
		filepath.Join(dir, "missing.json"): "--openapi",
		elsewhere:                          "no operation of it is under the base URL's path /api/v1 (it has 1 operation: GET /v2/things)",
	} {
		res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--openapi", loc)
		if res.code != exitUsage || !strings.Contains(res.stderr, want) {
			t.Errorf("%s: exit %d, want 2 with a message saying %q\n%s", loc, res.code, want, res.stderr)
		}
	}
}

// requestLog records the method and path of every request a server gets.
type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seen = append(l.seen, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen)
}

// fastAPIService serves the CAPI as a FastAPI app does, its document at
// the root (/openapi.json, /openapi.yaml) with every route of the app under
// its full path, and records what it is sent. It returns the server's root
// URL and the environment of a run against its base URL.
// indexPublic is a profile, the default's with the FastAPI service's index
// (GET /api/v1/, served to anyone) in its public list: FastAPI writes a
// route without a security dependency with no security at all, so only
// the profile can say that one is public on purpose.
func indexPublic(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	var prof map[string]any
	if err := json.Unmarshal(raw, &prof); err != nil {
		t.Fatal(err)
	}
	prof["public"] = []string{"GET /"}
	out, _ := json.Marshal(prof)
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fastAPIService(t *testing.T) (root string, env map[string]string, log *requestLog) {
	t.Helper()
	clock := &jumpClock{}
	app := stackserver.New(stackserver.WithFastAPIDocs(true), stackserver.WithClock(clock))
	t.Cleanup(app.Close)
	log = &requestLog{}
	srv := httptest.NewServer(log.wrap(app))
	t.Cleanup(srv.Close)
	shareClock(t, srv.URL+"/api/v1", clock)
	return srv.URL, tokenEnv(app.Tokens(), srv.URL+"/api/v1"), log
}

// TestOpenAPIOfAFastAPIServiceSweepsItsAPIOnly runs the whole suite with
// the document a FastAPI app serves: the routes outside the API's base
// path (/healthz, /files/{export_id}) are out of scope and never probed
// under it, its index, declared public in the profile, is not swept, and
// each operation the profile knows is one row of the coverage, under the
// profile's template.
func TestOpenAPIOfAFastAPIServiceSweepsItsAPIOnly(t *testing.T) {
	root, env, log := fastAPIService(t)
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, env, "run", "--profile", indexPublic(t), "--openapi", root+"/openapi.json", "--json-report", path)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	r := readJSONReport(t, path)
	rows, _ := r.Coverage()
	var ops []string
	for _, row := range rows {
		ops = append(ops, row.Operation)
	}
	slices.Sort(ops)
	want := []string{
		"GET /companies/search", "GET /companies/{id}", "GET /credits", "GET /exports/{export_id}",
		"POST /companies/search", "POST /exports", "POST /exports/{export_id}/download",
	}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("coverage rows (-want +got):\n%s", diff)
	}
	for _, row := range rows {
		if got := row.Checks["AUTH-MISSING"]; got != report.Passed {
			t.Errorf("%s under AUTH-MISSING: %q, want passed", row.Operation, got)
		}
	}
	for _, req := range log.requests() {
		for _, never := range []string{"/api/v1/healthz", "/api/v1/files/", "/api/v1/api/v1"} {
			if strings.Contains(req, never) {
				t.Errorf("conform sent %s, outside the API or under a doubled base path", req)
			}
		}
		if req == "GET /api/v1/" {
			t.Errorf("conform sent %s, which the profile declares public", req)
		}
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"GET /healthz", "GET /files/{export_id}", "out of scope", "GET /api/v1/", "declared public"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes do not say %q:\n%s", want, notes)
		}
	}
}

// withEditedDocument serves the reference, its OpenAPI document at
// /openapi.json as edit leaves it.
func withEditedDocument(t *testing.T, edit func(doc map[string]any)) (env map[string]string, docURL string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(reference.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
			return
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), srv.URL + "/openapi.json"
}

// operationOf is one operation of a decoded document's paths.
func operationOf(paths map[string]any, method, path string) map[string]any {
	return paths[path].(map[string]any)[method].(map[string]any)
}

// TestOpenAPIDocumentThatDisagreesWithTheContractIsOverruled: a document
// that says POST /exports needs only a read token (at another limit), GET
// /credits none at all, and lacks GET /exports/{export_id} does not change
// what is checked; each disagreement is one line of the notes, and the
// contract is checked.
func TestOpenAPIDocumentThatDisagreesWithTheContractIsOverruled(t *testing.T) {
	env, docURL := withEditedDocument(t, func(doc map[string]any) {
		paths := doc["paths"].(map[string]any)
		export := operationOf(paths, "post", "/exports")
		export["x-cornect-scope"] = "read"
		export["security"] = []any{map[string]any{"cornectToken": []any{"read"}}}
		export["x-cornect-rate-limit-per-minute"] = 50
		credits := operationOf(paths, "get", "/credits")
		delete(credits, "x-cornect-scope")
		credits["security"] = []any{}
		delete(paths, "/exports/{export_id}")
	})
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, env, "run", "--label-filter", "auth || scope", "--openapi", docURL, "--json-report", path)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	r := readJSONReport(t, path)
	judged := func(id string) []string {
		var ops []string
		for _, c := range r.Checks {
			if c.ID != id {
				continue
			}
			if c.Status != report.Passed {
				t.Errorf("%s: %s (%s), want passed", c.Name(), c.Status, c.Headline())
			}
			for _, o := range c.Operations {
				ops = append(ops, o.Key())
			}
		}
		return ops
	}
	if ops := judged("SCOPE-INSUFFICIENT"); !slices.Contains(ops, "POST /exports") {
		t.Errorf("SCOPE-INSUFFICIENT judged %v, want POST /exports among them", ops)
	}
	if ops := judged("SCOPE-READ-ACCEPTED"); slices.Contains(ops, "POST /exports") {
		t.Errorf("SCOPE-READ-ACCEPTED judged POST /exports, which needs read_write")
	}
	if ops := judged("AUTH-MISSING"); !slices.Contains(ops, "GET /credits") || !slices.Contains(ops, "GET /exports/{export_id}") {
		t.Errorf("AUTH-MISSING judged %v, want GET /credits and GET /exports/{export_id} among them", ops)
	}
	if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, "1 operation of the contract not in the OpenAPI document, swept all the same: GET /exports/{export_id}") {
		t.Errorf("the notes do not name the operation the document lacks:\n%s", notes)
	}
	for op, want := range map[string][]string{
		"POST /exports": {"scope read and 50 requests a minute", "the contract scope read_write and 5 requests a minute", "checked as the contract says"},
		"GET /credits":  {"no token needed", "the contract scope read", "checked as the contract says"},
	} {
		var lines []string
		for _, n := range r.Notes {
			if strings.HasPrefix(n, op+" ") {
				lines = append(lines, n)
			}
		}
		if len(lines) != 1 {
			t.Errorf("%d notes on %s, want one:\n%s", len(lines), op, strings.Join(r.Notes, "\n"))
			continue
		}
		for _, w := range want {
			if !strings.Contains(lines[0], w) {
				t.Errorf("the note on %s does not say %q: %s", op, w, lines[0])
			}
		}
	}
}

// fastAPICoverage are the operations a sweep of the FastAPI service's
// document covers: each the profile knows under the profile's template.
var fastAPICoverage = []string{
	"GET /companies/search", "GET /companies/{id}", "GET /credits", "GET /exports/{export_id}",
	"POST /companies/search", "POST /exports", "POST /exports/{export_id}/download",
}

func TestOpenAPIReadsYAMLFromAFileAndAURL(t *testing.T) {
	root, env, _ := fastAPIService(t)
	resp, err := http.Get(root + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(doc), "openapi:") {
		t.Fatalf("GET /openapi.yaml: %v, status %d, %.40q", err, resp.StatusCode, doc)
	}
	file := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, location := range map[string]string{"a URL": root + "/openapi.yaml", "a file": file} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.json")
			res := runConform(t, env, "run", "--profile", indexPublic(t), "--label-filter", "auth", "--openapi", location, "--json-report", path)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			rows, _ := readJSONReport(t, path).Coverage()
			var ops []string
			for _, row := range rows {
				ops = append(ops, row.Operation)
			}
			slices.Sort(ops)
			if diff := cmp.Diff(fastAPICoverage, ops); diff != "" {
				t.Errorf("coverage rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDryRunShowsTheSweepAndFetchesOnlyTheDocument: --dry-run --openapi
// loads the document, and says what the sweep covers and leaves out,
// sending the target no request but the one for the document.
func TestDryRunShowsTheSweepAndFetchesOnlyTheDocument(t *testing.T) {
	root, env, log := fastAPIService(t)
	res := runConform(t, env, "run", "--dry-run", "--profile", indexPublic(t), "--openapi", root+"/openapi.json")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if diff := cmp.Diff([]string{"GET /openapi.json"}, log.requests()); diff != "" {
		t.Errorf("requests the target got (-want +got):\n%s", diff)
	}
	plain := strings.Join(strings.Fields(res.stdout), " ")
	for _, want := range []string{
		"would sweep GET /companies/{id} scope read the contract's; GET /api/v1/companies/{company_id} in the document",
		"would sweep POST /exports scope read_write the contract's",
		"would sweep GET /companies/search scope unknown (auth checks only) the document's GET /api/v1/companies/search",
		"out of scope GET /healthz outside the base path /api/v1",
		"out of scope GET /files/{export_id} outside the base path /api/v1",
		"public GET /api/v1/ declared public: security [] on the operation, or the profile's public list",
		"would run MUST AUTH-MISSING",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, res.stdout)
		}
	}
	for _, never := range []string{"GET /companies/{company_id}", "/api/v1/healthz"} {
		if strings.Contains(res.stdout, never) {
			t.Errorf("the dry run names %s:\n%s", never, res.stdout)
		}
	}
}

// TestDryRunOfADocumentFileSendsNothing: with the document in a file, a
// dry run sends nothing at all, and shows how it disagrees with the
// contract.
func TestDryRunOfADocumentFileSendsNothing(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(reference.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	operationOf(paths, "post", "/exports")["x-cornect-scope"] = "read"
	delete(paths, "/credits")
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(reference.New()))
	t.Cleanup(srv.Close)

	res := runConform(t, map[string]string{"CONFORM_BASE_URL": srv.URL + "/api/v1"}, "run", "--dry-run", "--openapi", file)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if got := log.requests(); len(got) != 0 {
		t.Errorf("the target got %v, want nothing", got)
	}
	plain := strings.Join(strings.Fields(res.stdout), " ")
	for _, want := range []string{
		"dry run: nothing is sent",
		"would sweep POST /exports scope read_write the contract's",
		"disagrees: POST /exports (POST /api/v1/exports in the OpenAPI document): the document says scope read, the contract scope read_write; checked as the contract says",
		"would sweep GET /credits scope read the contract's; not in the document",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, res.stdout)
		}
	}
}

// TestOpenAPIOperationWithoutSecurityInheritsTheDocuments: as OpenAPI
// reads it, an operation without a security member of its own needs what
// the document's top-level security says, and nothing when the document
// says nothing either. The first is swept; the second is public, named as
// such in the notes and never probed.
func TestOpenAPIOperationWithoutSecurityInheritsTheDocuments(t *testing.T) {
	status := map[string]any{"get": map[string]any{
		"operationId": "status", "responses": map[string]any{"200": map[string]any{"description": "ok"}},
	}}
	tests := []struct {
		name        string
		topSecurity bool
		wantCode    int
		swept       bool
	}{
		// The reference has no /status: swept, it answers 404 to every auth
		// probe, a coverage finding rather than a violation.
		{"the document requires a token: inherited, swept", true, exitOK, true},
		// Django REST framework's document has no security anywhere: the
		// contract wins, and the operation is swept all the same.
		{"the document says nothing: swept all the same", false, exitOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, docURL := withEditedDocument(t, func(doc map[string]any) {
				doc["paths"].(map[string]any)["/status"] = status
				if !tt.topSecurity {
					delete(doc, "security")
				}
			})
			path := filepath.Join(t.TempDir(), "r.json")
			res := runConform(t, env, "run", "--label-filter", "auth", "--openapi", docURL, "--json-report", path)
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			r := readJSONReport(t, path)
			notes := strings.Join(r.Notes, "\n")
			swept := strings.Contains(notes, "not at the base URL and were left out of the auth checks: GET /status")
			if swept != tt.swept {
				t.Errorf("GET /status swept (and found missing): %v, want %v:\n%s", swept, tt.swept, notes)
			}
			if public := strings.Contains(notes, "declared public"); public {
				t.Errorf("the notes name an operation declared public:\n%s", notes)
			}
			if noted := strings.Contains(notes, "no security requirement in the OpenAPI document, swept all the same") && strings.Contains(notes, "GET /api/v1/status"); noted == tt.topSecurity {
				t.Errorf("the notes say GET /api/v1/status has no security requirement: %v, want %v:\n%s", noted, !tt.topSecurity, notes)
			}
		})
	}
}

// TestDocsOpenAPIExampleFindsAFastAPIServicesDocument runs docs/openapi.md's
// --openapi example as a shell would expand it, against a FastAPI-like
// service whose base URL is CONFORM_BASE_URL: the document it names must
// be the one the service serves, at the root and not under /api/v1.
func TestDocsOpenAPIExampleFindsAFastAPIServicesDocument(t *testing.T) {
	doc, err := os.ReadFile(openapiPath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go run \./cmd/conform run --openapi "([^"]+)"$`).FindStringSubmatch(string(doc))
	if m == nil {
		t.Fatal(`docs/openapi.md has no line "go run ./cmd/conform run --openapi "…""`)
	}
	root, env, log := fastAPIService(t)
	sh := exec.Command("sh", "-c", `printf %s "`+m[1]+`"`)
	sh.Env = []string{"CONFORM_BASE_URL=" + env["CONFORM_BASE_URL"]}
	location, err := sh.Output()
	if err != nil {
		t.Fatalf("expanding %q: %v", m[1], err)
	}
	if want := root + "/openapi.json"; string(location) != want {
		t.Errorf("the example %q names %s, want %s", m[1], location, want)
	}
	res := runConform(t, env, "run", "--dry-run", "--openapi", string(location))
	if res.code != exitOK {
		t.Fatalf("the example's dry run: exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if diff := cmp.Diff([]string{"GET /openapi.json"}, log.requests()); diff != "" {
		t.Errorf("requests the service got (-want +got):\n%s", diff)
	}
}

// An operation the document lists but the target does not have at the base
// URL (a drifted document, a route of another service) answers 404 to
// every authentication probe: a coverage finding in the notes, not a
// violation of every auth check, and no scope probe goes to it.
func TestAnOperationTheDocumentListsButTheTargetLacksIsACoverageFinding(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(reference.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	for path, method := range map[string]string{"/reports": "get", "/reports/archive": "post"} {
		doc["paths"].(map[string]any)[path] = map[string]any{
			method: map[string]any{
				"operationId":     "missing_" + method,
				"security":        []any{map[string]any{"cornectToken": []any{"read_write"}}},
				"x-cornect-scope": "read_write",
				"responses":       map[string]any{"200": map[string]any{"description": "never served"}},
			},
		}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		case strings.HasPrefix(r.URL.Path, "/api/v1/reports"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":{"code":"NOT_FOUND","message":"No such route."}}`))
		default:
			ref.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	// With the auth checks and without them (the scope checks then find the
	// missing operations themselves): the verdict must not depend on the filter.
	for _, filter := range []string{"auth || scope", "scope"} {
		path := filepath.Join(t.TempDir(), "r.json")
		res := runConform(t, tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), "run", "--openapi", srv.URL+"/openapi.json", "--label-filter", filter, "--json-report", path)
		if res.code != exitOK {
			t.Fatalf("--label-filter %q: exit %d, want 0: a missing operation is no violation\n%s", filter, res.code, res.stdout)
		}
		r := readJSONReport(t, path)
		if !slices.ContainsFunc(r.Notes, func(n string) bool {
			return strings.Contains(n, "not at the base URL") && strings.Contains(n, "GET /reports") && strings.Contains(n, "POST /reports/archive")
		}) {
			t.Errorf("--label-filter %q: no coverage note names the missing operations: %q", filter, r.Notes)
		}
	}
}

// TestAnOperationThatHidesFromATokenIsNotTakenForMissing: under the spread
// plan an operation the profile lacks gets one auth probe, which may carry
// a token of the run (revoked, expired, unbound, non-member). A target that
// answers 404 to a presented token, to hide its resources, and 401 without
// one is at the base URL: that operation gets a request without
// credentials, is kept in the sweep, and the check that probed it fails on
// it, instead of the operation being reported as not at the base URL.
func TestAnOperationThatHidesFromATokenIsNotTakenForMissing(t *testing.T) {
	sweep, tokened := sweepSpecs(t)
	extra := len(sweep) // one per auth check and variant, in turn
	ref := reference.New(reference.WithExtraOperations(extra))
	tokens := map[string]bool{}
	for _, v := range ref.Tokens() {
		tokens[v] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if strings.HasPrefix(r.URL.Path, "/api/v1/extra/") && tokens[bearer] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":{"code":"NOT_FOUND","message":"No such item."}}`))
			return
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), "run", "--openapi", srv.URL+"/openapi.json", "--label-filter", "auth", "--json-report", path)
	if res.code != exitViolations {
		t.Fatalf("exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	r := readJSONReport(t, path)
	for _, n := range r.Notes {
		if strings.Contains(n, "not at the base URL") {
			t.Errorf("operations that answer a request without credentials were taken for missing: %s", n)
		}
	}
	if len(tokened) == 0 {
		t.Fatal("no auth check presents a token of the run: the test proves nothing")
	}
	for _, id := range tokened {
		i := slices.IndexFunc(r.Checks, func(c report.Check) bool { return c.ID == id })
		if i < 0 {
			t.Fatalf("%s did not run", id)
		}
		if c := r.Checks[i]; c.Status != report.Failed || !strings.Contains(c.Explanation(), "/extra/op") {
			t.Errorf("%s: %s, want failed on the extra operation it probed:\n%s", id, c.Status, c.Explanation())
		}
	}
}

// TestARouteWithoutSecurityInAFastAPIDocumentIsSweptAndFails: FastAPI
// writes a route without a security dependency with no security at all,
// exactly what a route that forgot its dependency looks like. The
// FastAPI-style service's index is such a route, served to anyone: unless
// declared public, the contract wins, it is swept, and AUTH-MISSING fails
// on it and on nothing else.
func TestARouteWithoutSecurityInAFastAPIDocumentIsSweptAndFails(t *testing.T) {
	root, env, log := fastAPIService(t)
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConform(t, env, "run", "--label-filter", "auth", "--openapi", root+"/openapi.json", "--json-report", path)
	if res.code != exitViolations {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitViolations, res.stdout, res.stderr)
	}
	r := readJSONReport(t, path)
	rows, _ := r.Coverage()
	found := false
	for _, row := range rows {
		got := row.Checks["AUTH-MISSING"]
		if row.Operation == "GET /" {
			found = true
			if got != report.Failed {
				t.Errorf("GET / under AUTH-MISSING: %q, want failed", got)
			}
		} else if got != report.Passed && got != "" {
			t.Errorf("%s under AUTH-MISSING: %q, want passed", row.Operation, got)
		}
	}
	if !found {
		t.Errorf("no coverage row for GET /, the index without security")
	}
	if !slices.Contains(log.requests(), "GET /api/v1/") {
		t.Errorf("conform never sent GET /api/v1/: %v", log.requests())
	}
	if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, "swept all the same") || !strings.Contains(notes, "GET /api/v1/") {
		t.Errorf("the notes do not say GET /api/v1/ was swept without a security requirement:\n%s", notes)
	}
}

// sweepSpecs are the specs (a check and its variants) that sweep the
// operations, from the plan, and the IDs of the sweep checks that present
// a token of the run (the catalogue gives them a token to need).
func sweepSpecs(t *testing.T) (specs []suite.Planned, tokened []string) {
	t.Helper()
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: fixtures.Default()})
	if err != nil {
		t.Fatal(err)
	}
	sweep := suite.SweepChecks()
	for _, p := range plan.Specs() {
		if slices.Contains(sweep, p.ID) {
			specs = append(specs, p)
		}
	}
	for _, c := range suite.Catalogue() {
		if slices.Contains(sweep, c.ID) && len(c.Needs) > 0 {
			tokened = append(tokened, c.ID)
		}
	}
	return specs, tokened
}
