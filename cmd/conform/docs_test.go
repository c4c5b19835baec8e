package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/cornect/conform/internal/selftest"
)

var update = flag.Bool("update", false, "rewrite the generated parts of README.md and docs/")

// The documentation, from this package's directory.
const (
	readmePath     = "../../README.md"
	docsDir        = "../../docs"
	deviationsPath = "../../docs/deviations.md"
	checksPath     = "../../docs/checks.md"
	configPath     = "../../docs/configuration.md"
	ciPath         = "../../docs/ci.md"
	openapiPath    = "../../docs/openapi.md"
	proofPath      = "../../docs/reference.md"
	// goldenConsole is the console of the writers' golden run
	// (internal/report, TestWritersRenderARealRun): the README shows its
	// first failure as it prints.
	goldenConsole = "../../internal/report/testdata/run.console.txt"
	// readmeMaxLines is what a newcomer reads in two minutes.
	readmeMaxLines = 200
)

// keepGenerated holds the block between <!-- name:begin --> and
// <!-- name:end --> of the file at path to want; with -update it rewrites
// the block instead.
func keepGenerated(t *testing.T, path, name, want string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(b), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the %q … %q markers", path, begin, end)
	}
	doc := before + begin + want + end + after
	if doc == string(b) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the block %q is out of date; run go test ./cmd/conform -run Generated -update", path, name)
}

// TestGeneratedChecksTableMatchesTheCatalogue keeps docs/checks.md's table
// of checks what `conform list --markdown` prints.
func TestGeneratedChecksTableMatchesTheCatalogue(t *testing.T) {
	var table bytes.Buffer
	if err := listMarkdown(&table); err != nil {
		t.Fatal(err)
	}
	keepGenerated(t, checksPath, "checks", table.String())
}

// TestGeneratedFlagsMatchTheFlagSets keeps docs/configuration.md's flags
// what each command's flag set declares, as its help shows them.
func TestGeneratedFlagsMatchTheFlagSets(t *testing.T) {
	keepGenerated(t, configPath, "flags", flagsMarkdown())
}

// flagsMarkdown is a table of every command's flags: name, value,
// default (as the help shows it, without the environment) and usage.
func flagsMarkdown() string {
	var b strings.Builder
	for _, c := range commands() {
		fs := c.flags()
		var rows []string
		fs.VisitAll(func(f *flag.Flag) {
			value, usage := flag.UnquoteUsage(f)
			if value != "" {
				value = "`" + strings.ToUpper(value) + "`"
			}
			def := ""
			switch f.DefValue {
			case "", "false", "0", "[]":
			default:
				def = "`" + f.DefValue + "`"
			}
			rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |", dashed(f.Name), mdCell(value), def, mdCell(usage)))
		})
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### conform %s\n\n| flag | value | default | what it does |\n|---|---|---|---|\n", c.name)
		b.WriteString(strings.Join(rows, "\n") + "\n")
	}
	return strings.TrimPrefix(b.String(), "\n")
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// TestGeneratedExitCodesMatchInternalExitcode keeps the README's table of
// exit codes what internal/exitcode declares: every code, its meaning, its
// detail and the reusable workflow's verdict for it.
func TestGeneratedExitCodesMatchInternalExitcode(t *testing.T) {
	var b strings.Builder
	b.WriteString("| exit | meaning | workflow `verdict` |\n|---|---|---|\n")
	for _, e := range exitCodes() {
		fmt.Fprintf(&b, "| **%d** | %s: %s | `%s` |\n", e.Code, mdCell(e.Meaning), mdCell(e.Detail), e.Verdict)
	}
	keepGenerated(t, readmePath, "exit-codes", b.String())
}

// TestGeneratedFailureIsTheGoldenRunsConsole keeps the README's failure
// what the console prints: the golden run's opening lines up to the end of
// the first failure's first piece of evidence, then its verdict line.
func TestGeneratedFailureIsTheGoldenRunsConsole(t *testing.T) {
	console, err := os.ReadFile(goldenConsole)
	if err != nil {
		t.Fatal(err)
	}
	excerpt, err := firstFailure(string(console))
	if err != nil {
		t.Fatalf("%s: %v", goldenConsole, err)
	}
	keepGenerated(t, readmePath, "failure", "```text\n"+excerpt+"```\n")
}

// firstFailure is the excerpt of a console output the README shows: from
// the top through the first failure (the first line starting "✗ ",
// however indented) to the end of its first exchange (the first blank
// line after a "response:"), then "…" and the last line, the verdict.
func firstFailure(console string) (string, error) {
	lines := strings.Split(strings.TrimRight(console, "\n"), "\n")
	first := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "✗ ") })
	if first < 0 {
		return "", fmt.Errorf("no failure (a line starting %q)", "✗ ")
	}
	response := -1
	for i := first; i < len(lines); i++ {
		if strings.Contains(lines[i], "response: ") {
			response = i
			break
		}
	}
	if response < 0 {
		return "", fmt.Errorf("the first failure, line %d, shows no response", first+1)
	}
	end := slices.Index(lines[response:], "")
	if end < 0 {
		return "", fmt.Errorf("the response at line %d runs to the end", response+1)
	}
	end += response
	return strings.Join(lines[:end], "\n") + "\n    …\n\n" + lines[len(lines)-1] + "\n", nil
}

// A console whose first failure lacks evidence, or that has none, makes
// no excerpt: the README would show no failure.
func TestFirstFailureNeedsAFailureWithItsResponse(t *testing.T) {
	for name, console := range map[string]string{
		"no failure":      "conform\n\n  verified  AUTH-MISSING\n\nCONFORMANT\n",
		"no response":     "conform\n\n✗ AUTH-EXPIRED — x\n    level: MUST\n\nNOT CONFORMANT\n",
		"response at end": "conform\n\n✗ AUTH-EXPIRED — x\n        response: 401\n",
	} {
		if got, err := firstFailure(console); err == nil {
			t.Errorf("%s: excerpt %q, want an error", name, got)
		}
	}
	got, err := firstFailure("conform 1\n\n✗ A — x\n    GET /credits\n        response: 401\n        {}\n\n✗ B — y\n        response: 404\n\nNOT CONFORMANT: 2 checks failed\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "conform 1\n\n✗ A — x\n    GET /credits\n        response: 401\n        {}\n    …\n\nNOT CONFORMANT: 2 checks failed\n"; got != want {
		t.Errorf("excerpt %q, want %q", got, want)
	}
}

// TestDeviationsDocMatchesTheMatrix keeps docs/deviations.md what the
// table of conform selftest says.
func TestDeviationsDocMatchesTheMatrix(t *testing.T) {
	want := selftest.DeviationsDoc()
	got, err := os.ReadFile(deviationsPath)
	if err == nil && string(got) == want {
		return
	}
	if *update {
		if err := os.WriteFile(deviationsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("docs/deviations.md is out of date; run go test ./cmd/conform -run Deviations -update")
}

// TestDocsStateTheMatrixCounts keeps "detects N of N" honest: the numbers
// docs/reference.md states are those of the table conform selftest runs.
func TestDocsStateTheMatrixCounts(t *testing.T) {
	doc, err := os.ReadFile(proofPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range selftest.ProofClaims() {
		if !strings.Contains(string(doc), want) {
			t.Errorf("%s does not say %q", proofPath, want)
		}
	}
}

// TestREADMEIsShortAndStartsWithTheTwoCommands holds the README to what a
// newcomer reads in two minutes: at most readmeMaxLines lines, whose first
// command block runs the suite and conform's own tests, the test command
// being the one .ci/run runs.
func TestREADMEIsShortAndStartsWithTheTwoCommands(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, want at most %d: move the detail to a docs/ page", n, readmeMaxLines)
	}
	_, block, ok := strings.Cut(readme, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README.md has no sh block")
	}
	var cmds []string
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		cmd, _, _ := strings.Cut(l, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if want := []string{"go run ./cmd/conform run", "go test ./..."}; !slices.Equal(cmds, want) {
		t.Errorf("README.md's first commands are %q, want %q", cmds, want)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^go test \./\.\.\.$`).Match(ci) {
		t.Error(".ci/run does not run the README's test command, go test ./...")
	}
}

// TestDocsAreIndexedAndTheirLinksResolve keeps the documentation one
// web: every page of docs/ is linked from docs/README.md and from the
// README, and every relative link of either and of the pages names a
// file that exists and, with a #fragment, a heading it has.
func TestDocsAreIndexedAndTheirLinksResolve(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in %s (%v)", docsDir, err)
	}
	index := filepath.Join(docsDir, "README.md")
	linked := map[string]map[string]bool{} // file → targets it links, cleaned
	for _, p := range append(slices.Clone(pages), readmePath, filepath.Join(docsDir, "jenkins", "README.md")) {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		linked[p] = map[string]bool{}
		for _, l := range relativeLinks(t, p) {
			file, fragment, _ := strings.Cut(l, "#")
			target := p
			if file != "" {
				target = filepath.Clean(filepath.Join(filepath.Dir(p), file))
			}
			linked[p][target] = true
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links %s, which does not exist", p, l)
				continue
			}
			if fragment != "" && !slices.Contains(anchors(t, target), fragment) {
				t.Errorf("%s links %s: %s has no heading #%s", p, l, target, fragment)
			}
		}
	}
	for _, p := range pages {
		if p == index {
			continue
		}
		if !linked[index][filepath.Clean(p)] {
			t.Errorf("docs/README.md does not list %s", filepath.Base(p))
		}
		if !linked[readmePath][filepath.Clean(p)] {
			t.Errorf("README.md does not link %s", filepath.Base(p))
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// relativeLinks are the targets of a Markdown file's links that are
// neither absolute URLs nor inside code blocks.
func relativeLinks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	inCode := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(l, -1) {
			if !strings.Contains(m[1], "://") && !strings.HasPrefix(m[1], "mailto:") {
				links = append(links, m[1])
			}
		}
	}
	return links
}

// anchors are the fragments GitHub gives a Markdown file's headings:
// lower case, punctuation but - and _ dropped, spaces as -.
func anchors(t *testing.T, path string) []string {
	t.Helper()
	if !strings.HasSuffix(path, ".md") {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inCode := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(l, "#")))
		var a strings.Builder
		for _, r := range h {
			switch {
			case r == ' ':
				a.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				a.WriteRune(r)
			}
		}
		out = append(out, a.String())
	}
	return out
}

// A source of several pages links each: one link over two URLs leads
// nowhere.
func TestSourceLinkLinksEachPage(t *testing.T) {
	for src, want := range map[string]string{
		"https://cornect.io/docs/api/errors": "[errors](https://cornect.io/docs/api/errors)",
		"RFC 9110 §11.1":                     "RFC 9110 §11.1",
		"https://cornect.io/docs/api/authentication; https://cornect.io/docs/api/credits": "[authentication](https://cornect.io/docs/api/authentication); [credits](https://cornect.io/docs/api/credits)",
		"RFC 9110 §15.5.2; https://cornect.io/docs/api/authentication":                    "RFC 9110 §15.5.2; [authentication](https://cornect.io/docs/api/authentication)",
	} {
		if got := sourceLink(src); got != want {
			t.Errorf("sourceLink(%q) = %q, want %q", src, got, want)
		}
	}
}
