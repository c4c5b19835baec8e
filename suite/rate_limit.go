package suite

import (
	"context"
	"fmt"
	"math"
	"slices"
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
		first   *probe.Exchange
		last    probe.Exchange
		sent    int
		served  int // of sent, those not refused as overloaded
		elapsed time.Duration
		other   *probe.Exchange // another token's request once the first was limited
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

	limited := newSpec("RATE-LIMIT-429", "", func(_ context.Context, s *spec) {
		if first == nil {
			s.record(last)
			if why := burstShort(sent, served, elapsed, e.LimitPerMinute); why != "" {
				s.inconclusive(fmt.Sprintf("sent %d requests to %s with %s in %s (documented limit %d/min), none refused with 429; %s",
					sent, e.Key(), role.Var(), elapsed.Round(time.Millisecond), e.LimitPerMinute, why))
			}
			s.judge(last, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
			s.res.Reason = fmt.Sprintf("sent %d requests to %s with %s in %s (documented limit %d/min); none was refused with 429",
				sent, e.Key(), role.Var(), elapsed.Round(time.Millisecond), e.LimitPerMinute)
			return
		}
		s.judge(*first, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
	}, Need{role})

	recovery := newSpec("RATE-LIMIT-RECOVERY", "", func(ctx context.Context, s *spec) {
		if first == nil {
			s.inconclusive("no 429 was provoked, so there is nothing to recover from")
		}
		s.record(*first)
		wait, ok := probe.ParseRetryAfter(first.Header.Get("Retry-After"), r.clock.Now())
		if !ok {
			s.inconclusive("the 429 carried no usable Retry-After, so there is no documented time to wait")
		}
		if wait > time.Duration(rl.MaxWaitSeconds)*time.Second {
			s.skip(fmt.Sprintf("Retry-After asks for %s, longer than rate_limit.max_wait_seconds (%d)", wait, rl.MaxWaitSeconds))
		}
		if r.clock.Sleep(ctx, wait+50*time.Millisecond) != nil {
			s.stop(report.NotRun, "", "not completed: the run stopped while waiting out Retry-After")
		}
		s.judge(s.send(ctx, provoked())[0], match.BeAccepted())
	}, Need{role})

	perToken := newSpec("RATE-LIMIT-PER-TOKEN", "", func(_ context.Context, s *spec) {
		if first == nil {
			s.inconclusive("no 429 was provoked, so no token was past the limit")
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
		limit := e.LimitPerMinute + rl.Margin
		start := r.clock.Now()
		for sent < limit && first == nil && ctx.Err() == nil {
			n := min(burstWave, limit-sent)
			reqs := make([]probe.Request, n)
			for i := range reqs {
				reqs[i] = provoked()
			}
			exs := r.doAll(ctx, reqs...)
			sent += n
			for i := range exs {
				last = exs[i]
				if !exs[i].Overloaded { // a timeout is the target's answer: it hangs
					served++
				}
				if exs[i].Status == 429 {
					first = &exs[i]
					break
				}
			}
		}
		elapsed = r.clock.Now().Sub(start)
		// At once, while the burst's token is still past the limit: the
		// other token has a bucket of its own.
		if first != nil && slices.Contains(runnable, perToken) {
			ex := r.do(ctx, otherToken())
			other = &ex
		}
	}
	return f
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
