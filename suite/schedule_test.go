package suite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/memnet"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// threeWaitsInBubble names the run TestIndependentWaitsOverlap makes in a
// process of its own: Ginkgo runs once per process.
const threeWaitsInBubble = "CONFORM_TEST_THREE_WAITS"

// longWait is the Retry-After of each of the three 429s.
const longWait = 60 * time.Second

// threeWaits is the reference behind a limiter with long windows, as
// met in the wild: three operations that have nothing to do with each
// other answer 429 with Retry-After: 60 once each — the export the
// exports family creates, the 405 probe of /exports, and the first read of
// a company (GET /companies/{id} with CONFORM_TOKEN_READ). The rate-limit
// burst, which runs alone (schedule.go), meets the reference's own limiter
// after them.
type threeWaits struct {
	next            http.Handler
	read, readWrite string // the Authorization values of two tokens
	create          []byte // the body of the export the exports family creates

	mu   sync.Mutex
	gave map[string]bool // which of the three 429s were given
}

func (h *threeWaits) once(which string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gave[which] {
		return false
	}
	h.gave[which] = true
	return true
}

func (h *threeWaits) given() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]bool{}
	for k, v := range h.gave {
		out[k] = v
	}
	return out
}

func (h *threeWaits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	limited := func() {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", fmt.Sprint(int(longWait.Seconds())))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"RATE_LIMITED","message":"Rate limit exceeded. Retry after the number of seconds in Retry-After."}}`))
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/v1/exports" && auth == h.readWrite && jsonEqual(body, h.create):
		if h.once("POST /exports") {
			limited()
			return
		}
	case r.Method == "PATCH" && r.URL.Path == "/api/v1/exports":
		if h.once("PATCH /exports") {
			limited()
			return
		}
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/v1/companies/") && auth == h.read:
		if h.once("GET /companies/{id}") {
			limited()
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TestIndependentWaitsOverlap runs the whole suite, on the fake clock of
// testing/synctest, against a target whose three independent operations
// each answer 429 with Retry-After: 60 once: POST /exports (the exports
// family), PATCH /exports (the 405 probe) and GET /companies/{id} (the
// not-found or read-scope probes). The waits belong to different tokens
// and operations, so they overlap: the run takes about 60 s, not the
// 180 s of serving them one after another, and every check still passes.
func TestIndependentWaitsOverlap(t *testing.T) {
	if os.Getenv(threeWaitsInBubble) == "" {
		inProcessOfItsOwn(t, "TestIndependentWaitsOverlap", threeWaitsInBubble, "1")
		return
	}
	inBubbleOfItsOwn(t, runThreeWaits)
}

// inBubbleOfItsOwn runs a whole suite run, body, in a testing/synctest
// bubble, in the process inProcessOfItsOwn started, and ends that process
// with body's problems printed. Ginkgo asks for signals, so the runtime's
// signal watcher starts outside the bubble; and Ginkgo leaves a goroutine
// waiting for signals when it is done, which the bubble would wait for
// forever, so the process ends from inside the bubble.
func inBubbleOfItsOwn(t *testing.T, body func(problem func(format string, args ...any))) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	signal.Stop(sig)
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	synctest.Test(t, func(t *testing.T) {
		defer func() {
			for _, p := range problems {
				fmt.Println("problem: " + strings.ReplaceAll(p, "\n", " | "))
			}
			if len(problems) > 0 {
				os.Exit(1)
			}
			os.Exit(0)
		}()
		body(problem)
	})
}

// inProcessOfItsOwn runs the test name again in a process of its own, with
// env set to value, and reports its "problem: " lines as errors, its "note: "
// lines as logs.
func inProcessOfItsOwn(t *testing.T, name, env, value string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+value)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if msg, ok := strings.CutPrefix(line, "problem: "); ok {
			t.Error(msg)
		} else if msg, ok := strings.CutPrefix(line, "note: "); ok {
			t.Log(msg)
		}
	}
	if err != nil && !t.Failed() {
		t.Fatalf("%v\n%s", err, out)
	}
}

// runThreeWaits is TestIndependentWaitsOverlap's run, inside the bubble:
// the whole suite against threeWaits, each problem reported.
func runThreeWaits(problem func(format string, args ...any)) {
	ref := reference.New()
	prof := fixtures.Default()
	create, _ := prof.Endpoint(prof.Exports.CreateEndpoint)
	tokens := ref.Tokens()
	target := &threeWaits{
		next: ref, read: "Bearer " + tokens[string(probe.RoleRead)], readWrite: "Bearer " + tokens[string(probe.RoleReadWrite)],
		create: create.Body, gave: map[string]bool{},
	}
	ln := memnet.Listen()
	srv := &http.Server{Handler: target}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	values := map[probe.Role]string{}
	for name, v := range tokens {
		values[probe.Role(name)] = v
	}
	byRole, creds := probe.Credentials(values)
	client, err := probe.New(probe.Options{
		BaseURL: "http://reference/api/v1", Credentials: creds, Limits: prof.Limits(), Dial: ln.Dial,
		MaxRetryWait: 2 * longWait, // wait what Retry-After asks, all of it
	})
	if err != nil {
		problem("%v", err)
		return
	}
	start := time.Now()
	plan, err := suite.NewPlan(suite.PlanConfig{Profile: prof, Tokens: byRole})
	if err != nil {
		problem("%v", err)
		return
	}
	out, err := suite.Run(context.Background(), plan, suite.Options{Client: client})
	took := time.Since(start)
	if err != nil || out.Incomplete != "" {
		problem("the run: %v %s", err, out.Incomplete)
		return
	}
	for _, which := range []string{"POST /exports", "PATCH /exports", "GET /companies/{id}"} {
		if !target.given()[which] {
			problem("the target never answered %s with its long 429: the scenario did not happen", which)
		}
	}
	for _, c := range out.Checks {
		if c.Status != report.Passed && !(c.ID == "SCOPE-NO-SIDE-EFFECT" && c.Skip == report.SkipNotApplicable) {
			problem("%s: %s\n%s", c.Name(), c.Status, c.Explanation())
		}
	}
	stats := client.Stats()
	fmt.Printf("note: three waits of %s each; the run took %s of the fake clock, %d requests, %d waited out after 429 (%s in all, %s of wall time)\n",
		longWait, took.Round(time.Millisecond), stats.Requests, stats.Retries, stats.RetryWaited.Round(time.Millisecond), stats.RetryWall.Round(time.Millisecond))
	if stats.Retries != 3 {
		problem("the client waited out %d unprovoked 429s, want 3 (POST /exports, the 405 probe, GET /companies/{id})", stats.Retries)
	}
	// The longest chain is one wait (and the reference's run of about
	// a second around it); served one after another they take 180 s.
	if took < longWait || took > longWait+longWait/4 {
		problem("the run took %s of the fake clock; three independent waits of %s each overlap, so it should take about %s, not their sum", took, longWait, longWait)
	}
}
