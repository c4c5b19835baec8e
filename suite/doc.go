// Package suite holds the conformance specs and what they need:
//
//   - one file per family of checks: auth.go (the 401s), scope.go,
//     credits.go, not_found.go, exports.go, validation.go, http.go (HTTP
//     SHOULDs: challenge, scheme case, 405, unknown routes, stable codes,
//     Retry-After syntax), security.go (leaks) and rate_limit.go;
//   - specs.go, the one ordered container that fixes their order;
//   - catalogue.go, every check with its ID, level, sentence and source;
//     plan.go, what a configuration would run (--dry-run);
//   - probes.go, building requests and sending them; batch.go, sending a
//     family's probes at once and honouring the filters; judge.go, the one
//     place a check passes, warns, fails or is inconclusive;
//   - target.go, the injected target, Run, and the collector that turns
//     Ginkgo's spec reports into report.Checks.
//
// Specs register at package level, as Ginkgo wants; Run injects the target
// and runs them once per process. Every check carries a stable ID, and its
// spec text starts with that ID and names the code or status it verifies, so
// a JUnit reader sees e.g. "AUTH-EXPIRED … TOKEN_EXPIRED 401".
package suite
