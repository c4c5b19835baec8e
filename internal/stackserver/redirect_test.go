package stackserver

import (
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// TestRedirectSlashes: with the option, a path that only differs from a
// route by its trailing slash gets 307 to the route's path, before
// authentication and with the query kept; without it, 404.
func TestRedirectSlashes(t *testing.T) {
	cases := []struct {
		name, path, role string
		want             string // the path of Location; "" for the 404
	}{
		{"slash removed", "/api/v1/credits/", reference.RoleRead, "/api/v1/credits"},
		{"slash removed, no token", "/api/v1/credits/", "", "/api/v1/credits"},
		{"slash removed, query kept", "/api/v1/companies/search/?query=x", "", "/api/v1/companies/search?query=x"},
		{"slash removed on a template", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000/", "", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000"},
		{"slash added", "/api/v1", "", "/api/v1/"},
		{"no route either way", "/api/v1/nowhere/", reference.RoleRead, ""},
	}
	s := start(t, WithRedirectSlashes(true))
	off := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(client(t), s, "GET", tc.path, tc.role, "")
			if tc.want == "" {
				r.expectError(t, 404, "NOT_FOUND")
				return
			}
			r.expectStatus(t, 307)
			if loc := r.header.Get("Location"); loc != s.URL()+tc.want {
				t.Errorf("Location %q, want %q", loc, s.URL()+tc.want)
			}
			if len(r.body) != 0 {
				t.Errorf("body %q, want none", r.body)
			}
			send(client(t), off, "GET", tc.path, tc.role, "").expectError(t, 404, "NOT_FOUND")
		})
	}
}

// TestRedirectSlashesLeavesRoutesAlone: a path a route has is served, and a
// wrong method on it is a 405, not a redirect.
func TestRedirectSlashesLeavesRoutesAlone(t *testing.T) {
	s := start(t, WithRedirectSlashes(true))
	c := client(t)
	send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "").expectStatus(t, 200)
	send(c, s, "GET", "/api/v1/", "", "").expectStatus(t, 200)
	send(c, s, "DELETE", "/api/v1/credits", reference.RoleRead, "").expectError(t, 405, "METHOD_NOT_ALLOWED")
}
