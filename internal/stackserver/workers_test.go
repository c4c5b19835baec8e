package stackserver

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// TestWorkersRefuseRequestsPastTheCap: with four workers each held 400 ms
// by the reference's latency, eight requests at once get four 200s and
// four 503s, answered as the options say; once the workers are free again,
// requests are served.
func TestWorkersRefuseRequestsPastTheCap(t *testing.T) {
	cases := []struct {
		name        string
		opts        []Option
		retryAfter  string
		contentType string
	}{
		{"envelope with Retry-After", []Option{WithOverloadRetryAfter(true)}, "1", "application/json"},
		{"envelope without Retry-After", nil, "", "application/json"},
		{"proxy page", []Option{WithOverloadBody(OverloadProxyHTML)}, "", "text/html"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]Option{WithWorkers(4), WithReference(reference.WithLatency(400 * time.Millisecond))}, tc.opts...)
			s := start(t, opts...)
			c := client(t)
			results := make([]result, 8)
			var wg sync.WaitGroup
			for i := range results {
				wg.Go(func() { results[i] = send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "") })
			}
			wg.Wait()

			served, refused := 0, 0
			for _, r := range results {
				switch {
				case r.err != nil:
					t.Fatalf("no response: %v", r.err)
				case r.status == 200:
					served++
				case r.status == 503:
					refused++
					if got := r.header.Get("Retry-After"); got != tc.retryAfter {
						t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
					}
					if got := r.header.Get("Content-Type"); got != tc.contentType {
						t.Errorf("Content-Type %q, want %q", got, tc.contentType)
					}
					if tc.contentType == "text/html" {
						if !strings.Contains(string(r.body), "<center>nginx</center>") {
							t.Errorf("body %q, want nginx's page", r.body)
						}
						continue
					}
					var w wireError
					if err := json.Unmarshal(r.body, &w); err != nil || w.Detail.Code != "SERVICE_UNAVAILABLE" {
						t.Errorf("body %s, want the envelope with SERVICE_UNAVAILABLE", r.body)
					}
				default:
					t.Errorf("status %d, want 200 or 503", r.status)
				}
			}
			if served != 4 || refused != 4 {
				t.Errorf("%d served and %d refused, want 4 and 4", served, refused)
			}
			send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "").expectStatus(t, 200)
		})
	}
}

// TestNoWorkerCapByDefault: the same eight requests are all served.
func TestNoWorkerCapByDefault(t *testing.T) {
	s := start(t, WithReference(reference.WithLatency(200*time.Millisecond)))
	c := client(t)
	var wg sync.WaitGroup
	results := make([]result, 8)
	for i := range results {
		wg.Go(func() { results[i] = send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "") })
	}
	wg.Wait()
	for _, r := range results {
		r.expectStatus(t, 200)
	}
}
