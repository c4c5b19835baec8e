package probe

import (
	"sort"
	"sync"
)

// health is what every attempt of the run said about each operation: was
// it ever answered (any status but 502, 503 and 504), or did it get only a
// gateway's or server's "not now", or no answer within the timeout. An
// operation that never answered while others did is broken, not
// overloaded: no retry and no rerun will get the contract's answers from
// it (Client.Broken).
type health struct {
	mu  sync.Mutex
	ops map[string]*opHealth
	any bool // some operation answered
}

type opHealth struct {
	answered     int
	refused      map[int]int // status (0: no answer within the timeout) → attempts
	withCreds    bool        // refused a request that presented a token of the run
	withoutCreds bool        // refused one that presented none (or a token meant to fail)
}

func newHealth() *health { return &health{ops: map[string]*opHealth{}} }

// note records one attempt at key.
func (h *health) note(key string, credentialed bool, ex Exchange) {
	answered := ex.Status != 0 && !overloaded(ex.Status)
	unanswered := overloaded(ex.Status) || (ex.Status == 0 && ex.TimedOut)
	if !answered && !unanswered {
		return // a transport error of another kind says nothing of the route
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	o := h.ops[key]
	if o == nil {
		o = &opHealth{refused: map[int]int{}}
		h.ops[key] = o
	}
	if answered {
		o.answered++
		h.any = true
		return
	}
	o.refused[ex.Status]++
	if credentialed {
		o.withCreds = true
	} else {
		o.withoutCreds = true
	}
}

// BrokenOperation is an operation that got no answer but 502, 503, 504 or
// a timeout to every attempt, with and without credentials, while other
// operations of the target answered.
type BrokenOperation struct {
	Operation string
	// Attempts are the attempts by status; 0 counts those that got no
	// answer within the request timeout.
	Attempts map[int]int
}

// Total is the number of attempts.
func (b BrokenOperation) Total() int {
	n := 0
	for _, c := range b.Attempts {
		n += c
	}
	return n
}

// Statuses are the statuses seen, in order; 0 stands for a timeout.
func (b BrokenOperation) Statuses() []int {
	var out []int
	for s := range b.Attempts {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// Broken says whether the operation (OperationKey) is broken so far: every
// attempt at it, with and without credentials, went unanswered, and some
// other operation answered. An operation that answered once is transient
// trouble at worst, and a target that answered nothing at all is down or
// overloaded as a whole: neither is broken.
func (c *Client) Broken(operation string) (BrokenOperation, bool) {
	h := c.health
	h.mu.Lock()
	defer h.mu.Unlock()
	o := h.ops[operation]
	if o == nil || o.answered > 0 || !o.withCreds || !o.withoutCreds || !h.any {
		return BrokenOperation{}, false
	}
	b := BrokenOperation{Operation: operation, Attempts: map[int]int{}}
	for s, n := range o.refused {
		b.Attempts[s] = n
	}
	return b, true
}
