package suite

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
)

// TestALeakChangesNothingTheRunKeepsForTheOtherChecks: SECURITY-NO-LEAK
// judges every exchange whole as it arrives and keeps its own evidence;
// what the run keeps of a leaking 401 for the checks across it is what it
// keeps of any 401, its challenge headers, so one check's findings never
// change another's evidence.
func TestALeakChangesNothingTheRunKeepsForTheOtherChecks(t *testing.T) {
	r := planRun(t, nil, Options{})
	var leak *spec
	for _, s := range r.specs {
		if s.check.ID == "SECURITY-NO-LEAK" {
			leak = s
		}
	}
	if leak == nil || leak.watch == nil || !leak.selected {
		t.Fatal("SECURITY-NO-LEAK does not watch the run")
	}
	secret := strings.TrimPrefix(*leak.probes()[0].Authorization, "Bearer ")
	body := `{"detail":{"code":"INVALID_TOKEN","message":"unknown token ` + secret + `"}}`
	ex := probe.Exchange{
		Seq: 1, Method: "GET", Path: "/credits", Status: 401,
		Header: http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer error="invalid_token"`}, "X-Echo": {secret}},
		Body:   []byte(body), BodyText: body,
	}
	kept := r.seenOf(ex).ex
	if len(kept.Body) != 0 || kept.BodyText != "" {
		t.Errorf("the run kept the leaking body: %q", kept.BodyText)
	}
	if kept.Header.Get("WWW-Authenticate") == "" || kept.Header.Get("X-Echo") != "" {
		t.Errorf("the run kept headers %v, want the challenge alone", kept.Header)
	}
}
