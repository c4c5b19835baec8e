package suite

import (
	"context"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// retryAfterFamily looks at every response of the run, so it comes after
// the rate-limit burst.
func (r *run) retryAfterFamily() *family {
	return newFamily("", acrossRunCheck("HTTP-RETRY-AFTER-SYNTAX", func(_ context.Context, s *spec) {
		var with []probe.Exchange
		for _, e := range r.seenUpTo(s) {
			if len(e.ex.Header.Values("Retry-After")) > 0 {
				with = append(with, e.ex)
			}
		}
		if len(with) == 0 {
			s.skip("no response of this run carried Retry-After")
		}
		s.judge(with, match.HaveValidRetryAfter())
	}, nil, nil))
}
