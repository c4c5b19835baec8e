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
//   - it paces itself within the documented per-token limits and, for a 429 it
//     did not provoke on purpose, waits Retry-After (bounded) and retries.
package probe
