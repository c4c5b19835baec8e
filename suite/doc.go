// Package suite holds the conformance specs: one file per error family
// (auth.go, scope.go, credits.go, not_found.go, exports.go, validation.go,
// rate_limit.go), the catalogue of checks they implement (catalogue.go) and
// the target they run against (target.go).
//
// Specs register at package level, as Ginkgo wants; Run injects the target
// and runs them once per process. Every check carries a stable ID, and its
// spec text starts with that ID and names the code or status it verifies, so
// a JUnit reader sees e.g. "AUTH-EXPIRED … TOKEN_EXPIRED 401".
package suite
