// Package version says which conform this is and which contract it checks.
package version

// Suite is the version of this source tree: a release of it is tagged
// v<Suite> (scripts/release refuses any other tag), and every check's
// "since" counts in it. 0.1.0 was the first cut of the checks and 0.2.0
// added the readings that hold on real servers (catalogue.go); neither was
// ever tagged. 0.3.0 is the first release anyone can install: binaries, an
// image, one version string.
const Suite = "0.3.0"

// Contract is the version of the CAPI documentation the checks come from.
const Contract = "CAPI v1 (https://cornect.io/docs/api/, digest of 2026-11)"
