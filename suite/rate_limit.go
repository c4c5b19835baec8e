package suite

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// burstWave is how many burst requests go out at once: enough that a target
// far away is emptied in a few round trips, few enough to stop soon after
// the first 429.
const burstWave = 32

// describeRateLimit bursts the profile's endpoint just past its documented
// per-token limit (never more than the limit plus the profile's margin),
// then waits Retry-After and expects to be served again. It runs last, so
// the emptied bucket cannot disturb other checks.
func describeRateLimit() {
	Describe("rate limit", Ordered, func() {
		var (
			first   *probe.Exchange
			last    probe.Exchange
			sent    int
			elapsed time.Duration
		)
		BeforeAll(func(ctx SpecContext) {
			rl := profile().RateLimit
			cred := token(rl.Token)
			e := endpoint(rl.Endpoint)
			limit := e.LimitPerMinute + rl.Margin
			start := time.Now()
			for sent < limit && first == nil {
				n := min(burstWave, limit-sent)
				reqs := make([]probe.Request, n)
				for i := range reqs {
					reqs[i] = request(e, bearer(cred), cred)
					reqs[i].Provoke = true
				}
				exs := doAll(ctx, reqs...)
				sent += n
				for i := range exs {
					last = exs[i]
					if exs[i].Status == 429 {
						first = &exs[i]
						break
					}
				}
			}
			elapsed = time.Since(start)
		})

		check("RATE-LIMIT-429", func(ctx SpecContext) {
			rl := profile().RateLimit
			e := endpoint(rl.Endpoint)
			if first == nil {
				record(last)
				Fail(fmt.Sprintf("sent %d requests to %s %s with %s in %s (documented limit %d/min); none was refused with 429",
					sent, e.Method, e.Path, TokenVar(rl.Token), elapsed.Round(time.Millisecond), e.LimitPerMinute))
			}
			record(*first)
			judge(*first, match.BeError(match.ErrorExpectation{Status: 429, RetryAfter: true}))
		})

		check("RATE-LIMIT-RECOVERY", func(ctx SpecContext) {
			rl := profile().RateLimit
			if first == nil {
				Skip("no 429 was provoked, so there is nothing to recover from")
			}
			wait, ok := probe.ParseRetryAfter(first.Header.Get("Retry-After"), time.Now())
			if !ok {
				Skip("the 429 carried no usable Retry-After, so there is no documented time to wait")
			}
			if wait > time.Duration(rl.MaxWaitSeconds)*time.Second {
				Skip(fmt.Sprintf("Retry-After asks for %s, longer than rate_limit.max_wait_seconds (%d)", wait, rl.MaxWaitSeconds))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait + 50*time.Millisecond):
			}
			cred := token(rl.Token)
			r := request(endpoint(rl.Endpoint), bearer(cred), cred)
			r.Provoke = true
			judge(sendOne(ctx, r), match.BeAccepted())
		})
	})
}
