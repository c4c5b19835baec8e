package suite

import (
	. "github.com/onsi/ginkgo/v2"
)

// One Ordered top-level container, so Ginkgo runs the checks in the order
// they are registered here (it would otherwise sort them by file and text):
// the rate-limit burst empties a token's bucket and must come last. A failed
// check never skips the ones after it.
var _ = Describe("CAPI error contract", Ordered, ContinueOnFailure, func() {
	describeAuth()
	describeScope()
	describeCredits()
	describeNotFound()
	describeExports()
	describeValidation()
	describeHTTP()
	describeSecurity()
	describeRateLimit()
	describeRetryAfterSyntax()
})
