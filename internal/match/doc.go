// Package match holds the Gomega matchers that judge captured exchanges
// against the CAPI error contract. Each matcher reads an exchange that the
// probe already captured and reports every violation in one message —
// status, headers, envelope, schema — never only the first. The suite
// runs them through Gomega (Expect(actual).To(m)) and takes the verdict
// from the findings they kept (Findings); their failure message is the
// same violations as text.
package match
