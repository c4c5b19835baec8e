package suite

import (
	"strings"
	"testing"
)

// An explanation says what conform did: no wait on a Retry-After that was
// not sent, no retries of a burst that is never retried.
func TestReasonsSayWhatConformDid(t *testing.T) {
	bare := throttleReason(verdict{throttled: []string{"GET /credits", "GET /credits"}, throttledBare: 2})
	if strings.Contains(bare, "waited out its Retry-After") || !strings.Contains(bare, "without Retry-After") || strings.Count(bare, "GET /credits") != 1 {
		t.Errorf("429s without Retry-After: %q", bare)
	}
	if with := throttleReason(verdict{throttled: []string{"GET /credits"}}); !strings.Contains(with, "waited out its Retry-After") {
		t.Errorf("429s with Retry-After: %q", with)
	}
	burst := overloadReason(verdict{overloaded: []string{"GET /credits"}})
	if strings.Contains(burst, "retried") && !strings.Contains(burst, "did not retry") {
		t.Errorf("overload never retried: %q", burst)
	}
	if retried := overloadReason(verdict{overloaded: []string{"GET /credits"}, overloadRetries: 4}); !strings.Contains(retried, "retried 4 times") {
		t.Errorf("overload retried 4 times: %q", retried)
	}
}
