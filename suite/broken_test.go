package suite

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// judgeBroken fails a check left inconclusive by overload when one of its
// operations answered nothing else all run, with and without credentials,
// while others answered; a violation per unanswered exchange of the broken
// operation, none for the merely overloaded one. A check whose overload
// was transient stays inconclusive.
func TestJudgeBrokenFailsOnlyOnABrokenOperation(t *testing.T) {
	var flaky atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dead":
			w.WriteHeader(http.StatusBadGateway)
		case "/flaky":
			if flaky.Add(1) == 1 {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(ts.Close)
	cred := probe.RoleRead.Credential("cornect_" + strings.Repeat("ab", 16))
	c, err := probe.New(probe.Options{BaseURL: ts.URL, Credentials: []probe.Credential{cred}, MaxOverloadRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	auth, tok := probe.Bearer(cred)
	var exs []probe.Exchange
	for _, path := range []string{"/ok", "/dead", "/flaky", "/flaky"} {
		for _, withToken := range []bool{true, false} {
			q := probe.Request{Method: "GET", Path: path}
			if withToken {
				q.Authorization, q.Token = auth, tok
			}
			exs = append(exs, c.Do(context.Background(), q))
		}
	}
	r := &run{cfg: config{Options: Options{Client: c}}}
	mk := func(exs ...probe.Exchange) *spec {
		return &spec{run: r, check: Check{ID: "X", Level: report.Must}, decided: true,
			res: report.Check{Status: report.Inconclusive, Exchanges: exs}}
	}
	both := mk(exs[2], exs[3], exs[6], exs[7]) // the dead operation and the flaky one
	transient := mk(exs[6], exs[7])
	r.specs = []*spec{both, transient}
	r.judgeBroken()

	if both.res.Status != report.Failed || !strings.Contains(both.res.Reason, "broken operation: GET /dead got only 502 (2 attempts)") {
		t.Errorf("dead and flaky: %s %q, want failed naming GET /dead", both.res.Status, both.res.Reason)
	}
	if len(both.res.Violations) != 2 {
		t.Errorf("%d violations, want one per unanswered exchange of GET /dead: %+v", len(both.res.Violations), both.res.Violations)
	}
	for _, v := range both.res.Violations {
		if v.Operation != "GET /dead" || v.Rule != "broken-operation" {
			t.Errorf("violation %+v, want broken-operation on GET /dead", v)
		}
	}
	if transient.res.Status != report.Inconclusive {
		t.Errorf("flaky only: %s, want inconclusive (it answered once)", transient.res.Status)
	}
}
