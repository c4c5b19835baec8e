package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cornect/conform/internal/version"
)

// releaseTestEnv opts in to TestReleaseSnapshotBuildsEveryArchive: building
// GoReleaser cold takes far longer than the rest of the tests together.
const releaseTestEnv = "CONFORM_RELEASE_TEST"

// goreleaserConfig is the part of .goreleaser.yaml the tests hold to what
// the README, the GitHub Action and the reports rely on.
type goreleaserConfig struct {
	Builds []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		NameTemplate    string   `yaml:"name_template"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		WrapInDirectory any `yaml:"wrap_in_directory"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Kos []struct {
		Build        string   `yaml:"build"`
		BaseImage    string   `yaml:"base_image"`
		User         string   `yaml:"user"`
		Repositories []string `yaml:"repositories"`
		Platforms    []string `yaml:"platforms"`
		Bare         bool     `yaml:"bare"`
	} `yaml:"kos"`
}

func readGoreleaserConfig(t *testing.T) goreleaserConfig {
	t.Helper()
	raw, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 || len(cfg.Kos) != 1 {
		t.Fatalf(".goreleaser.yaml: want one build, one archive and one image, got %d, %d, %d", len(cfg.Builds), len(cfg.Archives), len(cfg.Kos))
	}
	return cfg
}

// TestReleaseConfigMakesTheArchivesTheActionInstalls holds the release to
// the names other tools rely on: conform_<version>_<os>_<arch>.tar.gz (.zip
// on windows) with the binary conform at its root, checksums.txt in
// SHA-256, six platforms, a static binary, and an image of that same build.
func TestReleaseConfigMakesTheArchivesTheActionInstalls(t *testing.T) {
	cfg := readGoreleaserConfig(t)
	b, a, k := cfg.Builds[0], cfg.Archives[0], cfg.Kos[0]
	if b.Main != "./cmd/conform" || b.Binary != "conform" {
		t.Errorf("build: main %q, binary %q; want ./cmd/conform and conform", b.Main, b.Binary)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %q: want CGO_ENABLED=0 (a static binary for scratch-like images and any libc)", b.Env)
	}
	if got := slices.Sorted(slices.Values(b.Goos)); !slices.Equal(got, []string{"darwin", "linux", "windows"}) {
		t.Errorf("goos %q, want darwin, linux, windows", got)
	}
	if got := slices.Sorted(slices.Values(b.Goarch)); !slices.Equal(got, []string{"amd64", "arm64"}) {
		t.Errorf("goarch %q, want amd64, arm64", got)
	}
	if a.NameTemplate != "conform_{{ .Version }}_{{ .Os }}_{{ .Arch }}" {
		t.Errorf("archive name_template %q, want conform_{{ .Version }}_{{ .Os }}_{{ .Arch }}", a.NameTemplate)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 ||
		a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("archive formats %q, overrides %+v; want tar.gz, zip on windows", a.Formats, a.FormatOverrides)
	}
	if a.WrapInDirectory != nil && a.WrapInDirectory != false {
		t.Errorf("wrap_in_directory %v: the binary must be at the archive's root", a.WrapInDirectory)
	}
	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v, want checksums.txt in sha256", cfg.Checksum)
	}
	if k.Build != b.ID {
		t.Errorf("the image builds %q, want the archives' build %q (the same flags, the same version)", k.Build, b.ID)
	}
	if k.User == "" || strings.HasPrefix(k.User, "0") || k.User == "root" {
		t.Errorf("image user %q, want a non-root user", k.User)
	}
	if !k.Bare || !slices.Equal(k.Repositories, []string{"ghcr.io/cornect/conform"}) {
		t.Errorf("image repositories %q (bare %v), want ghcr.io/cornect/conform", k.Repositories, k.Bare)
	}
	if got := slices.Sorted(slices.Values(k.Platforms)); !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("image platforms %q, want linux/amd64 and linux/arm64", got)
	}
}

// releaseLdflags returns the build's ldflags with the version rendered, as
// GoReleaser passes them to go build. Only {{ .Version }} is known here: a
// template that uses more fails the test, which then needs teaching.
func releaseLdflags(t *testing.T, cfg goreleaserConfig, ver string) string {
	t.Helper()
	tmpl := regexp.MustCompile(`\{\{\s*\.Version\s*\}\}`)
	var flags []string
	for _, f := range cfg.Builds[0].Ldflags {
		f = tmpl.ReplaceAllLiteralString(f, ver)
		if strings.Contains(f, "{{") {
			t.Fatalf("ldflags %q: a template other than {{ .Version }}; teach releaseLdflags to render it", f)
		}
		flags = append(flags, f)
	}
	return strings.Join(flags, " ")
}

// TestReleaseLdflagsStampOneVersionEverywhere builds conform with the very
// flags .goreleaser.yaml gives go build, a version no other build could
// have, and finds that version in conform version, the console and the JSON
// report; the binary has no symbol table and no DWARF (-s -w).
func TestReleaseLdflagsStampOneVersionEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds conform")
	}
	cfg := readGoreleaserConfig(t)
	const stamp = "7.7.7-ldflags.test"
	dir := t.TempDir()
	bin := filepath.Join(dir, "conform")
	args := append([]string{"build", "-o", bin}, cfg.Builds[0].Flags...)
	args = append(args, "-ldflags="+releaseLdflags(t, cfg, stamp), ".")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", args...)
	build.Env = append(os.Environ(), cfg.Builds[0].Env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	checkReleaseSize(t, bin)

	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "conform "+stamp+"\n") {
		t.Errorf("conform version: %v\n%s\nwant it to start with conform %s", err, out, stamp)
	}

	report := filepath.Join(dir, "report.json")
	run := exec.CommandContext(ctx, bin, "run", "--focus", "AUTH-MISSING", "--json-report", report)
	run.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	console, err := run.Output()
	if err != nil {
		t.Fatalf("conform run: %v\n%s", err, console)
	}
	if !strings.HasPrefix(string(console), "conform "+stamp+" — ") {
		t.Errorf("console starts %q, want conform %s", firstLine(console), stamp)
	}
	var got struct {
		Version string `json:"version"`
	}
	if raw, err := os.ReadFile(report); err != nil || json.Unmarshal(raw, &got) != nil || got.Version != stamp {
		t.Errorf("JSON report version %q (%v), want %q", got.Version, err, stamp)
	}

	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, s := range []string{".symtab", ".debug_info"} {
			if f.Section(s) != nil {
				t.Errorf("the release build has %s: -s -w missing from the ldflags", s)
			}
		}
	}
}

// releaseSizeCeiling is the most the release binary may weigh on
// linux/amd64 (docs/releasing.md "The binary's size": 13.9 MB measured).
// What it guards most: a text/template executed anywhere in the binary
// makes the linker keep every exported method of every type, 3.3 MB.
const releaseSizeCeiling = 15_000_000

// checkReleaseSize holds the release build to releaseSizeCeiling where the
// ceiling was measured: linux/amd64 (other platforms' binaries differ by
// up to a megabyte).
func checkReleaseSize(t *testing.T, bin string) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return
	}
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() >= releaseSizeCeiling {
		t.Errorf("the release binary is %d bytes, the ceiling %d: see docs/releasing.md \"The binary's size\" (scripts/binsize, go build -ldflags=-dumpdep)", info.Size(), releaseSizeCeiling)
	} else {
		t.Logf("the release binary is %d bytes (ceiling %d)", info.Size(), releaseSizeCeiling)
	}
}

// TestReleaseSnapshotBuildsEveryArchive runs scripts/release --snapshot,
// GoReleaser included, and checks what it leaves in dist/: six archives
// named as the Action expects, each in checksums.txt with its SHA-256, and
// the archive for this machine holds a conform whose version is the suite
// version's snapshot. Opt-in (CONFORM_RELEASE_TEST=1): GoReleaser is a large
// program to compile, see README "Releases".
func TestReleaseSnapshotBuildsEveryArchive(t *testing.T) {
	if os.Getenv(releaseTestEnv) == "" {
		t.Skipf("set %s=1 to build GoReleaser and run scripts/release --snapshot", releaseTestEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "scripts/release", "--snapshot")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/release --snapshot: %v\n%s", err, out)
	}
	dist := "../../dist"
	sums := readChecksums(t, filepath.Join(dist, "checksums.txt"))
	name := regexp.MustCompile(`^conform_(` + regexp.QuoteMeta(version.Suite) + `-SNAPSHOT-[0-9a-f]+)_(linux|darwin|windows)_(amd64|arm64)\.(tar\.gz|zip)$`)
	var snapshot string
	platforms := map[string]string{}
	for file, sum := range sums {
		m := name.FindStringSubmatch(file)
		if m == nil {
			t.Errorf("checksums.txt lists %q, not conform_%s-SNAPSHOT-<commit>_<os>_<arch>.tar.gz|zip", file, version.Suite)
			continue
		}
		if (m[2] == "windows") != (m[4] == "zip") {
			t.Errorf("%s: windows gets .zip, every other OS .tar.gz", file)
		}
		snapshot = m[1]
		platforms[m[2]+"_"+m[3]] = file
		raw, err := os.ReadFile(filepath.Join(dist, file))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(raw); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: sha256 %x, checksums.txt says %s", file, h, sum)
		}
		t.Logf("%s  %d bytes", file, len(raw))
	}
	if len(platforms) != 6 {
		t.Fatalf("archives for %d platforms, want 6: %v", len(platforms), platforms)
	}

	archive := platforms[runtime.GOOS+"_"+runtime.GOARCH]
	if archive == "" {
		t.Skipf("no archive for %s/%s to run", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(t.TempDir(), "conform")
	extractBinary(t, filepath.Join(dist, archive), bin)
	got, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(got), "conform "+snapshot+"\n") {
		t.Errorf("%s: conform version: %v\n%s\nwant conform %s", archive, err, got, snapshot)
	}
	if info, err := os.Stat(bin); err == nil {
		t.Logf("%s: conform is %d bytes", archive, info.Size())
	}
}

// readChecksums reads a checksums.txt: "<sha256>  <file>" per line.
func readChecksums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: line %q is not <sha256>  <file>", path, sc.Text())
		}
		sums[file] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

// extractBinary copies the file conform at the root of a .tar.gz or .zip
// archive to dst.
func extractBinary(t *testing.T, archive, dst string) {
	t.Helper()
	var src io.Reader
	if strings.HasSuffix(archive, ".zip") {
		z, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer z.Close()
		rc, err := z.Open("conform.exe")
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		defer rc.Close()
		src = rc
	} else {
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err != nil {
				t.Fatalf("%s: no conform at the root (%v)", archive, err)
			}
			if h.Name == "conform" {
				src = tr
				break
			}
		}
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, io.LimitReader(src, 200<<20)); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
