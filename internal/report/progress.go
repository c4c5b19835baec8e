package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/cornect/conform/internal/probe"
)

// WaitProgress shows the run's long waits on stderr, so a run that sits
// out a Retry-After of a minute does not look hung:
//
//	waiting 42 s: GET /credits is rate limited (Retry-After) — 31/40 checks done
//
// Waits of one kind (one class of requests under one Retry-After, one
// token's pacing on one endpoint) that follow each other are one episode:
// a target that answers every request of a class single file with a
// Retry-After of 1 s keeps a run waiting as long as one long Retry-After
// does. An episode is shown once it has lasted, or is to last, the
// threshold. On a terminal the line is redrawn in place every tick and
// cleared when the waiting ends; elsewhere (a CI log) a plain line is
// printed when an episode is first shown and again every so often while it
// lasts.
type WaitProgress struct {
	out       io.Writer // stderr, written to directly (a terminal line has no newline)
	redact    func(string) string
	term      bool
	threshold time.Duration // shorter episodes are not shown
	every     time.Duration // off a terminal: a line this often while one lasts
	tick      time.Duration // on a terminal: the redraw interval
	grace     time.Duration // a wait that starts within this of the last one's end continues its episode
	now       func() time.Time

	mu      sync.Mutex
	total   int
	done    int
	waits   map[string]*episode // by kind
	drawn   bool                // a terminal line is on screen
	printed time.Time           // off a terminal: when the last line was printed
	running bool                // the ticker goroutine runs
	stop    chan struct{}       // closed to stop it
	wg      sync.WaitGroup
}

// episode is waits of one kind, one after the other.
type episode struct {
	since, until time.Time
	what         string // the latest wait in words
	count        int    // the waits it holds
	shown        bool   // it has reached the threshold
}

// Defaults of WaitProgress.
const (
	waitThreshold = 2 * time.Second
	waitEvery     = 15 * time.Second
	waitTick      = time.Second
	waitGrace     = time.Second
)

// NewWaitProgress shows the waits of a run of total checks on out, a
// terminal when term; redact masks what a line could quote of a token.
func NewWaitProgress(out io.Writer, term bool, total int, redact func(string) string) *WaitProgress {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	return &WaitProgress{
		out: out, redact: redact, term: term, total: total,
		threshold: waitThreshold, every: waitEvery, tick: waitTick, grace: waitGrace, now: time.Now,
		waits: map[string]*episode{},
	}
}

// ProbeWait is probe.Options.OnWait: a wait of the client. Requests without
// a valid token are one kind (targets limit them per address, across
// endpoints); with a token, each token on each endpoint is one.
func (p *WaitProgress) ProbeWait(w probe.Wait) {
	switch w.Cause {
	case probe.WaitPacing:
		if w.Operation == probe.FailedAuthClass {
			p.Wait(w.Duration, "pacing "+w.Operation, "requests that must fail authentication are paced within their limit (--failed-auth-limit)")
			return
		}
		p.Wait(w.Duration, "pacing "+w.Token+" "+w.Operation, w.Operation+" is paced within its limit")
		return
	case probe.WaitOverload:
		p.Wait(w.Duration, "overload "+w.Operation, w.Operation+" is overloaded (502, 503 or 504), backing off")
		return
	}
	kind := "429 unauthenticated"
	if w.Token != "" {
		kind = "429 " + w.Token + " " + w.Operation
	}
	p.Wait(w.Duration, kind, w.Operation+" is rate limited (Retry-After)")
}

// Wait records a wait of d of a kind, what it is in words.
func (p *WaitProgress) Wait(d time.Duration, kind, what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	e := p.waits[kind]
	if e == nil || now.After(e.until.Add(p.grace)) {
		e = &episode{since: now}
		p.waits[kind] = e
	}
	e.what = what
	e.count++
	if until := now.Add(d); until.After(e.until) {
		e.until = until
	}
	if !e.shown && e.until.Sub(e.since) >= p.threshold {
		e.shown = true
		if !p.term {
			p.print()
		}
	}
	if p.term && e.shown {
		p.draw()
	}
	if !p.running {
		p.running = true
		p.stop = make(chan struct{})
		p.wg.Add(1)
		go p.loop(p.stop)
	}
}

// CheckDone counts a check that finished (suite.RunOptions.Progress).
func (p *WaitProgress) CheckDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.drawn {
		p.draw()
	}
}

// aside runs f, which prints whole lines to the same terminal, with the
// progress line out of the way: cleared before, drawn again after.
func (p *WaitProgress) aside(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn {
		f()
		return
	}
	p.clear()
	f()
	p.draw()
}

// Close stops the ticker and clears the line.
func (p *WaitProgress) Close() {
	p.mu.Lock()
	if p.running {
		close(p.stop)
	}
	p.running = false
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.waits = map[string]*episode{}
}

func (p *WaitProgress) loop(stop <-chan struct{}) {
	defer p.wg.Done()
	interval := p.tick
	if !p.term {
		interval = min(p.tick, p.every)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if p.expire() { // nothing left to wait for: the next wait starts a new ticker
			p.clear()
			p.running = false
			p.mu.Unlock()
			return
		}
		if p.term {
			p.draw()
		} else if p.showing() != nil && p.now().Sub(p.printed) >= p.every {
			p.print()
		}
		p.mu.Unlock()
	}
}

// expire drops the episodes that are over (their grace included) and
// reports whether none is left.
func (p *WaitProgress) expire() bool {
	now := p.now()
	for kind, e := range p.waits {
		if now.After(e.until.Add(p.grace)) {
			delete(p.waits, kind)
		}
	}
	return len(p.waits) == 0
}

// showing is the shown episode that ends last, nil when none is shown.
func (p *WaitProgress) showing() *episode {
	var last *episode
	for _, e := range p.waits {
		if e.shown && (last == nil || e.until.After(last.until) || (e.until.Equal(last.until) && e.what < last.what)) {
			last = e
		}
	}
	return last
}

// line is the progress in words: the episode that ends last (and how long
// it has gone on, past one wait), how many others go on, and the checks
// done.
func (p *WaitProgress) line(e *episode) string {
	now := p.now()
	secs := int((e.until.Sub(now) + time.Second - 1) / time.Second)
	s := fmt.Sprintf("waiting %d s: %s", max(secs, 1), e.what)
	if so := now.Sub(e.since); e.count > 1 && so >= time.Second {
		s = fmt.Sprintf("waiting %d s (%d s so far): %s", max(secs, 1), int(so/time.Second), e.what)
	}
	n := 0
	for _, o := range p.waits {
		if o.shown && o != e {
			n++
		}
	}
	if n > 0 {
		s += fmt.Sprintf(" (and %d more waiting)", n)
	}
	s += fmt.Sprintf(" — %d/%d checks done", p.done, p.total)
	return printable(p.redact(s))
}

func (p *WaitProgress) draw() {
	p.expire()
	e := p.showing()
	if e == nil {
		p.clear()
		return
	}
	fmt.Fprint(p.out, "\r\x1b[2K"+p.line(e))
	p.drawn = true
}

func (p *WaitProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.out, "\r\x1b[2K")
		p.drawn = false
	}
}

func (p *WaitProgress) print() {
	if e := p.showing(); e != nil {
		fmt.Fprintln(p.out, p.line(e))
		p.printed = p.now()
	}
}

// printable keeps a line to one line of plain text: an operation from an
// OpenAPI document could hold a control character.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// Above is w with the progress line out of the way of each write: for
// what prints whole lines to the terminal the line is drawn on.
func (p *WaitProgress) Above(w io.Writer) io.Writer { return aboveWriter{p, w} }

// aboveWriter writes through w with the progress line out of the way.
type aboveWriter struct {
	p *WaitProgress
	w io.Writer
}

func (a aboveWriter) Write(b []byte) (n int, err error) {
	a.p.aside(func() { n, err = a.w.Write(b) })
	return n, err
}
