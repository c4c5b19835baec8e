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
	st := probe.Stats{OverloadRetries: 3, OverloadWaited: 750 * time.Millisecond, FreshRetries: 1}
	checks := []report.Check{{Exchanges: []probe.Exchange{{Status: 503, Overloaded: true}, {Status: 200, Slow: true}}}}
	got := strings.Join(wireNotes(st, checks), "\n")
	for _, want := range []string{"retried 3 answers 502, 503 or 504 (750ms", "--concurrency", "sent requests again on a fresh connection 1 times",
		"1 requests got only 502, 503 or 504", "not its contract", "1 answers took more than 2s"} {
		if !strings.Contains(got, want) {
			t.Errorf("the notes do not say %q:\n%s", want, got)
		}
	}
}
