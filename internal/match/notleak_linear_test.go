package match

import (
	"strings"
	"testing"
	"time"
)

// hostileBodies are 1 MiB error bodies shaped to make a scan quadratic:
// many matches inside one URL-like run, and long runs of the characters
// the leak patterns repeat.
func hostileBodies() map[string]string {
	const size = 1 << 20
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

func TestNotLeakIsLinearInTheBody(t *testing.T) {
	// About 0.1 s each here; the quadratic scan took minutes: room for a
	// loaded CI machine, and for the race detector.
	const bound = 2 * time.Second * raceSlowdown
	for name, body := range hostileBodies() {
		t.Run(name, func(t *testing.T) {
			ex := exchange(404, "application/json", body)
			done := make(chan time.Duration, 1)
			go func() {
				start := time.Now()
				_, _ = NotLeak("cornect_5f0e3a9c1b7d2e4f6a8c0b1d3e5f7a9c").Match(ex)
				done <- time.Since(start)
			}()
			select {
			case took := <-done:
				if took > bound {
					t.Errorf("judging a 1 MiB body took %s, want under %s", took, bound)
				}
			case <-time.After(5 * time.Second * raceSlowdown):
				t.Fatalf("judging a 1 MiB body still runs after %s", 5*time.Second*raceSlowdown)
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
