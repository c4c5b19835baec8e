package reference

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// pageSize is the number of items on one page of search results.
const pageSize = 25

// searchFilters is the search filter shape: the body of POST
// /companies/search and the search_filters of POST /exports.
type searchFilters struct {
	query                string
	countries            []string // full names; ISO codes match nothing
	states               []string
	cities               []string
	industries           []string
	excludeIndustries    []string
	naicsCodes           []string // a code matches itself and every code it prefixes
	technologies         []string
	technologyCategories []string
	keywords             []string
	excludeKeywords      []string
	employeeCountMin     *int64
	employeeCountMax     *int64
	foundedYearMin       *int64
	foundedYearMax       *int64
	connections          []map[string]json.RawMessage // validated, not applied: the dataset has no relationships
}

// decodeFilters reads the search filter members of obj; prefix is the path of
// obj in the body, for problems.
func (s *Server) decodeFilters(obj map[string]json.RawMessage, prefix string) (searchFilters, []fieldProblem) {
	f := &fields{obj: obj, prefix: prefix, unchecked: map[string]bool{
		problemStrings: s.broken(faultStringFilterTypesUnchecked),
		problemInteger: s.broken(faultIntegerFilterTypesUnchecked),
	}}
	var sf searchFilters
	sf.query, _ = f.str("query")
	sf.countries = f.strs("countries")
	sf.states = f.strs("states")
	sf.cities = f.strs("cities")
	sf.industries = f.strs("industries")
	sf.excludeIndustries = f.strs("exclude_industries")
	sf.naicsCodes = f.strs("naics_codes")
	sf.technologies = f.strs("technologies")
	sf.technologyCategories = f.strs("technology_categories")
	sf.keywords = f.strs("keywords")
	sf.excludeKeywords = f.strs("exclude_keywords")
	sf.employeeCountMin = f.integer("employee_count_min")
	sf.employeeCountMax = f.integer("employee_count_max")
	sf.foundedYearMin = f.integer("founded_year_min")
	sf.foundedYearMax = f.integer("founded_year_max")
	sf.connections = f.objects("connections")
	return sf, f.problems
}

// matches reports whether c passes every filter. Text comparisons ignore
// case (search lower-cases the query once); a list filter passes when any
// of its values matches.
func (sf *searchFilters) matches(c *company) bool {
	if q := sf.query; q != "" && !strings.Contains(c.text, q) {
		return false
	}
	if !anyOf(sf.countries, c.Country) || !anyOf(sf.states, c.State) || !anyOf(sf.cities, c.City) ||
		!anyOf(sf.industries, c.Industry) {
		return false
	}
	if len(sf.excludeIndustries) > 0 && anyOf(sf.excludeIndustries, c.Industry) {
		return false
	}
	if len(sf.naicsCodes) > 0 && !slices.ContainsFunc(sf.naicsCodes, func(code string) bool {
		return code != "" && strings.HasPrefix(c.NAICSCode, code)
	}) {
		return false
	}
	if !anyOf(sf.technologies, c.Technologies...) {
		return false
	}
	if len(sf.technologyCategories) > 0 && !slices.ContainsFunc(c.Technologies, func(t string) bool {
		return anyOf(sf.technologyCategories, technologyCategory(t))
	}) {
		return false
	}
	if !anyOf(sf.keywords, c.Keywords...) {
		return false
	}
	if len(sf.excludeKeywords) > 0 && anyOf(sf.excludeKeywords, c.Keywords...) {
		return false
	}
	return within(c.EmployeeCount, sf.employeeCountMin, sf.employeeCountMax) &&
		within(c.FoundedYear, sf.foundedYearMin, sf.foundedYearMax)
}

// anyOf reports whether filter is empty or one of values is in it, ignoring case.
func anyOf(filter []string, values ...string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, want := range filter {
		for _, v := range values {
			if strings.EqualFold(want, v) {
				return true
			}
		}
	}
	return false
}

func within(v int, lo, hi *int64) bool {
	return (lo == nil || int64(v) >= *lo) && (hi == nil || int64(v) <= *hi)
}

// search returns the companies matching sf, in dataset order.
func (d *dataset) search(sf searchFilters) []*company {
	sf.query = strings.ToLower(strings.TrimSpace(sf.query)) // once, not per company
	var out []*company
	for _, c := range d.all {
		if sf.matches(c) {
			out = append(out, c)
		}
	}
	return out
}

type searchResponse struct {
	Items        []*company   `json:"items"`
	Total        int          `json:"total"`
	Aggregations aggregations `json:"aggregations"`
	NextCursor   *string      `json:"next_cursor"`
}

type aggregations struct {
	Countries  []facetCount `json:"countries"`
	Industries []facetCount `json:"industries"`
}

type facetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// searchCompanies is POST /companies/search.
func (s *Server) searchCompanies(c *call) (reply, *apiError) {
	obj, err := s.decodeObject(c)
	if err != nil {
		return reply{}, err
	}
	filters, offset, problems := s.decodeSearch(obj)
	if len(problems) > 0 {
		return reply{}, validationFailed(problems)
	}

	matched := s.data.search(filters)
	start := min(offset, len(matched))
	end := min(start+pageSize, len(matched))
	resp := searchResponse{
		Items: append([]*company{}, matched[start:end]...),
		Total: len(matched),
		Aggregations: aggregations{
			Countries:  facet(matched, func(c *company) string { return c.Country }),
			Industries: facet(matched, func(c *company) string { return c.Industry }),
		},
	}
	if end < len(matched) {
		next := encodeCursor(end)
		resp.NextCursor = &next
	}
	return jsonReply(http.StatusOK, resp), nil
}

// decodeSearch validates a POST /companies/search body: the filters and the
// cursor, whose offset it returns.
func (s *Server) decodeSearch(obj map[string]json.RawMessage) (searchFilters, int, []fieldProblem) {
	filters, problems := s.decodeFilters(obj, "")
	page := &fields{obj: obj}
	offset := 0
	if cursor, ok := page.str("cursor"); ok {
		if offset, ok = decodeCursor(cursor); !ok {
			page.problem("cursor", problemCursor)
		}
	}
	return filters, offset, append(problems, page.problems...)
}

// facet counts the companies by one attribute, most frequent first.
func facet(cs []*company, of func(*company) string) []facetCount {
	counts := make(map[string]int)
	for _, c := range cs {
		counts[of(c)]++
	}
	out := make([]facetCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, facetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b facetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// Cursors are opaque to clients; here they carry the offset of the next page.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeCursor(cursor string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(b), "offset:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 0
}

// getCompany is GET /companies/{id}.
func (s *Server) getCompany(c *call) (reply, *apiError) {
	co := s.data.byID[strings.ToLower(c.params["id"])]
	if co == nil {
		if s.broken(faultUnknownID500) {
			return reply{}, internalError("Internal server error.")
		}
		return reply{}, notFound("No company with that id.")
	}
	return jsonReply(http.StatusOK, co), nil
}
