package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// oneSlotRefilled is a bucket shared by every token, as a limiter keyed
// by the endpoint alone is, met at its worst moment: right after the
// burst's token got its first 429 on GET /credits, one slot refills, and
// the next request of any other token takes it; the ones after get 429,
// the bucket empty again. Every other answer is the reference's.
type oneSlotRefilled struct {
	next  http.Handler
	burst string // the burst token's Authorization header
	mu    sync.Mutex
	// limited: the burst's token got its 429; slotTaken: the refilled
	// slot went to another token's request.
	limited, slotTaken bool
}

func (h *oneSlotRefilled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/credits") {
		h.next.ServeHTTP(w, r)
		return
	}
	h.mu.Lock()
	other := h.limited && r.Header.Get("Authorization") != h.burst
	refuse := other && h.slotTaken
	if other {
		h.slotTaken = true
	}
	h.mu.Unlock()
	if refuse {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"detail":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests."}}`))
		return
	}
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	if rec.Code == http.StatusTooManyRequests && r.Header.Get("Authorization") == h.burst {
		h.mu.Lock()
		h.limited = true
		h.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// TestASharedBucketThatRefilledASlotFailsRateLimitPerToken: one request of
// another token after the burst's 429 can be served by a shared bucket
// that just refilled a slot; RATE-LIMIT-PER-TOKEN sends several at once,
// which one slot does not serve, and fails the shared bucket.
func TestASharedBucketThatRefilledASlotFailsRateLimitPerToken(t *testing.T) {
	ref, clock := clockedReference()
	tokens := ref.Tokens()
	target := &oneSlotRefilled{next: ref, burst: "Bearer " + tokens[string(probe.RoleRead)]}
	srv := httptest.NewServer(target)
	t.Cleanup(srv.Close)
	base := srv.URL + "/api/v1"
	shareClock(t, base, clock)
	path := filepath.Join(t.TempDir(), "r.json")
	res := runConformInProcess(t, tokenEnv(tokens, base), "run", "--focus", "^RATE-LIMIT-", "--json-report", path)
	r := readJSONReport(t, path)
	c, _ := checkNamed(r, "RATE-LIMIT-PER-TOKEN")
	if res.code != exitViolations || c.Status != report.Failed {
		t.Errorf("exit %d, RATE-LIMIT-PER-TOKEN %s; want exit 1 and the check failed: one refilled slot served one request of another token, not the others sent with it\n%s\n%s", res.code, c.Status, c.Explanation(), res.stdout)
	}
	if !target.slotTaken {
		t.Error("no other token's request met the refilled slot: the burst never got its 429")
	}
}
