package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cornect/conform/internal/stackserver"
)

// stack serves a stackserver on loopback with opts and returns a client
// for its base URL that knows every token of it, as a run does.
func stack(t *testing.T, opts []stackserver.Option, client ...func(*Options)) (*stackserver.Server, *Client, map[Role]Credential) {
	t.Helper()
	s := stackserver.Start(opts...)
	t.Cleanup(s.Close)
	values := map[Role]string{}
	for role, v := range s.Tokens() {
		values[Role(role)] = v
	}
	byRole, creds := Credentials(values)
	o := Options{BaseURL: s.BaseURL(), Credentials: creds}
	for _, f := range client {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.http.CloseIdleConnections() })
	return s, c, byRole
}

// as is a request with role's bearer token.
func as(cred Credential, method, path string, body string) Request {
	auth, cr := Bearer(cred)
	r := Request{Method: method, Path: path, Authorization: auth, Token: cr}
	if body != "" {
		r.Body = []byte(body)
	}
	return r
}

// exportBody is a valid POST /exports body: a small export.
const exportBody = `{"name":"probe","search_filters":{"countries":["Germany"],"employee_count_max":15}}`

// createExport sends POST /exports and returns the new export's id.
func createExport(t *testing.T, c *Client, cred Credential) string {
	t.Helper()
	ex := c.Do(context.Background(), as(cred, http.MethodPost, "/exports", exportBody))
	if ex.Status != http.StatusCreated {
		t.Fatalf("POST /exports: %s %s", ex.Outcome(), ex.BodyText)
	}
	var created struct {
		Job struct {
			ID string `json:"id"`
		} `json:"export_job"`
	}
	if err := json.Unmarshal(ex.Body, &created); err != nil || created.Job.ID == "" {
		t.Fatalf("POST /exports: no export_job.id in %s", ex.BodyText)
	}
	return created.Job.ID
}
