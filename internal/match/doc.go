// Package match holds the Gomega matchers that judge captured exchanges
// against the CAPI error contract. Each matcher reads an exchange that the
// probe already captured and reports every violation in one message —
// status, headers, envelope, schema — never only the first.
package match
