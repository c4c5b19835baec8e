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
// then waits Retry-After and expects to be served again. It runs last, so
// the emptied bucket cannot disturb other checks.
func (r *run) rateLimitFamily() *family {
	rl := r.profile().RateLimit
	role := probe.Role(rl.Token)
	e := r.endpoint(rl.Endpoint)
	var (
		first    *probe.Exchange
		last     probe.Exchange
		sent     int
		answered int // of sent, those not refused as overloaded
		elapsed  time.Duration
		other    *probe.Exchange // another token's request once the first was limited
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
		// recovered is the burst token's request sent again once the
		// 429's Retry-After had passed (RATE-LIMIT-RECOVERY); wait is
		// what Retry-After asked for, read when the burst was over.
		recovered *probe.Exchange
		wait      time.Duration
		waitOK    bool
	)
	var others []probe.Role
	for _, o := range readRoles() {
		if o != role {
			others = append(others, o)
		}
	}

	// provoked is a request of the burst's token, sent past the limit on purpose.
	provoked := func() probe.Request {
		q := r.as(e, role)
		q.Provoke = true
		return q
	}

	ceiling := rl.RetryAfterCeiling()
	// implausible says whether the 429's Retry-After asks for longer than
	// the documented bucket can need, and how long it asks for: read once,
	// when the burst is over, so that an HTTP-date read again after the
	// wait for the refill does not tell another story.
	var asked *struct {
		wait time.Duration
		far  bool
	}
	implausible := func() (time.Duration, bool) {
		if first == nil {
			return 0, false
		}
		if asked == nil {
			wait, ok := probe.ParseRetryAfter(first.Header.Get("Retry-After"), r.clock.Now())
			asked = &struct {
				wait time.Duration
				far  bool
			}{wait, ok && wait > ceiling}
		}
		return asked.wait, asked.far
	}
	// sawRefusals says what the burst got instead of a 429.
	sawRefusals := func() string {
		var parts []string
		for _, st := range slices.Sorted(maps.Keys(refused)) {
			parts = append(parts, fmt.Sprintf("%d × %d", refused[st], st))
		}
		return strings.Join(parts, ", ")
	}
	limited := newSpec("RATE-LIMIT-429", "", func(_ context.Context, s *spec) {
		if first == nil {
			s.record(last)
			burst := fmt.Sprintf("sent %d requests to %s with %s in %s (documented limit %d/min)",
				sent, e.Key(), role.Var(), elapsed.Round(time.Millisecond), e.LimitPerMinute)
			if len(refused) > 0 {
				s.refusedBurst(burst, sawRefusals(), alone, served)
				return
			}
			if why := burstShort(sent, answered, elapsed, e.LimitPerMinute); why != "" {
				s.inconclusive(burst + ", none refused with 429; " + why)
			}
			s.judge(last, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
			s.res.Reason = burst + "; none was refused with 429"
			return
		}
		if loadRefused != nil {
			s.record(*first, *loadRefused)
			s.inconclusive(fmt.Sprintf("the burst got a 429 without Retry-After, but the same token sent alone right after got %s: the 429 was the burst's load (a cap on one client's connections or requests), not the token's bucket — rerun with a lower --concurrency", loadRefused.Outcome()))
		}
		s.judge(*first, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
		if wait, ok := implausible(); ok {
			if afterRefill == nil {
				s.stop(report.NotRun, "", "not completed: the run stopped while waiting out the documented refill")
			}
			s.record(*afterRefill)
			s.violate(*first, "retry-after-bound", "header Retry-After",
				fmt.Sprintf("Retry-After %q asks for %s, longer than a bucket of %d/min can need (%s)", first.Header.Get("Retry-After"), wait, e.LimitPerMinute, ceiling),
				fmt.Sprintf("Retry-After asks for %s (%q), longer than a bucket of %d/min can need (a whole refill, %s, plus a margin: %s); conform waited %s and sent the request again: %s",
					wait, first.Header.Get("Retry-After"), e.LimitPerMinute, rl.Refill(), ceiling, slept.Round(time.Millisecond), afterRefill.Outcome()))
		}
	}, Need{role})

	recovery := newSpec("RATE-LIMIT-RECOVERY", "", func(_ context.Context, s *spec) {
		if first == nil || loadRefused != nil {
			s.inconclusive("no 429 of the token's bucket was provoked, so there is nothing to recover from")
		}
		s.record(*first)
		if !waitOK {
			s.inconclusive("the 429 carried no usable Retry-After, so there is no documented time to wait")
		}
		if _, far := implausible(); far {
			// The header is false either way: served after the documented
			// refill, it named a wait no retry needed; refused, the bucket
			// outlasts its documented size.
			if afterRefill == nil {
				s.stop(report.NotRun, "", "not completed: the run stopped while waiting out the documented refill")
			}
			s.record(*first)
			s.judge(*afterRefill, match.BeAccepted())
			s.violate(*first, "retry-after-bound", "header Retry-After",
				fmt.Sprintf("Retry-After %q asks for %s, longer than a bucket of %d/min can need (%s)", first.Header.Get("Retry-After"), wait, e.LimitPerMinute, ceiling),
				fmt.Sprintf("Retry-After asks for %s (%q), longer than a bucket of %d/min can need (%s with its margin); conform waited %s, the documented refill and its margin, and sent the request again: %s, so Retry-After does not give the seconds to wait",
					wait, first.Header.Get("Retry-After"), e.LimitPerMinute, ceiling, slept.Round(time.Millisecond), afterRefill.Outcome()))
			return
		}
		if wait > time.Duration(rl.MaxWaitSeconds)*time.Second {
			s.inconclusive(fmt.Sprintf("Retry-After asks for %s, which a bucket of %d/min may need, but longer than rate_limit.max_wait_seconds (%d) lets conform wait; raise it to judge the recovery", wait, e.LimitPerMinute, rl.MaxWaitSeconds))
		}
		if recovered == nil {
			s.stop(report.NotRun, "", "not completed: the run stopped while waiting out Retry-After")
		}
		s.record(*recovered)
		s.judge(*recovered, match.BeAccepted())
	}, Need{role})

	perToken := newSpec("RATE-LIMIT-PER-TOKEN", "", func(_ context.Context, s *spec) {
		if first == nil || loadRefused != nil {
			s.inconclusive("no 429 of the token's bucket was provoked, so no token was past the limit")
		}
		s.record(*first)
		s.judge(*other, match.BeAccepted())
	}, Need{role}, others)

	// A conforming target refuses the burst's last request (the limit plus
	// its margin) at the latest; the plan counts the whole burst, at most
	// what is sent (the burst stops after the wave that met its 429).
	recovery.budget = func() []probe.Request { return []probe.Request{provoked()} }
	// Another token's request once the first is past the limit.
	otherToken := func() probe.Request {
		o, _ := r.pickToken(e, others...)
		q := r.as(e, o)
		q.Provoke = true
		return q
	}
	perToken.budget = func() []probe.Request { return []probe.Request{otherToken()} }
	f := &family{name: "rate limit", specs: []*spec{limited, perToken, recovery}}
	f.budget = func([]*spec) []probe.Request {
		reqs := make([]probe.Request, e.LimitPerMinute+rl.Margin)
		for i := range reqs {
			reqs[i] = provoked()
		}
		return reqs
	}
	f.setup = func(ctx context.Context, runnable []*spec) {
		if !slices.Contains(runnable, limited) && !slices.Contains(runnable, recovery) && !slices.Contains(runnable, perToken) {
			return
		}
		// The other token's request goes the moment the burst meets its
		// first 429, while the burst's token is surely past the limit: not
		// after the rest of the wave, by when a bucket shared by every
		// token (not the documented one per token) may have refilled.
		var otherOnce sync.Once
		var otherDone chan struct{}
		sendOther := func() {
			otherOnce.Do(func() {
				otherDone = make(chan struct{})
				r.goroutine(func() {
					defer close(otherDone)
					ex := r.do(ctx, otherToken())
					other = &ex
				})
			})
		}
		defer func() {
			if otherDone != nil {
				<-otherDone
			}
		}()
		limit := e.LimitPerMinute + rl.Margin
		start := r.clock.Now()
		for sent < limit && first == nil && ctx.Err() == nil {
			n := min(burstWave, limit-sent)
			reqs := make([]probe.Request, n)
			for i := range reqs {
				reqs[i] = provoked()
			}
			exs := make([]probe.Exchange, n)
			r.doEach(ctx, reqs, func(i int, ex probe.Exchange) {
				exs[i] = ex
				if ex.Status == 429 && slices.Contains(runnable, perToken) {
					sendOther()
				}
			})
			sent += n
			for i := range exs {
				last = exs[i]
				if !exs[i].Overloaded { // a timeout is the target's answer: it hangs
					answered++
				}
				if exs[i].Status == 429 {
					first = &exs[i]
					break
				}
				if exs[i].Status < 200 || exs[i].Status > 299 {
					if refused == nil {
						refused = map[int]int{}
					}
					refused[exs[i].Status]++
				}
			}
		}
		elapsed = r.clock.Now().Sub(start)
		// A 429 without Retry-After under the burst's concurrency may be a
		// cap on one client's connections (fasthttp's MaxConnsPerIP), not
		// the token's bucket: the token alone tells. Still 429, that is the
		// answer to judge; served, the burst was refused for its load.
		if first != nil && len(first.Header.Values("Retry-After")) == 0 {
			ex := r.do(ctx, provoked())
			if ex.Status == 429 {
				first = &ex
			} else {
				loadRefused = &ex
			}
		}
		// No 429, but refusals: the burst's token alone, then, if it is
		// still refused, another token on the same operation.
		if first == nil && len(refused) > 0 {
			ex := r.do(ctx, provoked())
			alone = &ex
			if ex.Status == 429 {
				first = alone // the limiter's 429, once the burst's concurrency was over
			} else if (ex.Status < 200 || ex.Status > 299) && r.hasAnyToken(others...) {
				ex := r.do(ctx, otherToken())
				served = &ex
			}
		}
		// At once, while the burst's token is still past the limit: the
		// other token has a bucket of its own.
		if first != nil && slices.Contains(runnable, perToken) {
			sendOther()
			<-otherDone
		}
		if first != nil {
			wait, waitOK = probe.ParseRetryAfter(first.Header.Get("Retry-After"), r.clock.Now())
		}
		// A Retry-After past what the documented bucket can need: wait the
		// documented refill with its margin, and try again.
		if _, far := implausible(); far && (slices.Contains(runnable, limited) || slices.Contains(runnable, recovery)) {
			slept = ceiling
			if r.clock.Sleep(ctx, slept) != nil {
				return
			}
			ex := r.do(ctx, provoked())
			afterRefill = &ex
			return
		}
		// Served again once Retry-After has passed, counted from the 429:
		// here, so the wait overlaps what the other families wait for.
		if first == nil || loadRefused != nil || !slices.Contains(runnable, recovery) {
			return
		}
		if !waitOK || wait > time.Duration(rl.MaxWaitSeconds)*time.Second {
			return
		}
		if r.clock.Sleep(ctx, wait+50*time.Millisecond) != nil {
			return
		}
		ex := r.do(ctx, provoked())
		recovered = &ex
	}
	return f
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
// of so many a minute lets through again while the burst lasted (a token
// bucket refills, a sliding window slides).
func burstShort(sent, served int, elapsed time.Duration, limitPerMinute int) string {
	refilled := int(math.Ceil(elapsed.Minutes() * float64(limitPerMinute)))
	allowed := limitPerMinute + refilled
	switch {
	case served > allowed:
		return ""
	case served < sent:
		return fmt.Sprintf("only %d of them were served (the others got an overloaded 502, 503 or 504, which never reached the rate limiter), not more than the %d the limit lets through in that time", served, allowed)
	default:
		return fmt.Sprintf("the burst took so long that the limit let %d more through while it lasted, so %d requests were within it", refilled, allowed)
	}
}
