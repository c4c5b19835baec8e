package suite

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// burstWave is how many burst requests go out at once: enough that a target
// far away is emptied in a few round trips, few enough to stop soon after
// the first 429.
const burstWave = 32

// rateLimitFamily bursts the profile's endpoint just past its documented
// per-token limit (never more than the limit plus the profile's margin),
// then waits Retry-After and expects to be served again. It comes last in
// the plan, and the schedule (schedule.go) keeps it apart from every unit
// that sends in its class, so the emptied bucket cannot disturb another
// check; the wait overlaps the others'.
func (r *run) rateLimitFamily() *family {
	rl := r.profile().RateLimit
	b := &burst{r: r, rl: rl, role: probe.Role(rl.Token), e: r.endpoint(rl.Endpoint), ceiling: rl.RetryAfterCeiling()}
	for _, o := range readRoles() {
		if o != b.role {
			b.others = append(b.others, o)
		}
	}
	b.limited = drivenCheck("RATE-LIMIT-429", "", b.judgeLimited, nil, Need{b.role})
	// Other tokens' requests once the first is past the limit.
	b.perToken = drivenCheck("RATE-LIMIT-PER-TOKEN", "", b.judgePerToken, b.otherTokens, Need{b.role}, b.others)
	b.recovery = drivenCheck("RATE-LIMIT-RECOVERY", "", b.judgeRecovery,
		func() []probe.Request { return []probe.Request{b.provoked()} }, Need{b.role})
	f := &family{name: "rate limit", specs: []*spec{b.limited, b.perToken, b.recovery}}
	// A conforming target refuses the burst's last request (the limit plus
	// its margin) at the latest; the plan counts the whole burst, at most
	// what is sent (the burst stops after the wave that met its 429).
	f.budget = func([]*spec) []probe.Request {
		reqs := make([]probe.Request, b.e.LimitPerMinute+rl.Margin)
		for i := range reqs {
			reqs[i] = b.provoked()
		}
		return reqs
	}
	f.setup = b.setup
	return f
}

// burst is the rate-limit family's burst and what it learned.
type burst struct {
	r                           *run
	rl                          fixtures.RateLimit
	role                        probe.Role   // the burst's token
	others                      []probe.Role // the roles of the other tokens
	e                           fixtures.Endpoint
	ceiling                     time.Duration // the longest Retry-After the documented bucket can need
	limited, perToken, recovery *spec

	first    *probe.Exchange // the burst's first 429
	last     probe.Exchange
	sent     int
	answered int // of sent, those not refused as overloaded
	elapsed  time.Duration
	other    []probe.Exchange // other tokens' requests once the first was limited (otherTokens)
	// refused counts the burst's answers that were neither served nor
	// 429, by status. When the burst met no 429 but such refusals,
	// alone is the burst token's request sent once more on its own,
	// and served another token's request to the same operation after
	// it, when alone was refused too.
	refused map[int]int
	alone   *probe.Exchange
	served  *probe.Exchange
	// afterRefill is the burst token's request sent again once the
	// documented bucket had refilled, when the 429's Retry-After asked
	// for longer than any documented bucket can need.
	afterRefill *probe.Exchange
	slept       time.Duration
	// loadRefused is the burst token's request sent alone after a 429
	// without Retry-After, when it was not refused: the 429 was the
	// burst's load, not the token's bucket.
	loadRefused *probe.Exchange
	// asked is what the 429's Retry-After asks for (implausible).
	asked *struct {
		wait time.Duration
		far  bool
	}
	// recovered is the burst token's request sent again once the 429's
	// Retry-After had passed (RATE-LIMIT-RECOVERY); wait is what
	// Retry-After asked for, read when the burst was over.
	recovered *probe.Exchange
	wait      time.Duration
	waitOK    bool
	// otherOnce sends the other token's request once (sendOther);
	// otherDone is closed when it is answered.
	otherOnce sync.Once
	otherDone chan struct{}
}

// provoked is a request of the burst's token, sent past the limit on purpose.
func (b *burst) provoked() probe.Request {
	q := b.r.as(b.e, b.role)
	q.Provoke = true
	return q
}

// perTokenProbes is how many requests of another token go at once while
// the burst's token is past the limit. One could be served by a bucket
// shared by every token that happened to refill a slot before it arrived
// (a slot every second at 60/min, every 167 ms at 60 per 10 s); all of
// them served at once needs that many slots refilled, so a shared bucket
// is far less likely to pass for one per token on a slow or loaded link.
const perTokenProbes = 3

// otherTokens are perTokenProbes requests of another token to the
// operation, sent at once while the burst's token is past the limit.
func (b *burst) otherTokens() []probe.Request {
	reqs := make([]probe.Request, perTokenProbes)
	for i := range reqs {
		reqs[i] = b.otherToken()
	}
	return reqs
}

// otherToken is another token's request to the operation, sent while the
// burst's token is past the limit.
func (b *burst) otherToken() probe.Request {
	o, _ := b.r.pickToken(b.e, b.others...)
	q := b.r.as(b.e, o)
	q.Provoke = true
	return q
}

// implausible says whether the 429's Retry-After asks for longer than
// the documented bucket can need, and how long it asks for: read once,
// when the burst is over, so that an HTTP-date read again after the
// wait for the refill does not tell another story.
func (b *burst) implausible() (time.Duration, bool) {
	if b.first == nil {
		return 0, false
	}
	if b.asked == nil {
		wait, ok := probe.ParseRetryAfter(b.first.Header.Get("Retry-After"), b.r.clock.Now())
		b.asked = &struct {
			wait time.Duration
			far  bool
		}{wait, ok && wait > b.ceiling}
	}
	return b.asked.wait, b.asked.far
}

// sawRefusals says what the burst got instead of a 429.
func (b *burst) sawRefusals() string {
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(b.refused)) {
		parts = append(parts, fmt.Sprintf("%d × %d", b.refused[st], st))
	}
	return strings.Join(parts, ", ")
}

// rate is the burst operation's documented limit in words: "60/min", or
// "60 per 10s" for a profile whose window is not a minute.
func (b *burst) rate() string { return probe.Rate(b.e.LimitPerMinute, b.rl.Refill()) }

// boundViolation fails the check on a Retry-After longer than the
// documented bucket can need, with reason, which says what conform did
// about it.
func (b *burst) boundViolation(s *spec, wait time.Duration, reason string) {
	s.violate(*b.first, "retry-after-bound", "header Retry-After",
		fmt.Sprintf("Retry-After %q asks for %s, longer than a bucket of %s can need (%s)", b.first.Header.Get("Retry-After"), wait, b.rate(), b.ceiling),
		reason)
}

func (b *burst) judgeLimited(_ context.Context, s *spec) {
	if b.first == nil {
		s.record(b.last)
		burst := fmt.Sprintf("sent %d requests to %s with %s in %s (documented limit %s)",
			b.sent, b.e.Key(), b.role.Var(), b.elapsed.Round(time.Millisecond), b.rate())
		if len(b.refused) > 0 {
			s.refusedBurst(burst, b.sawRefusals(), b.alone, b.served)
			return
		}
		if why := burstShort(b.sent, b.answered, b.elapsed, b.e.LimitPerMinute, b.rl.Refill()); why != "" {
			s.inconclusive(burst + ", none refused with 429; " + why)
		}
		s.judge(b.last, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
		s.res.Reason = burst + "; none was refused with 429"
		return
	}
	if b.loadRefused != nil {
		s.record(*b.first, *b.loadRefused)
		s.inconclusive(fmt.Sprintf("the burst got a 429 without Retry-After, but the same token sent alone right after got %s: the 429 was the burst's load (a cap on one client's connections or requests), not the token's bucket — rerun with a lower --concurrency", b.loadRefused.Outcome()))
	}
	s.judge(*b.first, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
	if wait, ok := b.implausible(); ok {
		if b.afterRefill == nil {
			s.stop(report.NotRun, "", "not completed: the run stopped while waiting out the documented refill")
		}
		s.record(*b.afterRefill)
		b.boundViolation(s, wait, fmt.Sprintf("Retry-After asks for %s (%q), longer than a bucket of %s can need (a whole refill, %s, plus a margin: %s); conform waited %s and sent the request again: %s",
			wait, b.first.Header.Get("Retry-After"), b.rate(), b.rl.Refill(), b.ceiling, b.slept.Round(time.Millisecond), b.afterRefill.Outcome()))
	}
}

func (b *burst) judgeRecovery(_ context.Context, s *spec) {
	if b.first == nil || b.loadRefused != nil {
		s.inconclusive("no 429 of the token's bucket was provoked, so there is nothing to recover from")
	}
	s.record(*b.first)
	wait := b.wait
	if !b.waitOK {
		s.inconclusive("the 429 carried no usable Retry-After, so there is no documented time to wait")
	}
	if _, far := b.implausible(); far {
		// The header is false either way: served after the documented
		// refill, it named a wait no retry needed; refused, the bucket
		// outlasts its documented size.
		if b.afterRefill == nil {
			s.stop(report.NotRun, "", "not completed: the run stopped while waiting out the documented refill")
		}
		s.record(*b.first)
		s.judge(*b.afterRefill, match.BeAccepted())
		b.boundViolation(s, wait, fmt.Sprintf("Retry-After asks for %s (%q), longer than a bucket of %s can need (%s with its margin); conform waited %s, the documented refill and its margin, and sent the request again: %s, so Retry-After does not give the seconds to wait",
			wait, b.first.Header.Get("Retry-After"), b.rate(), b.ceiling, b.slept.Round(time.Millisecond), b.afterRefill.Outcome()))
		return
	}
	if wait > time.Duration(b.rl.MaxWaitSeconds)*time.Second {
		s.inconclusive(fmt.Sprintf("Retry-After asks for %s, which a bucket of %s may need, but longer than rate_limit.max_wait_seconds (%d) lets conform wait; raise it to judge the recovery", wait, b.rate(), b.rl.MaxWaitSeconds))
	}
	if b.recovered == nil {
		s.stop(report.NotRun, "", "not completed: the run stopped while waiting out Retry-After")
	}
	s.record(*b.recovered)
	s.judge(*b.recovered, match.BeAccepted())
}

func (b *burst) judgePerToken(_ context.Context, s *spec) {
	if b.first == nil || b.loadRefused != nil {
		s.inconclusive("no 429 of the token's bucket was provoked, so no token was past the limit")
	}
	s.record(*b.first)
	for _, ex := range b.other {
		s.judge(ex, match.BeAccepted())
	}
}

// setup sends the burst, then what tells its answers apart: the token
// alone after a 429 without Retry-After or after other refusals, another
// token while the first is past its limit, and the token again after the
// documented refill when Retry-After asked for longer, or once Retry-After
// has passed (recover).
func (b *burst) setup(ctx context.Context, runnable []*spec) {
	runs := func(s *spec) bool { return slices.Contains(runnable, s) }
	if !runs(b.limited) && !runs(b.recovery) && !runs(b.perToken) {
		return
	}
	defer func() {
		if b.otherDone != nil {
			<-b.otherDone
		}
	}()
	b.send(ctx, runs(b.perToken))
	b.tellLoad(ctx)
	b.tellRefusals(ctx)
	// At once, while the burst's token is still past the limit: the
	// other token has a bucket of its own.
	if b.first != nil && runs(b.perToken) {
		b.sendOther(ctx)
		<-b.otherDone
	}
	if b.first != nil {
		b.wait, b.waitOK = probe.ParseRetryAfter(b.first.Header.Get("Retry-After"), b.r.clock.Now())
	}
	// A Retry-After past what the documented bucket can need: wait the
	// documented refill with its margin, and try again.
	if _, far := b.implausible(); far && (runs(b.limited) || runs(b.recovery)) {
		b.slept = b.ceiling
		if b.r.clock.Sleep(ctx, b.slept) != nil {
			return
		}
		ex := b.r.do(ctx, b.provoked())
		b.afterRefill = &ex
		return
	}
	if runs(b.recovery) {
		b.recover(ctx)
	}
}

// sendOther sends the other token's requests (otherTokens), once, on a
// goroutine of its own: the moment the burst meets its first 429, while the burst's token
// is surely past the limit, not after the rest of the wave, by when a
// bucket shared by every token (not the documented one per token) may
// have refilled.
func (b *burst) sendOther(ctx context.Context) {
	b.otherOnce.Do(func() {
		b.otherDone = make(chan struct{})
		b.r.goroutine(func() {
			defer close(b.otherDone)
			b.other = b.r.doAll(ctx, b.otherTokens()...)
		})
	})
}

// recover sends the burst token's request again once Retry-After has
// passed, counted from the 429: in the setup, so the wait overlaps what
// the other families wait for (schedule.go).
func (b *burst) recover(ctx context.Context) {
	if b.first == nil || b.loadRefused != nil {
		return
	}
	if !b.waitOK || b.wait > time.Duration(b.rl.MaxWaitSeconds)*time.Second {
		return
	}
	if b.r.clock.Sleep(ctx, b.wait+50*time.Millisecond) != nil {
		return
	}
	ex := b.r.do(ctx, b.provoked())
	b.recovered = &ex
}

// send sends the burst in waves of burstWave until the first 429 or the
// limit plus its margin; with perToken, the other token's request goes at
// the first 429 (sendOther).
func (b *burst) send(ctx context.Context, perToken bool) {
	limit := b.e.LimitPerMinute + b.rl.Margin
	start := b.r.clock.Now()
	for b.sent < limit && b.first == nil && ctx.Err() == nil {
		n := min(burstWave, limit-b.sent)
		reqs := make([]probe.Request, n)
		for i := range reqs {
			reqs[i] = b.provoked()
		}
		exs := make([]probe.Exchange, n)
		b.r.doEach(ctx, reqs, func(i int, ex probe.Exchange) {
			exs[i] = ex
			if ex.Status == 429 && perToken {
				b.sendOther(ctx)
			}
		})
		b.sent += n
		for i := range exs {
			b.last = exs[i]
			if !exs[i].Overloaded { // a timeout is the target's answer: it hangs
				b.answered++
			}
			if exs[i].Status == 429 {
				b.first = &exs[i]
				break
			}
			if exs[i].Status < 200 || exs[i].Status > 299 {
				if b.refused == nil {
					b.refused = map[int]int{}
				}
				b.refused[exs[i].Status]++
			}
		}
	}
	b.elapsed = b.r.clock.Now().Sub(start)
}

// tellLoad: a 429 without Retry-After under the burst's concurrency may be
// a cap on one client's connections (fasthttp's MaxConnsPerIP), not the
// token's bucket: the token alone tells. Still 429, that is the answer to
// judge; served, the burst was refused for its load.
func (b *burst) tellLoad(ctx context.Context) {
	if b.first == nil || len(b.first.Header.Values("Retry-After")) > 0 {
		return
	}
	ex := b.r.do(ctx, b.provoked())
	if ex.Status == 429 {
		b.first = &ex
	} else {
		b.loadRefused = &ex
	}
}

// tellRefusals: no 429, but refusals: the burst's token alone, then, if it
// is still refused, another token on the same operation.
func (b *burst) tellRefusals(ctx context.Context) {
	if b.first != nil || len(b.refused) == 0 {
		return
	}
	ex := b.r.do(ctx, b.provoked())
	b.alone = &ex
	if ex.Status == 429 {
		b.first = b.alone // the limiter's 429, once the burst's concurrency was over
	} else if (ex.Status < 200 || ex.Status > 299) && b.r.hasAnyToken(b.others...) {
		ex := b.r.do(ctx, b.otherToken())
		b.served = &ex
	}
}

// refusedBurst decides RATE-LIMIT-429 when the burst met no 429 but other
// refusals (a limiter's 503, or overload under the burst's concurrency):
// the burst's token refused even alone while another token is served is a
// limiter answering the wrong status, a failure; served alone, the
// refusals were overload; anything else cannot tell the two apart. The
// burst is never retried, and the reasons say so.
func (s *spec) refusedBurst(burst, refusals string, alone, served *probe.Exchange) {
	ok := func(ex *probe.Exchange) bool { return ex != nil && ex.Status >= 200 && ex.Status <= 299 }
	head := fmt.Sprintf("%s; none was refused with 429, %s were refused (the burst is never retried)", burst, refusals)
	if alone == nil {
		s.inconclusive(head)
	}
	s.record(*alone)
	switch {
	case ok(alone):
		s.inconclusive(fmt.Sprintf("%s, and the same token was served %d alone right after: overload under the burst's concurrent requests, not a limiter — rerun with a lower --concurrency", head, alone.Status))
	case ok(served):
		s.record(*served)
		judged := *alone
		judged.Overloaded = false // the limiter's refusal, judged as the answer it is
		s.judge(judged, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
		s.res.Reason = fmt.Sprintf("%s; sent alone right after, the same token got %s while %s was served %d on the same operation: this token is refused past its limit, and the Rate limits page says with 429",
			head, alone.Outcome(), served.Role.Var(), served.Status)
	case served != nil:
		s.record(*served)
		s.inconclusive(fmt.Sprintf("%s; alone right after, it got %s, and %s got %s on the same operation too: a limiter of this token cannot be told from trouble of the operation",
			head, alone.Outcome(), served.Role.Var(), served.Outcome()))
	default:
		s.inconclusive(fmt.Sprintf("%s; alone right after, it got %s, and no other token was set to tell a limiter of this token from trouble of the operation", head, alone.Outcome()))
	}
}

// burstShort says why a burst that met no 429 is no evidence of a missing
// limit, or "" when it is: the target answered (not overloaded: a 502, 503
// or 504 from a full worker pool or its proxy never reached the limiter)
// more requests than the limit lets through, even counting what a limit
// of so many a period lets through again while the burst lasted (a token
// bucket refills, a sliding window slides).
func burstShort(sent, served int, elapsed time.Duration, limit int, period time.Duration) string {
	refilled := int(math.Ceil(elapsed.Seconds() / period.Seconds() * float64(limit)))
	allowed := limit + refilled
	switch {
	case served > allowed:
		return ""
	case served < sent:
		return fmt.Sprintf("only %d of them were served (the others got an overloaded 502, 503 or 504, which never reached the rate limiter), not more than the %d the limit lets through in that time", served, allowed)
	default:
		return fmt.Sprintf("the burst took so long that the limit let %d more through while it lasted, so %d requests were within it", refilled, allowed)
	}
}
