package main

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrencyBoundsTheRequestsInFlight runs AUTH-MISSING, whose probes
// go out as one concurrent batch, against a reference that takes 20 ms per
// answer and counts its peak of requests in flight: at the default several
// overlap, under --concurrency 1 never two.
func TestConcurrencyBoundsTheRequestsInFlight(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		args     []string
		wantPeak func(int64) bool
	}{
		{"by default", nil, func(p int64) bool { return p > 1 }},
		{"--concurrency 1", []string{"--concurrency", "1"}, func(p int64) bool { return p == 1 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inFlight, peak atomic.Int64
			env := wrappedReference(t, func(ref http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n := inFlight.Add(1)
					defer inFlight.Add(-1)
					for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					ref.ServeHTTP(w, r)
				})
			})
			res := runConform(t, env, append([]string{"run", "--focus", "^AUTH-MISSING"}, tt.args...)...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			if p := peak.Load(); !tt.wantPeak(p) {
				t.Errorf("peak of %d requests in flight", p)
			}
		})
	}
}

func TestConcurrencyBelowOneIsAUsageError(t *testing.T) {
	res := runConform(t, nil, "run", "--concurrency", "0")
	if res.code != exitUsage || !strings.Contains(res.stderr, "--concurrency must be at least 1") {
		t.Errorf("exit %d, stderr %q; want 2 saying --concurrency must be at least 1", res.code, res.stderr)
	}
}
