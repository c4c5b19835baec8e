package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/stackserver"
)

// TestASmallWorkerPoolIsNotAContractViolation runs the auth checks, whose
// probes go out as concurrent batches, against a stack with two workers
// that answers 503 to a third request in flight: at the default
// concurrency the 503s are retried until answered and the run says so;
// under --concurrency 2 there are none to retry. Either way the target
// conforms, and no 503 reaches a check unmarked. (The rate-limit burst is
// never retried: at the default concurrency it meets 503s, marked
// Overloaded, for its check to judge.)
func TestASmallWorkerPoolIsNotAContractViolation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		args        []string
		wantRetries bool
	}{
		{"at the default concurrency", []string{"--label-filter", "auth"}, true},
		{"--concurrency 2", []string{"--label-filter", "auth", "--concurrency", "2"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stackserver.Start(stackserver.WithWorkers(2), stackserver.WithReference(reference.WithLatency(20*time.Millisecond)))
			t.Cleanup(s.Close)
			path := filepath.Join(t.TempDir(), "r.json")
			res := runConform(t, tokenEnv(s.Tokens(), s.BaseURL()), append([]string{"run", "--json-report", path}, tt.args...)...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout[max(0, len(res.stdout)-6000):], res.stderr)
			}
			r := readJSONReport(t, path)
			notes := strings.Join(r.Notes, "\n")
			if got := r.Stats.OverloadRetries > 0; got != tt.wantRetries {
				t.Errorf("%d overload retries, want some: %v", r.Stats.OverloadRetries, tt.wantRetries)
			}
			if said := strings.Contains(notes, "502, 503 or 504"); said != tt.wantRetries {
				t.Errorf("the notes say the target was overloaded: %v, want %v\n%s", said, tt.wantRetries, notes)
			}
			for _, ch := range r.Checks {
				for _, ex := range ch.Exchanges {
					if ex.Status == 503 && !ex.Overloaded {
						t.Errorf("%s: a 503 not marked Overloaded", ch.Name())
					}
				}
			}
		})
	}
}
