package stackserver

import (
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// TestBackgroundHoldDelaysTheNextRequestOnItsConnectionOnly: after a 201
// from POST /exports the client has the whole response at once, the next
// request on the same keep-alive connection waits for the hold, and a
// request on a fresh connection does not.
func TestBackgroundHoldDelaysTheNextRequestOnItsConnectionOnly(t *testing.T) {
	const hold = 800 * time.Millisecond
	cases := []struct {
		name      string
		opts      []Option
		body      string
		wantDelay bool
	}{
		{"hold after a 201", []Option{WithBackgroundHold(hold)}, exportBody, true},
		{"no hold after a 422", []Option{WithBackgroundHold(hold)}, `{"name":42}`, false},
		{"no hold by default", nil, exportBody, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.opts...)
			c := client(t)
			created := send(c, s, "POST", "/api/v1/exports", reference.RoleReadWrite, tc.body)
			if created.err != nil {
				t.Fatalf("POST /exports: %v", created.err)
			}
			answered := time.Now()
			if created.elapsed >= hold/2 {
				t.Errorf("the POST /exports response took %v: the hold must come after it, not before", created.elapsed)
			}

			fresh := send(client(t), s, "GET", "/api/v1/credits", reference.RoleRead, "")
			fresh.expectStatus(t, 200)
			if fresh.reused || fresh.elapsed >= hold/2 {
				t.Errorf("a fresh connection: reused %v, took %v; want a new connection, served at once", fresh.reused, fresh.elapsed)
			}

			next := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "")
			next.expectStatus(t, 200)
			if !next.reused {
				t.Fatalf("the second request did not reuse the keep-alive connection")
			}
			waited := time.Since(answered)
			switch {
			case tc.wantDelay && waited < hold*9/10:
				t.Errorf("the next request on the connection was answered %v after the 201; want at least the hold, %v", waited, hold)
			case !tc.wantDelay && waited >= hold/2:
				t.Errorf("the next request on the connection was answered %v after the first response; want no hold", waited)
			}
		})
	}
}

// TestCloseEndsBackgroundHolds: closing the server does not wait out a hold.
func TestCloseEndsBackgroundHolds(t *testing.T) {
	s := Start(WithBackgroundHold(time.Minute))
	send(client(t), s, "POST", "/api/v1/exports", reference.RoleReadWrite, exportBody).expectStatus(t, 201)
	began := time.Now()
	s.Close()
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("Close took %v with a hold in progress", d)
	}
}
