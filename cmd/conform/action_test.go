package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/report"
	"go.yaml.in/yaml/v3"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/version"
)

// The step-level action at the root of the repository. GitHub cannot run
// here, so, like the workflow, its steps run with bash in the workflow
// tests' harness (runWorkflowStep).
const actionPath = "../../action.yml"

type ghAction struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Required bool      `yaml:"required"`
		Default  yaml.Node `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]ghOutput `yaml:"outputs"`
	Runs    struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

func loadAction(t *testing.T) (ghAction, []byte) {
	t.Helper()
	b, err := os.ReadFile(actionPath)
	if err != nil {
		t.Fatal(err)
	}
	var a ghAction
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml is not valid YAML: %v", err)
	}
	return a, b
}

func actionStep(t *testing.T, a ghAction, id string) ghStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml has no step with id %s", id)
	return ghStep{}
}

// TestActionIsActionlintClean lints the action's steps as actionlint lints
// a workflow's: actionlint reads action.yml only as the metadata of an
// action a workflow uses (conform's own CI uses it, and the workflows are
// linted too), so its steps are put in a workflow whose inputs are the
// action's, and linted from stdin, expressions and scripts alike.
func TestActionIsActionlintClean(t *testing.T) {
	var raw struct {
		Inputs map[string]map[string]any `yaml:"inputs"`
		Runs   struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	_, b := loadAction(t)
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]any{}
	for name, in := range raw.Inputs {
		spec := map[string]any{"type": "string", "required": in["required"] == true}
		if d, ok := in["default"]; ok {
			spec["default"] = d
		}
		inputs[name] = spec
	}
	wf := map[string]any{
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": raw.Runs.Steps}},
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw.Runs.Steps) < 2 || !bytes.Contains(out, []byte("conform \"${args[@]}\"")) {
		t.Fatalf("the workflow made of the action's steps lacks them:\n%s", out)
	}
	actionlint(t, out, "-stdin-filename", "action.yml", "-")
}

func TestActionDeclaresItsInputsAndOutputs(t *testing.T) {
	a, _ := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("the action runs %q, want composite (steps in the caller's job)", a.Runs.Using)
	}
	want := map[string]string{ // input → default ("-" for required)
		"base-url": "-", "report-dir": "conform-reports", "strict": "false", "baseline": "", "openapi": "", "args": "",
		"version": "v" + version.Suite, // this action's release, bumped with the suite
		"install": "true",
	}
	if got, w := sortedMapKeys(a.Inputs), sortedMapKeys(want); !slices.Equal(got, w) {
		t.Errorf("inputs %v, want %v", got, w)
	}
	for name, def := range want {
		in := a.Inputs[name]
		if def == "-" != in.Required || def != "-" && in.Default.Value != def {
			t.Errorf("input %s: required %v, default %q; want %q", name, in.Required, in.Default.Value, def)
		}
	}
	outputs := []string{"exit-code", "html-report", "json-report", "junit-report", "report-dir", "summary-md", "verdict"}
	if got := sortedMapKeys(a.Outputs); !slices.Equal(got, outputs) {
		t.Errorf("outputs %v, want %v", got, outputs)
	}
	for _, o := range outputs {
		if got, w := a.Outputs[o].Value, "${{ steps.run.outputs."+o+" }}"; got != w {
			t.Errorf("output %s is %q, want %q", o, got, w)
		}
	}
	for _, s := range a.Runs.Steps {
		if s.Uses != "" {
			t.Errorf("step %q uses %s: the action uploads nothing and needs no other action", s.Name, s.Uses)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q has an expression in its run script; pass it through env", s.Name)
		}
		for k, v := range s.Env {
			if strings.Contains(v, "secrets.") || strings.HasPrefix(k, "CONFORM_TOKEN") {
				t.Errorf("step %q sets %s: tokens come from the caller's environment only", s.Name, k)
			}
		}
	}
	if s := actionStep(t, a, "install"); s.If != "inputs.install != 'false'" {
		t.Errorf("the install step runs if %q", s.If)
	}
}

func TestActionVerdictsAreConformsExitCodes(t *testing.T) {
	a, _ := loadAction(t)
	assertVerdictTable(t, actionStep(t, a, "run"))
}

// release is a fake release of conform: its archives and checksums.txt,
// served by a curl on PATH that answers only URLs of that release.
type release struct {
	dir   string
	calls string // where curl and go record their arguments
}

// fakeConform is the binary inside an archive: it answers `version`.
const fakeConform = "#!/bin/sh\necho \"conform 0.1.0 (from the archive)\"\n"

func newRelease(t *testing.T, version string, archives ...string) release {
	t.Helper()
	r := release{dir: t.TempDir(), calls: filepath.Join(t.TempDir(), "calls")}
	var sums strings.Builder
	for _, name := range archives {
		var b bytes.Buffer
		exe := "conform"
		if strings.HasSuffix(name, ".zip") {
			exe = "conform.exe"
			zw := zip.NewWriter(&b)
			h := &zip.FileHeader{Name: exe, Method: zip.Deflate}
			h.SetMode(0o755)
			f, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = f.Write([]byte(fakeConform))
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
		} else {
			gz := gzip.NewWriter(&b)
			tw := tar.NewWriter(gz)
			for _, f := range []struct{ name, text string }{{"LICENSE", "MIT"}, {exe, fakeConform}} {
				if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.text))}); err != nil {
					t.Fatal(err)
				}
				_, _ = tw.Write([]byte(f.text))
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := gz.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(r.dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(b.Bytes()), name)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "checksums.txt"), []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// shims are curl, serving the release's files for its URLs only (exit 22,
// as curl -f does for a 404, for anything else), and go, recording its
// arguments and installing a fake conform into $GOBIN.
func (r release) shims(version string) map[string]string {
	prefix := "https://github.com/cornect/conform/releases/download/v" + version + "/"
	curl := `#!/bin/sh
echo "curl $*" >> '` + r.calls + `'
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
case "$url" in
  '` + prefix + `'*) file='` + r.dir + `'/"${url#'` + prefix + `'}" ;;
  *) exit 22 ;;
esac
[ -f "$file" ] || exit 22
cp "$file" "$out"
`
	goShim := `#!/bin/sh
echo "go $* GOBIN=$GOBIN GOWORK=$GOWORK" >> '` + r.calls + `'
printf '#!/bin/sh\necho "conform (built)"\n' > "$GOBIN/conform"
chmod +x "$GOBIN/conform"
`
	return map[string]string{"curl": curl, "go": goShim}
}

// TestActionInstallsTheReleaseForTheRunner runs the install step on each
// runner it supports and on the ways installing goes wrong.
func TestActionInstallsTheReleaseForTheRunner(t *testing.T) {
	a, _ := loadAction(t)
	step := actionStep(t, a, "install")
	v := version.Suite
	all := []string{
		"conform_" + v + "_linux_amd64.tar.gz", "conform_" + v + "_linux_arm64.tar.gz",
		"conform_" + v + "_darwin_amd64.tar.gz", "conform_" + v + "_darwin_arm64.tar.gz",
		"conform_" + v + "_windows_amd64.zip", "conform_" + v + "_windows_arm64.zip",
	}
	tests := []struct {
		name      string
		os, arch  string
		version   string
		archives  []string // in the release; nil for all
		tamper    string   // an archive whose bytes change after its checksum was taken
		noGo      bool     // go is not on PATH
		wantFile  string   // the archive fetched
		wantGo    string   // the go install line; "" when go must not run
		wantError string   // the ::error title
		wantExe   string   // the installed binary's name
	}{
		{name: "linux x64", os: "Linux", arch: "X64", version: "v" + v, wantFile: all[0], wantExe: "conform"},
		{name: "linux arm64", os: "Linux", arch: "ARM64", version: "v" + v, wantFile: all[1], wantExe: "conform"},
		{name: "macOS arm64", os: "macOS", arch: "ARM64", version: "v" + v, wantFile: all[3], wantExe: "conform"},
		{name: "windows x64", os: "Windows", arch: "X64", version: "v" + v, wantFile: all[4], wantExe: "conform.exe"},
		{name: "a version without its v", os: "Linux", arch: "X64", version: v, wantFile: all[0], wantExe: "conform"},
		{name: "an archive that is not the one released", os: "Linux", arch: "X64", version: "v" + v, tamper: all[0], wantError: "conform's checksum does not match"},
		{name: "no archive for the runner: go install", os: "Linux", arch: "X64", version: "v" + v, archives: all[1:], wantGo: "go install github.com/cornect/conform/cmd/conform@v" + v, wantExe: "conform"},
		{name: "an architecture without archives: go install", os: "Linux", arch: "ARM", version: "v" + v, wantGo: "go install github.com/cornect/conform/cmd/conform@v" + v, wantExe: "conform"},
		{name: "a branch: go install", os: "Linux", arch: "X64", version: "main", wantGo: "go install github.com/cornect/conform/cmd/conform@main", wantExe: "conform"},
		{name: "no archive and no Go", os: "Linux", arch: "X64", version: "v" + v, archives: all[1:], noGo: true, wantError: "conform cannot be installed"},
		{name: "a version that is no version", os: "Linux", arch: "X64", version: "v1; curl evil", wantError: "version is not a version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			archives := tt.archives
			if archives == nil {
				archives = all
			}
			rel := newRelease(t, v, archives...)
			if tt.tamper != "" {
				f, err := os.OpenFile(filepath.Join(rel.dir, tt.tamper), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = f.Write([]byte("x"))
				f.Close()
			}
			shims := rel.shims(v)
			env := stepEnv{
				inputs:  map[string]string{"version": tt.version},
				context: map[string]string{"runner.os": tt.os, "runner.arch": tt.arch},
				shims:   shims,
			}
			if tt.noGo {
				delete(shims, "go")
				env.hostPath = []string{"/usr/bin", "/bin"}
			}
			res := runWorkflowStep(t, step, env)
			calls := ""
			if b, err := os.ReadFile(rel.calls); err == nil {
				calls = string(b)
			}
			if tt.wantError != "" {
				if res.code == 0 || !strings.Contains(res.stdout, "::error title="+tt.wantError+"::") {
					t.Errorf("exit %d, stdout %q; want the error %q", res.code, res.stdout, tt.wantError)
				}
				if len(res.path) > 0 || strings.Contains(calls, "go install") {
					t.Errorf("a failed install put %v on PATH, or built conform:\n%s", res.path, calls)
				}
				return
			}
			if res.code != 0 {
				t.Fatalf("exit %d\n%s\n%s\n%s", res.code, res.stdout, res.stderr, calls)
			}
			bin := filepath.Join(res.runnerTemp, "conform-bin")
			if !slices.Equal(res.path, []string{bin}) {
				t.Errorf("PATH gained %q, want %s", res.path, bin)
			}
			if fi, err := os.Stat(filepath.Join(bin, tt.wantExe)); err != nil || fi.Mode()&0o111 == 0 {
				t.Errorf("no executable %s in %s: %v", tt.wantExe, bin, err)
			}
			if tt.wantFile != "" {
				for _, f := range []string{tt.wantFile, "checksums.txt"} {
					if !strings.Contains(calls, "/releases/download/v"+v+"/"+f) {
						t.Errorf("curl did not fetch %s:\n%s", f, calls)
					}
				}
				if !strings.Contains(res.stdout, "checksum verified") || !strings.Contains(res.stdout, "(from the archive)") {
					t.Errorf("the step does not say it installed the verified archive:\n%s", res.stdout)
				}
			}
			switch {
			case tt.wantGo == "" && strings.Contains(calls, "go "):
				t.Errorf("go ran although the release has an archive:\n%s", calls)
			case tt.wantGo != "" && !strings.Contains(calls, tt.wantGo+" GOBIN="+bin+" GOWORK=off"):
				t.Errorf("go did not run as %q into %s:\n%s", tt.wantGo, bin, calls)
			}
		})
	}
}

// actionInputs are the run step's inputs with their defaults.
func actionInputs(changes map[string]string) map[string]string {
	in := map[string]string{"base-url": "", "report-dir": "conform-reports", "strict": "false", "baseline": "", "openapi": "", "args": ""}
	for k, v := range changes {
		in[k] = v
	}
	return in
}

// TestActionRunsConformInTheCallersJob runs the action's run step against
// servers started by the test, as a caller's job starts its API: the tokens
// come from the step's environment, the outputs name the verdict, the exit
// code and the reports, and no token reaches an output.
func TestActionRunsConformInTheCallersJob(t *testing.T) {
	a, _ := loadAction(t)
	step := actionStep(t, a, "run")
	tests := []struct {
		name       string
		faults     []string
		closedPort bool
		inputs     map[string]string
		wantCode   int
		wantArgs   [][2]string
	}{
		{name: "a conforming API", inputs: map[string]string{"args": "--label-filter 'auth || scope' -v"}, wantCode: exitOK, wantArgs: [][2]string{{"--label-filter", "auth || scope"}}},
		{name: "a violation, strict, in a directory of the caller's choice", faults: []string{"expired-accepted"}, inputs: map[string]string{"args": "--label-filter auth", "strict": "true", "report-dir": "out/conform"}, wantCode: exitViolations},
		{name: "the OpenAPI document of the API", inputs: map[string]string{"args": "--label-filter auth", "openapi": "OPENAPI"}, wantCode: exitOK},
		{name: "an API that is not up", closedPort: true, wantCode: exitUnreachable},
		{name: "args with a quote left open", inputs: map[string]string{"args": "--label-filter 'auth"}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			var base string
			if tt.closedPort {
				base = closedBaseURL(t)
			} else {
				var ref *reference.Server
				ref, base = serveReference(t, reference.WithFaults(tt.faults...))
				for role, v := range ref.Tokens() {
					env[probe.Role(role).Var()] = v
				}
			}
			inputs := actionInputs(tt.inputs)
			inputs["base-url"] = base
			if inputs["openapi"] == "OPENAPI" {
				inputs["openapi"] = base + "/openapi.json"
			}
			// A report of an earlier run is in the directory: the outputs
			// must not name it when this run writes none.
			files := map[string]string{filepath.Join(inputs["report-dir"], "report.json"): "{}"}
			res := runWorkflowStep(t, step, stepEnv{inputs: inputs, env: env, files: files})
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			assertNoSecretIn(t, env, res.stdout, res.stderr, res.stepSummary, strings.Join(res.args, "\n"))
			if got, want := res.outputs["verdict"], exitCodeOf(t, tt.wantCode).Verdict; got != want || res.outputs["exit-code"] != fmt.Sprint(tt.wantCode) {
				t.Errorf("outputs verdict %q, exit-code %q; want %q, %d", got, res.outputs["exit-code"], want, tt.wantCode)
			}
			if tt.wantCode == exitUsage && tt.name == "args with a quote left open" {
				if !strings.Contains(res.stdout, "::error title=args cannot be split::") || res.args != nil {
					t.Errorf("conform ran with %q; stdout %q", res.args, res.stdout)
				}
				return
			}
			if !hasArgPair(res.args, "--base-url", base) || !hasArgPair(res.args, "--report-dir", inputs["report-dir"]) {
				t.Errorf("conform ran with %q", res.args)
			}
			for _, p := range tt.wantArgs {
				if !hasArgPair(res.args, p[0], p[1]) {
					t.Errorf("conform ran with %q; want %s %q", res.args, p[0], p[1])
				}
			}
			if slices.Contains(res.args, "--strict") != (inputs["strict"] == "true") || (inputs["openapi"] != "") != hasArgPair(res.args, "--openapi", inputs["openapi"]) {
				t.Errorf("conform ran with %q for strict %s, openapi %q", res.args, inputs["strict"], inputs["openapi"])
			}
			dir := filepath.Join(res.workspace, inputs["report-dir"])
			if tt.wantCode == exitUnreachable {
				for _, o := range []string{"report-dir", "junit-report", "json-report", "html-report", "summary-md"} {
					if res.outputs[o] != "" {
						t.Errorf("output %s is %q, though conform wrote no report", o, res.outputs[o])
					}
				}
				if !strings.Contains(res.stepSummary, "**conform exited 3: target unusable.**") {
					t.Errorf("the job summary does not say why the step failed:\n%s", res.stepSummary)
				}
				return
			}
			if res.outputs["report-dir"] != dir {
				t.Errorf("output report-dir %q, want %q", res.outputs["report-dir"], dir)
			}
			for o, f := range map[string]string{"junit-report": "junit.xml", "json-report": "report.json", "html-report": "report.html", "summary-md": "summary.md"} {
				if res.outputs[o] != filepath.Join(dir, f) {
					t.Errorf("output %s %q, want %q", o, res.outputs[o], filepath.Join(dir, f))
				}
			}
			r := readJSONReport(t, res.outputs["json-report"])
			assertWorkflowReports(t, dir, len(r.Checks))
			assertNoSecretInDir(t, env, dir)
			if report.Decide(r).Conformant() != (tt.wantCode == exitOK) || r.Strict != (inputs["strict"] == "true") {
				t.Errorf("the report says conformant %v, strict %v", report.Decide(r).Conformant(), r.Strict)
			}
		})
	}
}

// TestDocsActionStepsUseTheActionAsDeclared keeps the steps of
// docs/ci.md that use the action valid: this release, only declared
// inputs, every required one, and tokens only in env.
func TestDocsActionStepsUseTheActionAsDeclared(t *testing.T) {
	a, _ := loadAction(t)
	steps := 0
	for _, block := range yamlBlocks(t, ciPath, "## The step-level action") {
		var list []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		}
		var err error
		switch {
		case strings.HasPrefix(block, "- "):
			err = yaml.Unmarshal([]byte(block), &list)
		case strings.HasPrefix(block, "steps:"):
			var job struct {
				Steps *[]struct {
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
					Env  map[string]string `yaml:"env"`
				} `yaml:"steps"`
			}
			job.Steps = &list
			err = yaml.Unmarshal([]byte(block), &job)
		default:
			continue
		}
		if err != nil {
			t.Fatalf("the steps are not valid YAML: %v\n%s", err, block)
		}
		for _, s := range list {
			if !strings.HasPrefix(s.Uses, "cornect/conform@") {
				continue
			}
			steps++
			if want := "cornect/conform@v" + version.Suite; s.Uses != want {
				t.Errorf("the step uses %q, want %q", s.Uses, want)
			}
			for name, v := range s.With {
				if _, ok := a.Inputs[name]; !ok {
					t.Errorf("the step sets input %q, which action.yml does not declare", name)
				}
				if strings.Contains(v, "secrets.") {
					t.Errorf("the step passes a secret as input %s; tokens go in env", name)
				}
			}
			for name, in := range a.Inputs {
				if _, ok := s.With[name]; in.Required && !ok {
					t.Errorf("the step does not set the required input %q", name)
				}
			}
			for name, v := range s.Env {
				if want := "${{ secrets." + name + " }}"; strings.HasPrefix(name, "CONFORM_TOKEN_") && name != "CONFORM_TOKEN_COMMAND" && v != want {
					t.Errorf("the step sets %s to %q, want %q", name, v, want)
				}
			}
		}
	}
	if steps < 2 {
		t.Errorf("docs/ci.md's step-level action has %d steps that use the action, want its short step and the job's", steps)
	}
}
