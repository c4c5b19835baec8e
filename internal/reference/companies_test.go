package reference

import (
	"net/http"
	"strings"
	"testing"
)

func search(t *testing.T, e *env, body string) searchResponse {
	t.Helper()
	r := e.post("/companies/search", RoleRead, body)
	r.expectStatus(t, http.StatusOK)
	return decodeAs[searchResponse](t, r)
}

func TestEmptySearchReturnsEveryCompanyPaged(t *testing.T) {
	resp := search(t, newEnv(t), "")
	if resp.Total != companyCount || len(resp.Items) != pageSize || resp.NextCursor == nil {
		t.Fatalf("total %d, %d items, next_cursor %v", resp.Total, len(resp.Items), resp.NextCursor)
	}
	sum := 0
	for _, f := range resp.Aggregations.Countries {
		sum += f.Count
	}
	if sum != companyCount {
		t.Errorf("country aggregation sums to %d, want %d", sum, companyCount)
	}
}

func TestCursorWalksToTheLastPage(t *testing.T) {
	e := newEnv(t)
	filter := `"countries":["Poland"],"employee_count_max":50`
	first := search(t, e, "{"+filter+"}")
	seen := map[string]bool{}
	page := first
	for pages := 1; ; pages++ {
		for _, c := range page.Items {
			if seen[c.ID] {
				t.Fatalf("company %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if page.NextCursor == nil {
			break
		}
		if pages > 100 {
			t.Fatal("no last page")
		}
		page = search(t, e, `{`+filter+`,"cursor":"`+*page.NextCursor+`"}`)
	}
	if len(seen) != first.Total || first.Total <= pageSize {
		t.Errorf("walked %d companies, total %d", len(seen), first.Total)
	}
}

func TestSearchFilters(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, body string
		keep       func(c *company) bool
	}{
		{"countries by full name", `{"countries":["Germany","france"]}`, func(c *company) bool { return c.Country == "Germany" || c.Country == "France" }},
		{"states", `{"states":["Bavaria"]}`, func(c *company) bool { return c.State == "Bavaria" }},
		{"cities", `{"cities":["Lyon"]}`, func(c *company) bool { return c.City == "Lyon" }},
		{"industries and exclusions", `{"industries":["Software","Logistics"],"exclude_industries":["Logistics"]}`, func(c *company) bool { return c.Industry == "Software" }},
		{"naics prefix", `{"naics_codes":["5415"]}`, func(c *company) bool { return strings.HasPrefix(c.NAICSCode, "5415") }},
		{"technologies", `{"technologies":["Stripe"]}`, func(c *company) bool { return strings.Contains(strings.Join(c.Technologies, ","), "Stripe") }},
		{"technology categories", `{"technology_categories":["Data Warehouse"]}`, func(c *company) bool { return strings.Contains(strings.Join(c.Technologies, ","), "Snowflake") }},
		{"keywords minus excluded", `{"keywords":["saas"],"exclude_keywords":["b2b"]}`, func(c *company) bool {
			k := "," + strings.Join(c.Keywords, ",") + ","
			return strings.Contains(k, ",saas,") && !strings.Contains(k, ",b2b,")
		}},
		{"ranges", `{"employee_count_min":100,"employee_count_max":200,"founded_year_min":2000,"founded_year_max":2010}`, func(c *company) bool {
			return c.EmployeeCount >= 100 && c.EmployeeCount <= 200 && c.FoundedYear >= 2000 && c.FoundedYear <= 2010
		}},
		{"query", `{"query":"HELIX"}`, func(c *company) bool { return strings.Contains(c.Name, "Helix") }},
		{"ISO codes match nothing", `{"countries":["DE","US"]}`, func(c *company) bool { return false }},
		{"connections are accepted and not applied", `{"connections":[{"type":"investor"}]}`, func(c *company) bool { return true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := 0
			for _, c := range companies().all {
				if tc.keep(c) {
					want++
				}
			}
			resp := search(t, e, tc.body)
			if resp.Total != want {
				t.Errorf("total %d, want %d", resp.Total, want)
			}
			for _, c := range resp.Items {
				if !tc.keep(companies().byID[c.ID]) {
					t.Errorf("item %s (%s) does not pass the filter", c.ID, c.Name)
				}
			}
			if want == 0 && (resp.Items == nil || resp.NextCursor != nil) {
				t.Errorf("empty result: items %v, next_cursor %v", resp.Items, resp.NextCursor)
			}
		})
	}
}

func TestCompanyByID(t *testing.T) {
	e := newEnv(t)
	first := search(t, e, `{"countries":["Sweden"]}`).Items[0]
	r := e.get("/companies/"+first.ID, RoleRead)
	r.expectStatus(t, http.StatusOK)
	if got := decodeAs[company](t, r); got.ID != first.ID || got.Name != first.Name || got.Country != "Sweden" {
		t.Errorf("GET /companies/%s = %+v", first.ID, got)
	}
	e.get("/companies/"+strings.ToUpper(first.ID), RoleRead).expectStatus(t, http.StatusOK)
	e.get("/companies/"+nameUUID("no such company"), RoleRead).expectError(t, http.StatusNotFound, codeNotFound)
	e.get("/companies/not-a-uuid", RoleRead).expectError(t, http.StatusNotFound, codeNotFound)
}

func TestDatasetIsDeterministic(t *testing.T) {
	a, b := generateCompany(4242), generateCompany(4242)
	if a.ID != b.ID || a.Name != b.Name || a.EmployeeCount != b.EmployeeCount || strings.Join(a.Technologies, ",") != strings.Join(b.Technologies, ",") {
		t.Errorf("company 4242 differs between generations: %+v vs %+v", a, b)
	}
	if len(companies().byID) != companyCount {
		t.Errorf("%d distinct ids, want %d", len(companies().byID), companyCount)
	}
	domains := map[string]bool{}
	for _, c := range companies().all {
		if domains[c.Domain] {
			t.Fatalf("domain %s used twice", c.Domain)
		}
		domains[c.Domain] = true
	}
}
