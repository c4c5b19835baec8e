// Package version says which suite this is and which contract it checks.
package version

// Suite is the version of conform; every check records the version that added it.
const Suite = "0.1.0"

// Contract is the version of the CAPI documentation the checks come from.
const Contract = "CAPI v1 (https://cornect.io/docs/api/, digest of 2026-11)"
