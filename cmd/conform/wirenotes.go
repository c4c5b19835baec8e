package main

import (
	"fmt"
	"time"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// wireNotes sums up for the reports what the target's capacity and
// connections did to the run: overloaded answers (502, 503, 504) retried
// or left overloaded, requests sent again on a fresh connection, answers
// that were slow to start.
func wireNotes(st probe.Stats, checks []report.Check) []string {
	var notes []string
	if st.OverloadRetries > 0 {
		notes = append(notes, fmt.Sprintf("retried %s 502, 503 or 504 (backing off for %s of the run's time): the target or its gateway was overloaded; --concurrency lowers the load conform puts on it",
			report.Plural(int(st.OverloadRetries), "answer"), st.OverloadWall.Round(time.Millisecond)))
	}
	if n := len(st.Lowered); n > 0 {
		first, last := st.Lowered[0], st.Lowered[n-1]
		notes = append(notes, fmt.Sprintf("lowered its concurrency from %d to %d: the target refused requests (429 or 503) without Retry-After while %d were in flight (first on %s), as a server does that caps the connections of one client or has few workers; --concurrency %d avoids it",
			first.From, last.To, first.InFlight, first.Operation, last.To))
	}
	if st.BareRetries > 0 {
		notes = append(notes, fmt.Sprintf("retried %s that carried no Retry-After after a backoff of conform's own (%s of wall time): no header named a wait",
			report.Plural(int(st.BareRetries), "429"), st.BareWall.Round(time.Millisecond)))
	}
	if st.FreshRetries > 0 {
		notes = append(notes, fmt.Sprintf("sent requests again on a fresh connection %s: the connection they went out on died before a byte of a response (a crash, or the server closing it at rest)", report.Count(int(st.FreshRetries), "time", "times")))
	}
	overloaded, slow := 0, 0
	for _, c := range checks {
		for _, ex := range c.Exchanges {
			if ex.Overloaded {
				overloaded++
			}
			if ex.Slow {
				slow++
			}
		}
	}
	if overloaded > 0 {
		notes = append(notes, fmt.Sprintf("%s only 502, 503 or 504 (retries spent, or part of the rate-limit burst, which is never retried): those answers are the target's load, not its contract", report.Count(overloaded, "request got", "requests got")))
	}
	if slow > 0 {
		notes = append(notes, fmt.Sprintf("%s more than %s to start", report.Count(slow, "answer took", "answers took"), probe.DefaultSlowAfter))
	}
	return notes
}
