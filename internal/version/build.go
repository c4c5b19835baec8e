package version

import (
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// stamped is the version a release build writes in at link time, with
//
//	-X github.com/cornect/conform/internal/version.stamped=0.3.0
//
// (.goreleaser.yaml's ldflags; a test builds with those very flags).
var stamped string

// Build is the version of this conform binary: the one string that
// `conform version` prints, that every report records and that every
// request carries in its User-Agent. It is
//
//   - the version a release build stamped in (GoReleaser: the tag, without
//     its "v");
//   - else the module version it was installed at, when that is a release
//     (go install …@v0.3.0 gives "0.3.0");
//   - else Suite with "+dev", and the VCS revision it was built from when
//     the build recorded one: "0.3.0+dev.0123456789ab", ".dirty" added when
//     the work tree had changes (go build in a checkout, go install
//     …@<commit>, go run, tests).
//
// A development build thus still names the suite its checks belong to, and
// SemVer's build metadata ("+…") marks it as no release.
func Build() string {
	if stamped != "" {
		return stamped
	}
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
	if rev == "" && module.IsPseudoVersion(v) {
		rev, _ = module.PseudoVersionRev(v)
	}
	dev := Suite + "+dev"
	if rev != "" {
		dev += "." + rev[:min(len(rev), shortRev)]
		if modified {
			dev += ".dirty"
		}
	}
	return dev
}
