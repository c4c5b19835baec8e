package match

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hostileBodies are 1 MiB error bodies shaped to make a scan quadratic:
// many matches inside one URL-like run, and long runs of the characters
// the leak patterns repeat. Each starts with a needle of every pattern
// that is no match (leakPattern), so every pattern scans the whole body.
func hostileBodies() map[string]string {
	const size = 1 << 20
	const needles = "goroutine .java: .py /home/ "
	fill := func(unit string) string { return needles + strings.Repeat(unit, size/len(unit)) }
	return map[string]string{
		"URL-like text without a delimiter": fill("https://cornect.io/app/x"),
		"URL-like text with spaces":         fill("see https://cornect.io/app/settings/api-tokens "),
		"word characters":                   fill("a"),
		"word characters and slashes":       fill("a/"),
		"backslashes and slashes":           fill(`a\/`),
		"file names without a line":         fill("a.py"),
		"paths inside one URL":              needles + "https://x" + strings.Repeat("/home/a", size/7),
		"Java frames without a file":        fill("at a.b("),
		"goroutine without a state":         fill("goroutine 1 "),
		"token variables":                   fill("$CONFORM_TOKEN_"),
	}
}

func TestNotLeakIsLinearInTheBody(t *testing.T) {
	// Linear is judged by how the work grows, not by a wall-clock bound,
	// which a loaded machine or the race detector breaks: judging a body
	// eight times longer must take less than 24 times the CPU (a linear
	// scan takes eight, a quadratic one 64; four times the body, with a
	// bound of eight, once measured 8.07 on a loaded machine, the memory
	// caches and the collector not growing quite linearly). The time is
	// the judging thread's CPU time, which other
	// work on the machine does not inflate, the least of three runs. A
	// scan still running after a minute (ten under the race detector) has
	// hung.
	judge := func(body string) time.Duration {
		best := time.Duration(math.MaxInt64)
		for range 3 {
			ex := exchange(404, "application/json", body)
			runtime.GC()
			start := threadCPU()
			_, _ = NotLeak("cornect_5f0e3a9c1b7d2e4f6a8c0b1d3e5f7a9c").Match(ex)
			best = min(best, threadCPU()-start)
		}
		return best
	}
	for name, body := range hostileBodies() {
		t.Run(name, func(t *testing.T) {
			done := make(chan [2]time.Duration, 1)
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				part := judge(body[:len(body)/8])
				done <- [2]time.Duration{part, judge(body)}
			}()
			select {
			case took := <-done:
				// Below a few milliseconds, the clock's resolution decides.
				if took[1] > 5*time.Millisecond && took[1] > 24*took[0] {
					t.Errorf("judging 128 KiB took %s of CPU, 1 MiB %s: more than 24 times as much, not linear", took[0], took[1])
				}
			case <-time.After(time.Minute * raceSlowdown):
				t.Fatalf("judging a 1 MiB body still runs after %s", time.Minute*raceSlowdown)
			}
		})
	}
}

func TestNotLeakStillFindsALeakAfterAMiBOfLinks(t *testing.T) {
	links := strings.Repeat("https://cornect.io/app/x", (1<<20)/24)
	tests := []struct {
		name, body string
		leak       bool
	}{
		{"links only", links, false},
		{"links, then a path", links + ` at /app/capi/routers/companies.py", line 88`, true},
		{"a path glued to the links", links + `/home/deploy/app.py:12`, false}, // still inside the URL
		{"links, a quote, then a path", links + `"/home/deploy/app`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NotLeak()
			ok, _ := m.Match(exchange(500, "text/plain", tt.body))
			if ok == tt.leak {
				t.Errorf("flagged = %v, want %v: %v", !ok, tt.leak, Findings(m))
			}
		})
	}
}
