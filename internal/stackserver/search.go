package stackserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// The query parameters of GET /api/v1/companies/search: the search filters
// of the POST body, lists as repeated parameters (?countries=Germany&
// countries=Austria), as FastAPI reads list[str] = Query(None).
var (
	searchStrings  = []string{"query", "cursor"}
	searchLists    = []string{"countries", "states", "cities", "industries", "exclude_industries", "naics_codes", "technologies", "technology_categories", "keywords", "exclude_keywords"}
	searchIntegers = []string{"employee_count_min", "employee_count_max", "founded_year_min", "founded_year_max"}
)

// searchByQuery is GET /api/v1/companies/search: the query string becomes
// the POST body the reference answers, so both routes share its
// authentication, limit and validation. A value that is not an integer is
// passed as a string, for the reference's 422 to name it.
func (s *Server) searchByQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body := map[string]any{}
	for _, name := range searchStrings {
		if q.Has(name) {
			body[name] = q.Get(name)
		}
	}
	for _, name := range searchLists {
		if q.Has(name) {
			body[name] = q[name]
		}
	}
	for _, name := range searchIntegers {
		if !q.Has(name) {
			continue
		}
		if n, err := strconv.ParseInt(q.Get(name), 10, 64); err == nil {
			body[name] = n
		} else {
			body[name] = q.Get(name)
		}
	}
	b, _ := json.Marshal(body) // strings, string slices and integers always encode

	out := r.Clone(r.Context())
	out.Method = http.MethodPost
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	out.Header.Set("Content-Type", "application/json")
	c := &captured{header: http.Header{}}
	s.ref.ServeHTTP(c, out)
	s.relay(w, c)
}
