package reference

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestInvalidBodiesAre422WithEveryProblemListed(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		want             []fieldProblem
	}{
		{"malformed JSON", "/exports", `{"name": "x",`, []fieldProblem{{"body", "malformed JSON: unexpected end of JSON input"}}},
		{"array body", "/exports", `["name"]`, []fieldProblem{{"body", problemBodyObject}}},
		{"null body", "/companies/search", `null`, []fieldProblem{{"body", problemBodyObject}}},
		{"string body", "/companies/search", `"Germany"`, []fieldProblem{{"body", problemBodyObject}}},
		{"name missing", "/exports", `{"export_format":"csv"}`, []fieldProblem{{"name", problemRequired}}},
		{"name null", "/exports", `{"name":null}`, []fieldProblem{{"name", problemRequired}}},
		{"name empty", "/exports", `{"name":"  "}`, []fieldProblem{{"name", problemNonEmpty}}},
		{"name a number", "/exports", `{"name":42}`, []fieldProblem{{"name", problemString}}},
		{"export_format outside its enum", "/exports", `{"name":"x","export_format":"xml"}`, []fieldProblem{{"export_format", "must be one of: csv, json"}}},
		{"source_type outside its enum", "/exports", `{"name":"x","source_type":"crm"}`, []fieldProblem{{"source_type", "must be one of: search, list"}}},
		{"sort_order outside its enum", "/exports", `{"name":"x","sort_order":"sideways"}`, []fieldProblem{{"sort_order", "must be one of: asc, desc"}}},
		{"sort_by a number", "/exports", `{"name":"x","sort_by":1}`, []fieldProblem{{"sort_by", problemString}}},
		{"list_id not a UUID", "/exports", `{"name":"x","source_type":"list","list_id":"not-a-uuid"}`, []fieldProblem{{"list_id", problemUUID}}},
		{"list_id missing for a list", "/exports", `{"name":"x","source_type":"list"}`, []fieldProblem{{"list_id", problemListID}}},
		{"search_filters not an object", "/exports", `{"name":"x","search_filters":["Germany"]}`, []fieldProblem{{"search_filters", problemObject}}},
		{"countries a string in search_filters", "/exports", `{"name":"x","search_filters":{"countries":"Germany"}}`, []fieldProblem{{"search_filters.countries", problemStrings}}},
		{"integer filter a string in search_filters", "/exports", `{"name":"x","search_filters":{"founded_year_min":"1990"}}`, []fieldProblem{{"search_filters.founded_year_min", problemInteger}}},
		{"every problem at once", "/exports", `{"export_format":"xml","search_filters":{"countries":[1],"employee_count_max":1.5}}`, []fieldProblem{
			{"name", problemRequired}, {"export_format", "must be one of: csv, json"},
			{"search_filters.countries", problemStrings}, {"search_filters.employee_count_max", problemInteger},
		}},
		{"employee_count_min a string", "/companies/search", `{"employee_count_min":"ten"}`, []fieldProblem{{"employee_count_min", problemInteger}}},
		{"query a number", "/companies/search", `{"query":7}`, []fieldProblem{{"query", problemString}}},
		{"null inside an array of strings", "/companies/search", `{"keywords":["saas",null]}`, []fieldProblem{{"keywords", problemStrings}}},
		{"connections not objects", "/companies/search", `{"connections":["a"]}`, []fieldProblem{{"connections", problemObjects}}},
		{"cursor not issued by the API", "/companies/search", `{"cursor":"bogus!"}`, []fieldProblem{{"cursor", problemCursor}}},
		{"malformed JSON in a search", "/companies/search", `{"query": `, []fieldProblem{{"body", "malformed JSON: unexpected end of JSON input"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newEnv(t).post(tc.path, RoleReadWrite, tc.body)
			r.expectError(t, http.StatusUnprocessableEntity, codeValidation)
			if got := r.problems(t); !slices.Equal(got, tc.want) {
				t.Errorf("problems %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTolerableBodiesAreAccepted(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		mods             []modifier
		status           int
	}{
		{"empty search body", "/companies/search", "", nil, 200},
		{"empty search object", "/companies/search", "{}", nil, 200},
		{"unknown members are ignored", "/companies/search", `{"future_filter":{"x":1},"countries":["Germany"]}`, nil, 200},
		{"null optional members", "/companies/search", `{"countries":null,"employee_count_min":null}`, nil, 200},
		{"no Content-Type", "/companies/search", `{}`, []modifier{func(r *http.Request) { r.Header.Del("Content-Type") }}, 200},
		{"JSON with a charset", "/companies/search", `{}`, []modifier{setHeader("Content-Type", "application/json; charset=utf-8")}, 200},
		{"unknown export members are ignored", "/exports", `{"name":"x","priority":"high","search_filters":{"countries":["Poland"],"new":true}}`, nil, 201},
		{"every documented export member", "/exports", `{"name":"x","source_type":"search","search_filters":{"countries":["Poland"]},"sort_by":"name","sort_order":"desc","export_format":"json"}`, nil, 201},
		{"a list export", "/exports", `{"name":"x","source_type":"list","list_id":"` + ListTargetAccounts + `"}`, nil, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newEnv(t).post(tc.path, RoleReadWrite, tc.body, tc.mods...).expectStatus(t, tc.status)
		})
	}
}

func TestNonJSONContentTypeFailsValidation(t *testing.T) {
	r := newEnv(t).post("/companies/search", RoleRead, `{}`, setHeader("Content-Type", "text/plain"))
	r.expectError(t, http.StatusUnprocessableEntity, codeValidation)
}

func TestOversizedBodyFailsValidation(t *testing.T) {
	body := `{"query":"` + strings.Repeat("a", maxBody) + `"}`
	r := newEnv(t).post("/companies/search", RoleRead, body)
	r.expectError(t, http.StatusUnprocessableEntity, codeValidation)
	if got := r.problems(t); len(got) != 1 || got[0].Problem != problemBodyTooBig {
		t.Errorf("problems %+v", got)
	}
}
