package stackserver

import (
	"encoding/json"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// TestAllowOfA405: /api/v1/companies/search has a GET route and then a POST
// route. With WithFirstRouteAllow, a 405 there names the first route's
// methods only, as Starlette does; by default every method of the path.
func TestAllowOfA405(t *testing.T) {
	cases := []struct {
		name, path, want string
		opts             []Option
	}{
		{"first route only", "/api/v1/companies/search", "GET, HEAD", []Option{WithFirstRouteAllow(true)}},
		{"every route by default", "/api/v1/companies/search", "GET, HEAD, POST", nil},
		{"one route, first route only", "/api/v1/exports", "POST", []Option{WithFirstRouteAllow(true)}},
		{"one route by default", "/api/v1/credits", "GET, HEAD", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.opts...)
			r := send(client(t), s, "PATCH", tc.path, reference.RoleRead, "")
			r.expectError(t, 405, "METHOD_NOT_ALLOWED")
			if got := r.header.Get("Allow"); got != tc.want {
				t.Errorf("Allow %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSearchIsRoutedForGETAndPOST: both routes of the path serve the
// search, through the reference's authentication and validation.
func TestSearchIsRoutedForGETAndPOST(t *testing.T) {
	s := start(t, WithFirstRouteAllow(true))
	c := client(t)
	total := func(r result) int {
		t.Helper()
		r.expectStatus(t, 200)
		var page struct{ Total int }
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatalf("decoding the page: %v", err)
		}
		return page.Total
	}
	byGET := total(send(c, s, "GET", "/api/v1/companies/search?countries=Germany&countries=Austria&employee_count_max=50", reference.RoleRead, ""))
	byPOST := total(send(c, s, "POST", "/api/v1/companies/search", reference.RoleRead, `{"countries":["Germany","Austria"],"employee_count_max":50}`))
	if byGET != byPOST || byGET == 0 {
		t.Errorf("GET found %d companies, POST %d; want the same, more than none", byGET, byPOST)
	}
	send(c, s, "GET", "/api/v1/companies/search?query=x", "", "").expectError(t, 401, "MISSING_AUTH_HEADER")
	send(c, s, "GET", "/api/v1/companies/search?employee_count_min=ten", reference.RoleRead, "").expectError(t, 422, "VALIDATION_ERROR")
}
