package stackserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

const deadDownload = "POST /api/v1/exports/{export_id}/download"

// A dead route answers the gateway's page to everyone; the rest answers.
func TestADeadRouteAnswersTheGatewaysPageToEveryone(t *testing.T) {
	for _, status := range []int{502, 504} {
		s := start(t, WithDeadRoute(deadDownload, status))
		c := client(t)
		for _, role := range []string{"", reference.RoleRead, reference.RoleReadWrite} {
			got := send(c, s, "POST", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000/download", role, "")
			if got.status != status || !strings.Contains(string(got.body), "nginx") {
				t.Errorf("%d, role %q: %d %q", status, role, got.status, got.body)
			}
		}
		if got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, ""); got.status != 200 {
			t.Errorf("GET /credits: %d, want 200: only the dead route is dead", got.status)
		}
	}
}

// Status 0 answers nothing until the client gives up.
func TestAStuckRouteAnswersNothing(t *testing.T) {
	s := start(t, WithDeadRoute(deadDownload, 0))
	c := client(t)
	c.Timeout = 200 * time.Millisecond
	if got := send(c, s, "POST", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000/download", reference.RoleRead, ""); got.err == nil {
		t.Errorf("got %d, want no answer", got.status)
	}
}

// The limiter refuses one token past its limit while another is served;
// a request without a header is not limited.
func TestATokenLimiterRefusesOneTokenAndServesAnother(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lim    Limiter
		status int
		check  func(t *testing.T, r result)
	}{
		{"nginx 503", Limiter{Route: "GET /api/v1/credits", Limit: 3, Window: time.Minute, Status: 503}, 503, func(t *testing.T, r result) {
			if r.header.Get("Retry-After") != "" || !strings.Contains(string(r.body), "nginx") {
				t.Errorf("want nginx's page without Retry-After: %v %q", r.header, r.body)
			}
		}},
		{"429 in milliseconds", Limiter{Route: "GET /api/v1/credits", Limit: 3, Window: 2 * time.Second, Status: 429, RetryAfterMillis: true}, 429, func(t *testing.T, r result) {
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 100 || n > 2000 {
				t.Errorf("Retry-After %q, want the milliseconds left in a 2s window", r.header.Get("Retry-After"))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, WithTokenLimiter(tc.lim))
			c := client(t)
			for i := range 3 {
				if got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, ""); got.status != 200 {
					t.Fatalf("request %d: %d, want 200 within the limit", i, got.status)
				}
			}
			got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "")
			if got.status != tc.status {
				t.Fatalf("past the limit: %d, want %d", got.status, tc.status)
			}
			tc.check(t, got)
			if other := send(c, s, "GET", "/api/v1/credits", reference.RoleReadWrite, ""); other.status != 200 {
				t.Errorf("another token: %d, want 200", other.status)
			}
			if none := send(c, s, "GET", "/api/v1/credits", "", ""); none.status != 401 {
				t.Errorf("no header: %d, want the reference's 401", none.status)
			}
		})
	}
}

// The shared cache serves a stored 200 to anyone once a token got it.
func TestASharedCacheServesAStored200ToAnyone(t *testing.T) {
	s := start(t, WithSharedCache("GET /api/v1/credits"))
	c := client(t)
	if cold := send(c, s, "GET", "/api/v1/credits", "", ""); cold.status != 401 {
		t.Fatalf("cold, no header: %d, want 401", cold.status)
	}
	warm := send(c, s, "GET", "/api/v1/credits", reference.RoleReadWrite, "")
	for _, role := range []string{"", reference.RoleExpired, reference.RoleNoCredits} {
		if got := send(c, s, "GET", "/api/v1/credits", role, ""); got.status != 200 || string(got.body) != string(warm.body) {
			t.Errorf("role %q after a 200: %d %q, want the stored 200", role, got.status, got.body)
		}
	}
}

// On GET /exports/{export_id} the cache stores each export's URL: the
// export a token read is served to anyone asking for its URL, while
// another id still reaches the API. Both routes can be cached at once.
func TestASharedCacheStoresAnExportByItsURL(t *testing.T) {
	s := start(t, WithSharedCache("GET /api/v1/credits", "GET /api/v1/exports/{export_id}"))
	c := client(t)
	created := send(c, s, "POST", "/api/v1/exports", reference.RoleReadWrite, `{"name":"cache probe","search_filters":{"countries":["Germany"]}}`)
	var body struct {
		ExportJob struct {
			ID string `json:"id"`
		} `json:"export_job"`
	}
	if err := json.Unmarshal(created.body, &body); err != nil || created.status != 201 || body.ExportJob.ID == "" {
		t.Fatalf("creating an export: %d %q", created.status, created.body)
	}
	path := "/api/v1/exports/" + body.ExportJob.ID
	if cold := send(c, s, "GET", path, "", ""); cold.status != 401 {
		t.Fatalf("cold, no header: %d, want 401", cold.status)
	}
	warm := send(c, s, "GET", path, reference.RoleReadWrite, "")
	if warm.status != 200 {
		t.Fatalf("the export with its token: %d, want 200", warm.status)
	}
	for _, role := range []string{"", reference.RoleExpired, reference.RoleNoCredits} {
		if got := send(c, s, "GET", path, role, ""); got.status != 200 || string(got.body) != string(warm.body) {
			t.Errorf("role %q after a 200: %d %q, want the stored 200", role, got.status, got.body)
		}
	}
	if other := send(c, s, "GET", "/api/v1/exports/6a0f3c4e-0000-4000-8000-000000000000", "", ""); other.status != 401 {
		t.Errorf("another export's URL, no header: %d, want 401 from the API", other.status)
	}
	send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "")
	if got := send(c, s, "GET", "/api/v1/credits", "", ""); got.status != 200 {
		t.Errorf("GET /credits after a 200, no header: %d, want the stored 200", got.status)
	}
}

// Past n requests in flight from one client: 429, Connection: close, no
// Retry-After.
func TestAConnectionCapRefusesWithoutRetryAfter(t *testing.T) {
	s := start(t, WithConnsPerClient(1), WithReference(reference.WithLatency(100*time.Millisecond)))
	c := client(t)
	results := make([]result, 4)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "") })
	}
	wg.Wait()
	refused := 0
	for _, r := range results {
		if r.status == http.StatusTooManyRequests {
			refused++
			if r.header.Get("Retry-After") != "" {
				t.Errorf("Retry-After %q, want none", r.header.Get("Retry-After"))
			}
		}
	}
	if refused == 0 {
		t.Error("no request refused past the cap")
	}
}

// On a clock of the test's, the limiter's window passes when the clock
// says so, not the wall clock: a token refused past its limit is served
// again once the clock has moved a window on, and the Retry-After names
// the time the clock leaves in the window.
func TestTheLimiterReadsTheStacksClock(t *testing.T) {
	clock := reference.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := start(t, WithClock(clock), WithTokenLimiter(Limiter{Route: "GET /api/v1/credits", Limit: 1, Window: time.Hour, Status: 429}))
	c := client(t)
	if got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, ""); got.status != 200 {
		t.Fatalf("within the limit: %d, want 200", got.status)
	}
	clock.Advance(40 * time.Minute)
	got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, "")
	if got.status != 429 || got.header.Get("Retry-After") != "1200" {
		t.Fatalf("past the limit: %d, Retry-After %q; want 429 and the 20 minutes the clock leaves", got.status, got.header.Get("Retry-After"))
	}
	clock.Advance(20 * time.Minute)
	if got := send(c, s, "GET", "/api/v1/credits", reference.RoleRead, ""); got.status != 200 {
		t.Errorf("a window later on the clock: %d, want 200", got.status)
	}
}
