package suite

import (
	"context"

	"github.com/cornect/conform/internal/probe"
)

// batch is a set of probes that do not depend on each other, keyed by the
// check (or table entry) that will judge them. A family of checks sends its
// batch at once in a BeforeAll, so a target 40 ms away costs one round trip
// per family instead of one per check; each check then records and judges
// its own exchanges.
type batch struct {
	keys []string
	reqs []probe.Request
}

// add queues requests for key.
func (b *batch) add(key string, reqs ...probe.Request) {
	for _, r := range reqs {
		b.keys = append(b.keys, key)
		b.reqs = append(b.reqs, r)
	}
}

// send fires the whole batch concurrently (within the probe's pacing) and
// returns the exchanges by key, in the order they were added.
func (b *batch) send(ctx context.Context) map[string][]probe.Exchange {
	got := map[string][]probe.Exchange{}
	for i, ex := range doAll(ctx, b.reqs...) {
		got[b.keys[i]] = append(got[b.keys[i]], ex)
	}
	return got
}
