// Package suite holds the conformance specs and what they need:
//
//   - run.go: Options, Run and the run value the specs close over; it
//     registers the Ginkgo tree of the selected specs and collects results;
//   - plan.go: the Plan, the one decision of what runs (Ginkgo's filter
//     semantics, the tokens each spec needs), made once by NewPlan and
//     taken by Run, Budget, --dry-run, conform list and the reports;
//   - paces.go: the limits a run of a plan paces within, and the client
//     of a plan (Plan.NewClient);
//   - budget.go: what a run of a plan sends, by class of pacing;
//   - spec.go: a spec, its family, and the one place a check passes,
//     warns, fails, skips or is inconclusive;
//   - requests.go: building requests and sending them;
//   - catalogue.go: every check with its ID, level, sentence and source;
//   - stable.go: operations as they stay from run to run, for baselines;
//   - one file per family of checks: auth.go (the 401s, and which swept
//     operations are not at the base URL), scope.go, credits.go,
//     not_found.go, exports.go, validation.go, http.go (the challenge,
//     scheme case, auth before validation, 405, unknown routes, stable
//     codes, leaks, Retry-After syntax) and rate_limit.go.
//
// A plan is a value: NewPlan decides it, and nothing that reads it changes
// it. A run is a value too: Run builds it from the plan, the specs reach it
// through closures, and nothing of it outlives Run. Every check carries a stable ID, and its spec
// text starts with that ID and names the code or status it verifies, so a
// JUnit reader sees e.g. "AUTH-EXPIRED … TOKEN_EXPIRED 401". Results are
// data (report.Check with its violations), never parsed back from text.
package suite
