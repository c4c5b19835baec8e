package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

func TestWireNotesSayWhatTheTargetsCapacityCost(t *testing.T) {
	if notes := wireNotes(probe.Stats{Requests: 10}, []report.Check{{Exchanges: []probe.Exchange{{Status: 200}}}}); len(notes) != 0 {
		t.Errorf("a quiet run has notes: %q", notes)
	}
	// Three waits of 250ms at once: 750ms summed, 250ms of the run's time.
	st := probe.Stats{OverloadRetries: 3, OverloadWaited: 750 * time.Millisecond, OverloadWall: 250 * time.Millisecond, FreshRetries: 1}
	checks := []report.Check{{Exchanges: []probe.Exchange{{Status: 503, Overloaded: true}, {Status: 200, Slow: true}}}}
	got := strings.Join(wireNotes(st, checks), "\n")
	for _, want := range []string{"retried 3 answers 502, 503 or 504 (backing off for 250ms of the run's time)", "--concurrency", "sent requests again on a fresh connection 1 time:",
		"1 request got only 502, 503 or 504", "not its contract", "1 answer took more than 2s"} {
		if !strings.Contains(got, want) {
			t.Errorf("the notes do not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "750ms") {
		t.Errorf("the notes add up concurrent waits:\n%s", got)
	}
	var many []probe.Exchange
	for range 35 {
		many = append(many, probe.Exchange{Status: 503, Overloaded: true})
	}
	if got := strings.Join(wireNotes(probe.Stats{}, []report.Check{{Exchanges: many}}), "\n"); !strings.Contains(got, "35 requests got only") {
		t.Errorf("35 overloaded answers are not counted in the plural:\n%s", got)
	}
}
