package probe

import "time"

// WaitCause says why the client waits before sending a request.
type WaitCause string

// The waits of a client.
const (
	// WaitPacing: the request would exceed the documented per-token limit
	// of its endpoint, so it waits for its local bucket to refill.
	WaitPacing WaitCause = "pacing"
	// WaitRetryAfter: the target answered 429 to a request the suite did
	// not mean to be refused; the client waits as Retry-After asked.
	WaitRetryAfter WaitCause = "retry-after"
	// WaitBackoff: the target answered 429 without Retry-After to a
	// request the suite did not mean to be refused; the client backs off
	// for a time of its own choosing (no header asked for it).
	WaitBackoff WaitCause = "backoff"
	// WaitOverload: the target answered 502, 503 or 504; the client backs
	// off before it retries.
	WaitOverload WaitCause = "overload"
)

// Wait is one wait of the client, announced through Options.OnWait before
// it starts.
type Wait struct {
	Cause WaitCause
	// Operation is the request's operation: "GET /credits".
	Operation string
	// Token is the variable of the token the request presented, or ""
	// for a request meant to fail authentication (targets limit those per
	// client address, across endpoints).
	Token string
	// Duration is how long it will wait (at most; a cancelled run waits less).
	Duration time.Duration
}

func (c *Client) onWait(w Wait) {
	if c.opts.OnWait != nil {
		c.opts.OnWait(w)
	}
}
