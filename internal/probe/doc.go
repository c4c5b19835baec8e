// Package probe sends one HTTP request to the target and captures the whole
// exchange, bounded and redacted.
//
// It is deliberately dumb about the contract: it never judges a response (the
// matchers in internal/match do). What it guarantees:
//
//   - redirects are never followed, so a token is never sent to another host;
//   - every request has a context and a timeout;
//   - bodies are read through a limit and marked when cut;
//   - token values are replaced by their variable names ($CONFORM_TOKEN_READ)
//     in everything it records, including echoed response bodies and headers;
//   - it paces itself within the documented per-token limits (and assumed
//     ones for failed authentication and undocumented operations) and, for
//     a 429 it did not provoke on purpose, waits Retry-After (bounded) and
//     retries;
//   - it retries a 502, 503 or 504 with bounded backoff and marks one it
//     could not get past Overloaded, never a 500 (that is an answer);
//   - it never has more than Options.Concurrency requests in flight;
//   - a request that got not a byte back (its connection died under it: a
//     crash, or a server closing it at rest) is sent again, twice at most,
//     on a fresh connection, marked FreshRetry; Request.FreshConnection
//     sends a probe whose timing matters on a connection of its own;
//   - an answer whose first byte came late is marked Slow.
//
// Client.Do is three steps: pacing (pace.go), one attempt through the
// class's gate and the client's concurrency (client.go), and the retry
// policy for an answer that is no answer (retry.go); Options and their
// defaults are in options.go.
package probe
