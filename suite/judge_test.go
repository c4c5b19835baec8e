package suite

import (
	"net/http"
	"testing"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

func ex(status int, body string) probe.Exchange {
	h := http.Header{"Content-Type": {"application/json"}}
	return probe.Exchange{Method: "GET", Path: "/credits", Status: status, Header: h, Body: []byte(body), BodyText: body}
}

// TestAssess pins how a matcher's findings become an outcome: each row
// breaks one rule of judging.
func TestAssess(t *testing.T) {
	ok401 := ex(401, `{"detail":{"code":"MISSING_AUTH_HEADER","message":"x"}}`)
	bad := ex(200, `{}`)
	throttled := ex(429, `{"detail":{"code":"RATE_LIMITED","message":"x"}}`)
	throttled.Throttled = true
	overloaded := ex(503, `<html>502 Bad Gateway</html>`)
	overloaded.Overloaded = true
	missing := match.BeError(match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"})
	tests := []struct {
		name   string
		level  report.Level
		strict bool
		exs    []probe.Exchange
		want   report.Status
	}{
		{"a MUST met passes", report.Must, false, []probe.Exchange{ok401}, report.Passed},
		{"a MUST broken fails", report.Must, false, []probe.Exchange{ok401, bad}, report.Failed},
		{"a SHOULD broken warns", report.Should, false, []probe.Exchange{bad}, report.Warning},
		{"a SHOULD broken fails under --strict", report.Should, true, []probe.Exchange{bad}, report.Failed},
		{"a 429 conform stopped waiting out is inconclusive, never judged", report.Must, false, []probe.Exchange{throttled, bad}, report.Inconclusive},
		{"a 503 conform stopped retrying is inconclusive, never judged", report.Must, false, []probe.Exchange{ok401, overloaded}, report.Inconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := assess(tt.level, tt.strict, tt.exs, tt.exs, missing)
			if v.status != tt.want {
				t.Errorf("status %s, want %s", v.status, tt.want)
			}
		})
	}
	t.Run("operations carry the verdict of their own exchanges", func(t *testing.T) {
		other := bad
		other.Path = "/exports"
		v := assess(report.Must, false, []probe.Exchange{ok401, other}, []probe.Exchange{ok401, other}, missing)
		got := map[string]report.Status{}
		for _, o := range v.operations {
			got[o.Key()] = o.Status
		}
		if got["GET /credits"] != report.Passed || got["GET /exports"] != report.Failed {
			t.Errorf("operations %v", got)
		}
	})
	t.Run("a matcher that cannot judge is conform's error", func(t *testing.T) {
		v := assess(report.Must, false, nil, "not an exchange", missing)
		if v.status != report.Error || v.err == nil {
			t.Errorf("status %s err %v, want an error", v.status, v.err)
		}
	})
	t.Run("a matcher that fails without findings is conform's error, in its own words", func(t *testing.T) {
		m := silentMismatch{}
		v := assess(report.Must, false, []probe.Exchange{ok401}, ok401, m)
		if want := m.FailureMessage(nil); v.status != report.Error || v.err == nil || v.err.Error() != want {
			t.Errorf("status %s err %v, want an error saying %q", v.status, v.err, want)
		}
	})
}

// silentMismatch is a matcher that fails and finds nothing: a defect of
// the matcher, which judging must not take for a pass.
type silentMismatch struct{}

func (silentMismatch) Match(any) (bool, error)          { return false, nil }
func (silentMismatch) FailureMessage(any) string        { return "expected something it cannot name" }
func (silentMismatch) NegatedFailureMessage(any) string { return "" }

func TestMissingNamesTheVariablesToSet(t *testing.T) {
	set := func(r probe.Role) bool { return r == probe.RoleRead }
	if got := missing([]Need{{probe.RoleRead}}, set); got != "" {
		t.Errorf("a met need: %q", got)
	}
	got := missing([]Need{{probe.RoleReadWrite, probe.RoleNoCredits}, {probe.RoleExpired}}, set)
	want := "CONFORM_TOKEN_READ_WRITE or CONFORM_TOKEN_NO_CREDITS and CONFORM_TOKEN_EXPIRED not set; export it to run this check"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestAnAnchoredFocusSelectsTheCheckFromItsID(t *testing.T) {
	sel, err := Filters{Focus: []string{"^AUTH-FORMAT"}}.compile()
	if err != nil {
		t.Fatal(err)
	}
	if !sel.selects("conform CAPI error contract authentication AUTH-FORMAT x Basic scheme", "AUTH-FORMAT x Basic scheme", nil) {
		t.Error("^AUTH-FORMAT does not select AUTH-FORMAT")
	}
	if sel.selects("conform CAPI error contract authentication AUTH-MISSING x", "AUTH-MISSING x", nil) {
		t.Error("^AUTH-FORMAT selects AUTH-MISSING")
	}
}

// TestALaterOutcomeNeverHidesAnEarlierFailure: a check that failed in its
// first judgement and is then stopped as inconclusive (its second request
// was rate limited) stays failed, with both reasons.
func TestALaterOutcomeNeverHidesAnEarlierFailure(t *testing.T) {
	s := &spec{}
	s.settle(report.Failed, "", "")
	s.settle(report.Inconclusive, "", "the second request was rate limited")
	if s.res.Status != report.Failed || s.res.Reason == "" {
		t.Errorf("status %s reason %q, want failed with the later reason kept", s.res.Status, s.res.Reason)
	}
	s = &spec{}
	s.settle(report.Inconclusive, "", "first")
	s.settle(report.Failed, "", "")
	if s.res.Status != report.Failed {
		t.Errorf("status %s, want failed", s.res.Status)
	}
}
