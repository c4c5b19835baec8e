package stackserver

import (
	"net/http"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// TestBodyParsedBeforeAuth: with the option, a body that is not JSON is
// refused before authentication, and JSON that fails validation still
// meets authentication first.
func TestBodyParsedBeforeAuth(t *testing.T) {
	const notJSON, invalid = `{"name": "stack probe",`, `{"name": 42}`
	cases := []struct {
		name             string
		opts             []Option
		path, role, body string
		status           int
		code             string
	}{
		{"not JSON, no token: 422 before auth", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/exports", "", notJSON, 422, "VALIDATION_ERROR"},
		{"not JSON, no token: 400 before auth", []Option{WithBodyParsedBeforeAuth(400)}, "/api/v1/exports", "", notJSON, 400, "MALFORMED_JSON"},
		{"not JSON in a search, no token", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/companies/search", "", `{"query": `, 422, "VALIDATION_ERROR"},
		{"not JSON, read token: 422 before the scope", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/exports", reference.RoleRead, notJSON, 422, "VALIDATION_ERROR"},
		{"invalid JSON, no token: 401 first", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/exports", "", invalid, 401, "MISSING_AUTH_HEADER"},
		{"invalid JSON, read token: 403 first", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/exports", reference.RoleRead, invalid, 403, "INSUFFICIENT_SCOPE"},
		{"invalid JSON, read_write token: 422", []Option{WithBodyParsedBeforeAuth(422)}, "/api/v1/exports", reference.RoleReadWrite, invalid, 422, "VALIDATION_ERROR"},
		{"by default, not JSON, no token: 401", nil, "/api/v1/exports", "", notJSON, 401, "MISSING_AUTH_HEADER"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.opts...)
			send(client(t), s, http.MethodPost, tc.path, tc.role, tc.body).expectError(t, tc.status, tc.code)
		})
	}
}

// TestBodyParsedBeforeAuthLeavesValidBodiesToTheReference: a valid body
// reaches the reference intact.
func TestBodyParsedBeforeAuthLeavesValidBodiesToTheReference(t *testing.T) {
	s := start(t, WithBodyParsedBeforeAuth(422))
	send(client(t), s, http.MethodPost, "/api/v1/exports", reference.RoleReadWrite, exportBody).expectStatus(t, 201)
}
