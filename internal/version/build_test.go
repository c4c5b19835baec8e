package version

import (
	"runtime/debug"
	"testing"

	"golang.org/x/mod/semver"
)

func TestBuildVersionComesFromTheBuild(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"go install at a release", "v0.2.0", nil, "0.2.0"},
		{"go install at a pre-release", "v0.3.0-rc.1", nil, "0.3.0-rc.1"},
		{"go build on a tagged, clean commit", "v0.2.0", vcs(rev, "false"), "0.2.0"},
		{"go build on a tagged commit with changes", "v0.2.0+dirty", vcs(rev, "true"), Suite + "+dev.0123456789ab.dirty"},
		{"go build between releases", "v0.2.1-0.20260710120000-0123456789ab", vcs(rev, "false"), Suite + "+dev.0123456789ab"},
		{"go build between releases, with changes", "v0.2.1-0.20260710120000-0123456789ab+dirty", vcs(rev, "true"), Suite + "+dev.0123456789ab.dirty"},
		{"go install at a commit", "v0.2.1-0.20260710120000-0123456789ab", nil, Suite + "+dev.0123456789ab"},
		{"go run or -buildvcs=false", "(devel)", nil, Suite + "+dev"},
		{"test binary", "", nil, Suite + "+dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/cornect/conform", Version: tt.version}, Settings: tt.settings}
			got := fromBuildInfo(info)
			if got != tt.want {
				t.Errorf("version %q, settings %v: got %q, want %q", tt.version, tt.settings, got, tt.want)
			}
			if !semver.IsValid("v" + got) {
				t.Errorf("%q is not a SemVer version", got)
			}
		})
	}
}

func TestAStampedVersionWins(t *testing.T) {
	defer func(old string) { stamped = old }(stamped)
	stamped = "9.8.7"
	if got := Build(); got != "9.8.7" {
		t.Errorf("Build() = %q with 9.8.7 stamped in", got)
	}
}

func TestSuiteIsAReleaseVersion(t *testing.T) {
	if v := "v" + Suite; !semver.IsValid(v) || semver.Prerelease(v) != "" || semver.Build(v) != "" || semver.Canonical(v) != v {
		t.Errorf("Suite %q is not a release version MAJOR.MINOR.PATCH", Suite)
	}
}
