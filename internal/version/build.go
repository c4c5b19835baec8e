package version

import (
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Build is the version of this conform binary, as the build recorded it:
//
//   - the module version it was installed at (go install …@v0.2.0 gives
//     "0.2.0"), when that is a release;
//   - else the VCS revision it was built from, short, with "-dirty" when the
//     work tree had changes (go build in a checkout);
//   - else the revision of the pseudo-version it was installed at
//     (go install …@<commit>);
//   - else Suite with "+dev" (go run, tests, -buildvcs=false).
//
// Suite stays the version of the checks: reports record it, and each
// check's "since" refers to it.
func Build() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Suite + "+dev"
	}
	return fromBuildInfo(info)
}

// shortRev is how many characters of a revision Build shows, as Go's
// pseudo-versions do.
const shortRev = 12

func fromBuildInfo(info *debug.BuildInfo) string {
	v := info.Main.Version
	if semver.IsValid(v) && semver.Build(v) == "" && !module.IsPseudoVersion(v) {
		return strings.TrimPrefix(v, "v")
	}
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		rev = rev[:min(len(rev), shortRev)]
		if modified {
			rev += "-dirty"
		}
		return rev
	}
	if module.IsPseudoVersion(v) {
		if r, err := module.PseudoVersionRev(v); err == nil {
			return r
		}
	}
	return Suite + "+dev"
}
