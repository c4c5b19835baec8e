package match

import (
	"strings"
	"testing"
	"time"
)

// hostileBodies are error bodies of the given size shaped to make a scan
// quadratic: many matches inside one URL-like run, and long runs of the
// characters the leak patterns repeat.
func hostileBodies(size int) map[string]string {
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	return map[string]string{
		"URL-like text without a delimiter": fill("https://cornect.io/app/x"),
		"URL-like text with spaces":         fill("see https://cornect.io/app/settings/api-tokens "),
		"word characters":                   fill("a"),
		"word characters and slashes":       fill("a/"),
		"backslashes and slashes":           fill(`a\/`),
		"file names without a line":         fill("a.py"),
		"paths inside one URL":              "https://x" + fill("/home/a"),
		"Java frames without a file":        fill("at a.b("),
		"goroutine without a state":         fill("goroutine 1 "),
		"token variables":                   fill("$CONFORM_TOKEN_"),
	}
}

// TestNotLeakIsLinearInTheBody compares how the time to judge a body grows
// with its size, not the time itself: eight times the body must take about
// eight times as long (a quadratic scan takes 64 times), so a loaded machine
// or the race detector, which slow both sizes alike, cannot fail it.
func TestNotLeakIsLinearInTheBody(t *testing.T) {
	const small, large = 64 << 10, 512 << 10
	const maxGrowth = 24 // linear is 8; quadratic 64
	smallBodies, largeBodies := hostileBodies(small), hostileBodies(large)
	judge := func(body string) time.Duration {
		ex := exchange(404, "application/json", body)
		best := time.Duration(1<<63 - 1)
		for range 3 { // the fastest of three: what the scan costs, less the machine's noise
			start := time.Now()
			_, _ = NotLeak("cornect_5f0e3a9c1b7d2e4f6a8c0b1d3e5f7a9c").Match(ex)
			best = min(best, time.Since(start))
		}
		return max(best, time.Millisecond) // below a millisecond, a ratio is noise
	}
	for name := range largeBodies {
		t.Run(name, func(t *testing.T) {
			s, l := judge(smallBodies[name]), judge(largeBodies[name])
			growth := float64(l) / float64(s)
			t.Logf("growth %.1f (%s, %s)", growth, s, l)
			if growth > maxGrowth {
				t.Errorf("judging 8 times the body took %.0f times as long (%s for 64 KiB, %s for 512 KiB), want at most %d: the scan is not linear",
					growth, s, l, maxGrowth)
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
