package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// bodyClass sorts a response body the way a person reading it would:
// the JSON error envelope, other JSON, HTML, other text, nothing.
func bodyClass(contentType, body string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.TrimSpace(body) == "":
		return "empty"
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var env struct {
			Detail struct {
				Code string `json:"code"`
			} `json:"detail"`
		}
		if json.Unmarshal([]byte(body), &env) == nil && env.Detail.Code != "" {
			return "envelope"
		}
		return "json"
	case mt == "text/html":
		return "html"
	}
	return "text"
}

// judgesEnvelope are the checks that pass only when every refusal they
// judge carries the error envelope. EXPORT-NOT-READY is left out: its
// export is ready by the time a line is pasted.
var judgesEnvelope = map[string]bool{
	"AUTH-MISSING": true, "AUTH-FORMAT": true, "AUTH-UNKNOWN": true, "AUTH-REVOKED": true, "AUTH-EXPIRED": true,
	"AUTH-UNBOUND": true, "AUTH-NON-MEMBER": true, "SCOPE-INSUFFICIENT": true, "CREDITS-INSUFFICIENT": true,
	"NOTFOUND-UNKNOWN-ID": true, "NOTFOUND-OTHER-WORKSPACE": true, "VALIDATION-422": true,
	"ENVELOPE-ANY-ACCEPT": true, "HTTP-METHOD-405": true, "HTTP-UNKNOWN-ROUTE": true,
}

// replay runs a report's curl line with the real curl, the tokens in the
// environment as a person who pasted the export lines has them, and
// returns the status and the class of the body it got.
func replay(curlBin, line string, env map[string]string) (int, string, error) {
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = []string{"PATH=" + filepath.Dir(curlBin), "HOME=/nonexistent"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil)
	if err != nil {
		return 0, "", fmt.Errorf("reading what curl printed: %w", err)
	}
	var body strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&body)
	return resp.StatusCode, bodyClass(resp.Header.Get("Content-Type"), body.String()), nil
}

// TestPastingACurlLineGetsWhatConformSaw runs the suite against the
// reference, then pastes the curl line of every refused request of the
// run into a shell, as a person fixing a failure would: each must get the
// status conform got and the body class conform saw. Against the plain
// reference every check passes, so conform saw the envelope on every
// refusal; against a server that answers HTML to any Accept but JSON's,
// conform and the pasted line must both see HTML. Requests to POST
// /exports with a token are left out: its limit of 5 a minute per token
// is spent by the run. Rate-limited answers are left out too.
func TestPastingACurlLineGetsWhatConformSaw(t *testing.T) {
	t.Parallel() // the replays are processes of their own, mostly starting up: overlapped with the other tests
	curlBin, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on PATH")
	}
	for _, tc := range []struct {
		name  string
		fault string
	}{
		{"the reference", ""},
		{"a server answering HTML unless asked for JSON", "html-for-any-accept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reference.Option
			if tc.fault != "" {
				opts = append(opts, reference.WithFaults(tc.fault))
			}
			ref, base := serveReference(t, opts...)
			env := tokenEnv(ref.Tokens(), base)
			path := filepath.Join(t.TempDir(), "r.json")
			res := runConformInProcess(t, env, "run", "--json-report", path)
			if res.code != exitOK && res.code != exitViolations {
				t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			r := readJSONReport(t, path)
			type job struct {
				check, curl, want string
				status            int
			}
			var jobs []job
			seen := map[string]bool{}
			for _, c := range r.Checks {
				for _, ex := range c.Exchanges {
					if ex.Status < 400 || ex.Status == 429 || ex.Throttled || seen[ex.Curl] || c.ID == "EXPORT-NOT-READY" ||
						(ex.Method == "POST" && ex.Path == "/exports" && ex.Role != "") {
						continue
					}
					seen[ex.Curl] = true
					want := ""
					switch {
					case ex.Header != nil:
						want = bodyClass(ex.Header.Get("Content-Type"), ex.BodyText)
					case c.Status == report.Passed && judgesEnvelope[c.ID]:
						want = "envelope" // a passed check of the envelope saw it on each refusal
					default:
						continue // summarised without its body
					}
					jobs = append(jobs, job{c.Name(), ex.Curl, want, ex.Status})
				}
			}
			// Pasted four at a time: each is a shell and a curl, mostly
			// starting up; every line is replayed and judged.
			type got struct {
				status int
				class  string
				err    error
			}
			results := make([]got, len(jobs))
			next := make(chan int)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for i := range next {
						results[i].status, results[i].class, results[i].err = replay(curlBin, jobs[i].curl, env)
					}
				})
			}
			for i := range jobs {
				next <- i
			}
			close(next)
			wg.Wait()
			replayed := len(jobs)
			for i, j := range jobs {
				g := results[i]
				if g.err != nil {
					t.Fatalf("%s: %v", j.curl, g.err)
				}
				if g.status != j.status || g.class != j.want {
					t.Errorf("%s: pasting its curl line got %d (%s), conform got %d (%s)\n  %s", j.check, g.status, g.class, j.status, j.want, j.curl)
				}
			}
			if replayed < 20 {
				t.Errorf("replayed %d curl lines, want at least 20 of a full run", replayed)
			}
			t.Logf("replayed %d curl lines", replayed)
		})
	}
}
