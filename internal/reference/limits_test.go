package reference

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestEveryEndpointAllowsItsDocumentedBurstThen429(t *testing.T) {
	for _, tc := range []struct {
		endpoint, method, path string
		limit                  int
	}{
		{endpointSearchCompanies, http.MethodPost, "/companies/search", 60},
		{endpointGetCompany, http.MethodGet, "/companies/" + nameUUID("missing"), 120},
		{endpointGetCredits, http.MethodGet, "/credits", 60},
		{endpointCreateExport, http.MethodPost, "/exports", 5}, // empty body: 422s spend the bucket too
		{endpointGetExport, http.MethodGet, "/exports/" + nameUUID("missing"), 120},
		{endpointDownloadExport, http.MethodPost, "/exports/" + nameUUID("missing") + "/download", 30},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			e := newEnv(t)
			for i := range tc.limit {
				if r := e.do(tc.method, v1+tc.path, RoleReadWrite, ""); r.status == http.StatusTooManyRequests {
					t.Fatalf("request %d of %d got 429", i+1, tc.limit)
				}
			}
			r := e.do(tc.method, v1+tc.path, RoleReadWrite, "")
			r.expectError(t, http.StatusTooManyRequests, codeRateLimited)
			want := strconv.Itoa(ceilSeconds(time.Minute / time.Duration(tc.limit)))
			if got := r.header.Get("Retry-After"); got != want {
				t.Errorf("Retry-After %q, want %q", got, want)
			}
		})
	}
}

func TestBucketsArePerTokenAndPerEndpoint(t *testing.T) {
	e := newEnv(t)
	for range 60 {
		e.get("/credits", RoleRead)
	}
	e.get("/credits", RoleRead).expectStatus(t, http.StatusTooManyRequests)
	e.get("/credits", RoleReadWrite).expectStatus(t, http.StatusOK)
	e.post("/companies/search", RoleRead, `{}`).expectStatus(t, http.StatusOK)
}

func TestBucketRefillsSteadilyByTheClock(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.post("/exports", RoleReadWrite, `{}`)
	}
	r := e.post("/exports", RoleReadWrite, `{}`)
	if got := r.header.Get("Retry-After"); r.status != 429 || got != "12" {
		t.Fatalf("6th export: status %d, Retry-After %q; want 429 and 12 (5/min)", r.status, got)
	}
	e.clock.Advance(11500 * time.Millisecond)
	if got := e.post("/exports", RoleReadWrite, `{}`).header.Get("Retry-After"); got != "1" {
		t.Errorf("0.5s before the refill: Retry-After %q, want 1 (rounded up)", got)
	}
	e.clock.Advance(500 * time.Millisecond)
	e.post("/exports", RoleReadWrite, `{}`).expectStatus(t, http.StatusUnprocessableEntity)
	e.post("/exports", RoleReadWrite, `{}`).expectStatus(t, http.StatusTooManyRequests)

	e.clock.Advance(time.Minute)
	for i := range 5 {
		if r := e.post("/exports", RoleReadWrite, `{}`); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("after a full window, request %d: status %d", i+1, r.status)
		}
	}
	e.post("/exports", RoleReadWrite, `{}`).expectStatus(t, http.StatusTooManyRequests)
}

func TestRateWindowScalesEveryLimit(t *testing.T) {
	e := newEnv(t, WithRateWindow(2*time.Second))
	for range 60 {
		e.get("/credits", RoleRead)
	}
	r := e.get("/credits", RoleRead)
	r.expectStatus(t, http.StatusTooManyRequests)
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1 (at least one second)", got)
	}
	e.clock.Advance(2 * time.Second)
	for i := range 60 {
		if r := e.get("/credits", RoleRead); r.status != http.StatusOK {
			t.Fatalf("after the window, request %d: status %d", i+1, r.status)
		}
	}
}

func TestCeilSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{time.Nanosecond, 1}, {time.Second, 1}, {time.Second + 1, 2}, {12 * time.Second, 12}, {0, 1},
	} {
		if got := ceilSeconds(tc.d); got != tc.want {
			t.Errorf("ceilSeconds(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}
