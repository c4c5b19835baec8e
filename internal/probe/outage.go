package probe

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// OutageAfter is how many requests in a row, on at least two operations
// that had answered before (or the one, when only one had), must get no
// answer at all (connection refused, reset, no answer within the timeout)
// before the client calls the target gone: an operation that hangs or
// resets from the start is that operation's bug, for its checks to report
// as broken.
const OutageAfter = 8

// Outage is the target's stopping to answer during a run.
type Outage struct {
	// At is when the first request of the unanswered run went out; Into
	// is how long after the client's first request that was.
	At   time.Time
	Into time.Duration
	// Answered counts the requests the target answered before it stopped.
	Answered int64
	// FirstSeq is the Seq of the first unanswered exchange: exchanges from
	// it on got no answer because the target was gone.
	FirstSeq int64
	// Err is why the first of them got no answer, in people's words.
	Err string
}

// String says it once, for people: "the target stopped answering at
// 09:30:02 UTC (1.2s into the run), after 40 answered requests:
// connection refused: …".
func (o Outage) String() string {
	return fmt.Sprintf("the target stopped answering at %s (%s into the run), after %s: %s",
		o.At.UTC().Format("15:04:05 MST"), o.Into.Round(100*time.Millisecond), countOf(o.Answered, "answered request"), o.Err)
}

// countOf is "1 answered request", "40 answered requests".
func countOf(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// outageWatch follows whether the target answers: a run of unanswered
// requests across operations, with no answer in between, is an outage.
type outageWatch struct {
	mu       sync.Mutex
	first    time.Time // the first request's
	answered int64
	streak   int
	ops      map[string]bool // operations of the current streak
	// live are the operations that have answered at least once: only
	// they count toward an outage, since one that never answered is a
	// broken operation (Broken), not a target that went away.
	live   map[string]bool
	start  Outage        // the current streak's first request
	gone   chan struct{} // closed when the target is called gone
	outage *Outage
}

// Do sends r (see do) and watches whether the target answered. Once the
// target is gone, nothing more is sent: every request returns at once
// without an answer, saying why.
func (c *Client) Do(ctx context.Context, r Request) Exchange {
	sent := c.opts.Now()
	if o, gone := c.Outage(); gone {
		ex := c.record(r, nil, 0, nil)
		ex.Err = "not sent: " + o.String()
		return ex
	}
	ex := c.do(ctx, r)
	c.watch.saw(ex, sent, ctx.Err() != nil, OperationKey(r.Method, templateOf(r)))
	return ex
}

func templateOf(r Request) string {
	if r.Template == "" {
		return r.Path
	}
	return r.Template
}

// Gone is closed when the target has stopped answering (Outage says when).
func (c *Client) Gone() <-chan struct{} {
	c.watch.mu.Lock()
	defer c.watch.mu.Unlock()
	return c.watch.goneChan()
}

// Outage says whether, and when, the target stopped answering.
func (c *Client) Outage() (Outage, bool) {
	c.watch.mu.Lock()
	defer c.watch.mu.Unlock()
	if c.watch.outage == nil {
		return Outage{}, false
	}
	return *c.watch.outage, true
}

func (w *outageWatch) goneChan() chan struct{} {
	if w.gone == nil {
		w.gone = make(chan struct{})
	}
	return w.gone
}

// saw counts one exchange: an answer ends a streak, a request without
// one (and not because conform stopped it) lengthens it.
func (w *outageWatch) saw(ex Exchange, sent time.Time, stopped bool, op string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first.IsZero() || sent.Before(w.first) {
		w.first = sent
	}
	if w.outage != nil || stopped {
		return
	}
	if ex.Status != 0 {
		w.answered++
		w.streak, w.ops = 0, nil
		if w.live == nil {
			w.live = map[string]bool{}
		}
		w.live[op] = true
		return
	}
	if !w.live[op] {
		return
	}
	if w.streak == 0 {
		w.start = Outage{At: sent, Answered: w.answered, FirstSeq: ex.Seq, Err: ex.Err}
		w.ops = map[string]bool{}
	}
	if ex.Seq < w.start.FirstSeq {
		w.start.FirstSeq = ex.Seq
	}
	if sent.Before(w.start.At) {
		w.start.At = sent
	}
	w.streak++
	w.ops[op] = true
	if w.streak >= OutageAfter && len(w.ops) >= min(2, len(w.live)) {
		o := w.start
		o.Into = o.At.Sub(w.first)
		w.outage = &o
		close(w.goneChan())
	}
}
