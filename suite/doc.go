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
//   - spec.go: a spec and its four kinds, each made by its constructor
//     (batchCheck, arrivingCheck and authCheck, drivenCheck,
//     acrossRunCheck); family.go: specs that share a setup, by default a
//     batch of each spec's probes; judge.go: the one place a check passes, warns,
//     fails, skips or is inconclusive; arrive.go: judging probes as they
//     arrive; evidence.go: what a check keeps of its exchanges;
//   - requests.go: building requests and sending them, and what the run
//     keeps of every exchange for the checks across it;
//   - schedule.go: what the families send, and when: each family's
//     sending a unit beside Ginkgo, started once the units it depends on
//     are done, so independent waits overlap;
//   - warm.go: the auth probes sent again on each GET a valid token was
//     served, and their late judging;
//   - catalogue.go: every check with its ID, level, sentence and source;
//   - stable.go: operations as they stay from run to run, for baselines;
//   - one file per family of checks: auth.go (the 401s, and which swept
//     operations are not at the base URL), scope.go, credits.go,
//     not_found.go, exports.go, validation.go, accept.go, http.go (the
//     scheme case, auth before validation, 405, unknown routes, stable
//     codes, and the challenge of every 401 of the run), security.go
//     (SECURITY-NO-LEAK, which watches every exchange as it arrives),
//     retry_after.go (Retry-After syntax across the run) and rate_limit.go.
//
// A plan is a value: NewPlan decides it, and nothing that reads it changes
// it. A run is a value too: Run builds it from the plan, the specs reach it
// through closures, and nothing of it outlives Run. Every check carries a stable ID, and its spec
// text starts with that ID and names the code or status it verifies, so a
// JUnit reader sees e.g. "AUTH-EXPIRED … TOKEN_EXPIRED 401". Results are
// data (report.Check with its violations), never parsed back from text.
package suite
