package main

import (
	"context"
	"fmt"
	"github.com/cornect/conform/internal/probe"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/version"
)

// The reusable workflow API teams call. GitHub cannot run here, so these
// tests read it as GitHub would and run its conform step's script with bash.
const workflowPath = "../../.github/workflows/conform.yml"

type ghWorkflow struct {
	On   map[string]ghTrigger `yaml:"on"`
	Jobs map[string]ghJob     `yaml:"jobs"`
}

type ghTrigger struct {
	Inputs  map[string]ghInput  `yaml:"inputs"`
	Secrets map[string]ghSecret `yaml:"secrets"`
}

type ghInput struct {
	Required bool      `yaml:"required"`
	Type     string    `yaml:"type"`
	Default  yaml.Node `yaml:"default"` // Kind 0 when absent
}

type ghSecret struct {
	Required bool `yaml:"required"`
}

type ghJob struct {
	RunsOn string   `yaml:"runs-on"`
	Steps  []ghStep `yaml:"steps"`
}

type ghStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

func loadWorkflow(t *testing.T) ghWorkflow {
	t.Helper()
	b, err := os.ReadFile(workflowPath)
	if err != nil {
		t.Fatal(err)
	}
	var wf ghWorkflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("%s is not valid YAML: %v", workflowPath, err)
	}
	return wf
}

// workflowSteps returns the steps of the workflow's only job.
func workflowSteps(t *testing.T, wf ghWorkflow) []ghStep {
	t.Helper()
	if len(wf.Jobs) != 1 {
		t.Fatalf("the workflow has %d jobs, want 1", len(wf.Jobs))
	}
	for _, j := range wf.Jobs {
		return j.Steps
	}
	return nil
}

// conformStep is the step that runs conform (id: conform).
func conformStep(t *testing.T, wf ghWorkflow) ghStep {
	t.Helper()
	for _, s := range workflowSteps(t, wf) {
		if s.ID == "conform" {
			return s
		}
	}
	t.Fatal("the workflow has no step with id conform")
	return ghStep{}
}

func tokenVars() []string {
	var vs []string
	for _, role := range probe.Roles() {
		vs = append(vs, probe.Role(role).Var())
	}
	sort.Strings(vs)
	return vs
}

func sortedMapKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestWorkflowIsCallableWithFourInputsAndTheSevenTokenSecrets(t *testing.T) {
	wf := loadWorkflow(t)
	if got := sortedMapKeys(wf.On); !slices.Equal(got, []string{"workflow_call"}) {
		t.Fatalf("triggers %v, want only workflow_call", got)
	}
	call := wf.On["workflow_call"]

	want := map[string]struct {
		required   bool
		typ        string
		defaultTag string // "" for no default
		defaultVal string
	}{
		"base-url":        {true, "string", "", ""},
		"label-filter":    {false, "string", "!!str", ""},
		"strict":          {false, "boolean", "!!bool", "false"},
		"conform-version": {false, "string", "!!str", ""},
	}
	if got, w := sortedMapKeys(call.Inputs), sortedMapKeys(want); !slices.Equal(got, w) {
		t.Errorf("inputs %v, want exactly %v", got, w)
	}
	for name, w := range want {
		in, ok := call.Inputs[name]
		if !ok {
			continue
		}
		if in.Required != w.required || in.Type != w.typ {
			t.Errorf("input %s: required %v, type %q; want required %v, type %q", name, in.Required, in.Type, w.required, w.typ)
		}
		switch {
		case w.defaultTag == "" && in.Default.Kind != 0:
			t.Errorf("input %s: has default %q, want none", name, in.Default.Value)
		case w.defaultTag != "" && (in.Default.Kind != yaml.ScalarNode || in.Default.ShortTag() != w.defaultTag || in.Default.Value != w.defaultVal):
			t.Errorf("input %s: default %s %q, want %s %q", name, in.Default.ShortTag(), in.Default.Value, w.defaultTag, w.defaultVal)
		}
	}

	if got, w := sortedMapKeys(call.Secrets), tokenVars(); !slices.Equal(got, w) {
		t.Errorf("secrets %v, want exactly the token variables %v", got, w)
	}
	for name, s := range call.Secrets {
		if s.Required {
			t.Errorf("secret %s is required; a missing token must only skip its checks", name)
		}
	}
	for name, j := range wf.Jobs {
		if j.RunsOn != "ubuntu-latest" {
			t.Errorf("job %s runs on %q, want ubuntu-latest", name, j.RunsOn)
		}
	}
}

// runStepFlag finds the long flags a script passes: --base-url, --strict.
var runStepFlag = regexp.MustCompile(`(?:^|[\s("'])--([a-z][a-z0-9-]*)`)

// isRunFlag says whether `conform run` defines the flag, asking its real
// flag set. A defined flag never yields "provided but not defined", whatever
// its kind (a string flag without a value fails otherwise, which is fine).
func isRunFlag(name string) bool {
	_, err := parseRunConfig([]string{"--" + name}, func(string) string { return "" }, io.Discard)
	return err == nil || !strings.Contains(err.Error(), "flag provided but not defined")
}

func TestWorkflowRunStepUsesOnlyFlagsOfConformRun(t *testing.T) {
	if isRunFlag("no-such-flag") {
		t.Fatal("isRunFlag accepts an undefined flag; the check below would prove nothing")
	}
	step := conformStep(t, loadWorkflow(t))
	found := map[string]bool{}
	for _, m := range runStepFlag.FindAllStringSubmatch(step.Run, -1) {
		found[m[1]] = true
	}
	for _, name := range []string{"base-url", "report-dir", "label-filter", "strict"} {
		if !found[name] {
			t.Errorf("the conform step does not pass --%s", name)
		}
	}
	for _, name := range sortedMapKeys(found) {
		if !isRunFlag(name) {
			t.Errorf("the conform step passes --%s, which conform run does not define", name)
		}
	}
}

func TestWorkflowPassesTokensOnlyThroughTheEnvironment(t *testing.T) {
	wf := loadWorkflow(t)
	step := conformStep(t, wf)
	for _, name := range tokenVars() {
		if got, want := step.Env[name], "${{ secrets."+name+" }}"; got != want {
			t.Errorf("the conform step's env %s is %q, want %q", name, got, want)
		}
	}
	if strings.Contains(step.Run, "CONFORM_TOKEN") {
		t.Error("the conform step's script names a CONFORM_TOKEN_* variable; conform reads them itself, so no token can reach a command line")
	}
	for _, s := range workflowSteps(t, wf) {
		// An expression in a script is spliced into its text before bash
		// parses it: a secret would sit in the script, an input could inject
		// commands. Both go through env.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q has an expression in its run script; pass it through env", s.Name)
		}
		if s.ID == "conform" {
			continue
		}
		for k, v := range s.Env {
			if strings.Contains(v, "secrets.") {
				t.Errorf("step %q gets a secret in env %s; only the conform step may", s.Name, k)
			}
		}
		for k, v := range s.With {
			if strings.Contains(v, "secrets.") {
				t.Errorf("step %q gets a secret in with.%s; only the conform step may", s.Name, k)
			}
		}
	}
}

func TestWorkflowUploadsTheReportsEvenWhenTheRunFails(t *testing.T) {
	for _, s := range workflowSteps(t, loadWorkflow(t)) {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			if s.If != "always()" || strings.TrimSuffix(s.With["path"], "/") != "conform-reports" {
				t.Errorf("upload step: if %q, path %q; want always() and conform-reports/", s.If, s.With["path"])
			}
			return
		}
	}
	t.Error("no actions/upload-artifact step")
}

// workflowExpr is a ${{ inputs.x }} or ${{ secrets.X }} expression.
var workflowExpr = regexp.MustCompile(`\$\{\{\s*(inputs|secrets)\.([A-Za-z0-9_-]+)\s*\}\}`)

// stepRun is one run of a workflow step's script.
type stepRun struct {
	code           int
	stdout, stderr string
	args           []string // conform's command line
	stepSummary    string   // what ended up in $GITHUB_STEP_SUMMARY
	workspace      string
}

// runWorkflowStep runs a step's script as GitHub does (bash --noprofile
// --norc -eo pipefail) in a fresh workspace, with expressions evaluated from
// inputs and secrets (a secret not given is empty, as on GitHub) and
// `conform` on PATH being a shim that records its arguments and execs the
// test binary.
func runWorkflowStep(t *testing.T, step ghStep, inputs, secrets map[string]string) stepRun {
	t.Helper()
	eval := func(s string) string {
		s = workflowExpr.ReplaceAllStringFunc(s, func(e string) string {
			m := workflowExpr.FindStringSubmatch(e)
			if m[1] == "inputs" {
				v, ok := inputs[m[2]]
				if !ok {
					t.Fatalf("the step uses input %q, which the test does not set", m[2])
				}
				return v
			}
			return secrets[m[2]]
		})
		if strings.Contains(s, "${{") {
			t.Fatalf("the step uses an expression the test cannot evaluate: %q", s)
		}
		return s
	}
	if step.Shell != "bash" {
		t.Fatalf("the step's shell is %q, want bash", step.Shell)
	}

	tmp := t.TempDir()
	workspace := filepath.Join(tmp, "workspace")
	bin := filepath.Join(tmp, "bin")
	argsFile := filepath.Join(tmp, "conform-args")
	summary := filepath.Join(tmp, "step-summary.md")
	script := filepath.Join(tmp, "step.sh")
	if strings.Contains(tmp+binary, "'") {
		t.Skip("a temporary path holds a quote; the shim cannot be written safely")
	}
	shim := "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\nexec '" + binary + "' \"$@\"\n"
	for _, f := range []struct {
		path, text string
		mode       os.FileMode
	}{
		{filepath.Join(bin, "conform"), shim, 0o755},
		{summary, "", 0o644},
		{script, eval(step.Run), 0o644},
		{filepath.Join(workspace, ".keep"), "", 0o644},
	} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, []byte(f.text), f.mode); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = workspace
	cmd.Env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"GITHUB_STEP_SUMMARY=" + summary,
	}
	for k, v := range step.Env {
		cmd.Env = append(cmd.Env, k+"="+eval(v))
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := stepRun{stdout: stdout.String(), stderr: stderr.String(), workspace: workspace}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the step: %v", err)
	}
	if b, err := os.ReadFile(argsFile); err == nil {
		res.args = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	} else {
		t.Fatalf("the step did not run conform: %v\n%s%s", err, res.stdout, res.stderr)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	res.stepSummary = string(b)
	return res
}

// exitMeaning is how the workflow's job summary names a failing exit code.
var exitMeaning = map[int]string{
	exitViolations:  "contract violations",
	exitUsage:       "usage or configuration error",
	exitUnreachable: "target unusable",
	exitInternal:    "internal error of conform",
	exitIncomplete:  "incomplete, stopped early",
}

// hasArgPair says whether args hold flag immediately followed by value.
func hasArgPair(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}

func TestWorkflowRunStepRunsConformAndFillsTheJobSummary(t *testing.T) {
	step := conformStep(t, loadWorkflow(t))
	tests := []struct {
		name        string
		faults      []string
		closedPort  bool     // base-url points at nothing
		labelFilter string   // input label-filter
		strict      bool     // input strict
		unset       []string // secrets the caller does not pass
		wantCode    int
	}{
		{name: "label-filter auth, strict", labelFilter: "auth", strict: true, wantCode: exitOK},
		{name: "empty label-filter, not strict", wantCode: exitOK},
		{name: "a secret not passed skips its checks", unset: []string{"CONFORM_TOKEN_EXPIRED"}, wantCode: exitOK},
		{name: "a violation fails the step with the reports", faults: []string{"expired-accepted"}, labelFilter: "auth", wantCode: exitViolations},
		{name: "a selection of no check fails the step and says so", labelFilter: "no-such-label", wantCode: exitUsage},
		{name: "an unreachable target fails the step and says so", closedPort: true, wantCode: exitUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base string
			secrets := map[string]string{}
			if tt.closedPort {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				base = "http://" + ln.Addr().String() + "/api/v1"
				ln.Close()
			} else {
				var opts []reference.Option
				if len(tt.faults) > 0 {
					opts = append(opts, reference.WithFaults(tt.faults...))
				}
				var ref *reference.Server
				ref, base = serveReference(t, opts...)
				for role, v := range ref.Tokens() {
					secrets[probe.Role(role).Var()] = v
				}
				for _, name := range tt.unset {
					delete(secrets, name)
				}
			}
			strict := "false"
			if tt.strict {
				strict = "true"
			}
			inputs := map[string]string{"base-url": base, "label-filter": tt.labelFilter, "strict": strict, "conform-version": "latest"}

			res := runWorkflowStep(t, step, inputs, secrets)
			if res.code != tt.wantCode {
				t.Fatalf("the step exited %d, want %d\n%s\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}

			// The command line: inputs present only when set, tokens never.
			if !hasArgPair(res.args, "--base-url", base) || !hasArgPair(res.args, "--report-dir", "conform-reports") {
				t.Errorf("conform ran with %q; want --base-url %s and --report-dir conform-reports", res.args, base)
			}
			if got := slices.Contains(res.args, "--label-filter"); got != (tt.labelFilter != "") || (got && !hasArgPair(res.args, "--label-filter", tt.labelFilter)) {
				t.Errorf("conform ran with %q for label-filter %q", res.args, tt.labelFilter)
			}
			if slices.Contains(res.args, "--strict") != tt.strict {
				t.Errorf("conform ran with %q for strict %v", res.args, tt.strict)
			}
			for _, a := range res.args {
				for name, v := range secrets {
					if strings.Contains(a, v) {
						t.Errorf("the value of %s is on conform's command line", name)
					}
				}
			}

			// A failed step names conform's exit code in the job summary.
			exitLine := fmt.Sprintf("**conform exited %d: %s.**", tt.wantCode, exitMeaning[tt.wantCode])
			if tt.wantCode == exitOK && strings.Contains(res.stepSummary, "**conform exited") {
				t.Errorf("the job summary of a passing run names an exit code:\n%s", res.stepSummary)
			}
			if tt.wantCode != exitOK && !strings.Contains(res.stepSummary, exitLine) {
				t.Errorf("the job summary does not say %q:\n%s", exitLine, res.stepSummary)
			}
			assertNoSecretIn(t, secrets, res.stdout, res.stderr, res.stepSummary)

			reports := filepath.Join(res.workspace, "conform-reports")
			if tt.closedPort {
				if _, err := os.Stat(reports); err == nil {
					t.Error("conform-reports exists although conform stopped before any report")
				}
			}
			if tt.wantCode != exitOK && tt.wantCode != exitViolations {
				return
			}
			r := readJSONReport(t, filepath.Join(reports, "report.json"))
			assertWorkflowReports(t, reports, len(r.Checks))
			summaryMD, err := os.ReadFile(filepath.Join(reports, "summary.md"))
			if err != nil {
				t.Fatal(err)
			}
			// conform appended its Markdown summary itself; the step adds
			// only the exit line after it.
			if !strings.HasPrefix(res.stepSummary, string(summaryMD)) {
				t.Errorf("the job summary does not start with conform's Markdown summary:\n--- GITHUB_STEP_SUMMARY\n%s\n--- summary.md\n%s", res.stepSummary, summaryMD)
			}
			wantVerdict := "## ✅ CONFORMANT"
			if tt.wantCode == exitViolations {
				wantVerdict = "## ❌ NOT CONFORMANT"
			}
			if !strings.HasPrefix(res.stepSummary, wantVerdict) {
				t.Errorf("the job summary does not start with %q:\n%s", wantVerdict, res.stepSummary)
			}
			assertNoSecretInDir(t, secrets, reports)

			if r.Config["label_filter"] != tt.labelFilter || r.Strict != tt.strict {
				t.Errorf("the report says label_filter %q, strict %v; want %q, %v", r.Config["label_filter"], r.Strict, tt.labelFilter, tt.strict)
			}
			labels := map[string]bool{}
			for _, c := range r.Checks {
				for _, l := range c.Labels {
					labels[l] = true
				}
				if tt.labelFilter == "auth" && !slices.Contains(c.Labels, "auth") && c.Skip != report.SkipFiltered {
					t.Errorf("%s ran under label-filter auth; its labels are %v", c.Name(), c.Labels)
				}
			}
			if tt.labelFilter == "" {
				for _, l := range []string{"auth", "scope", "credits", "not-found", "validation", "rate-limit"} {
					if !labels[l] {
						t.Errorf("no check labelled %s ran without a label filter", l)
					}
				}
			}
			for _, name := range tt.unset {
				skipped := false
				for _, c := range r.Checks {
					if c.Status == report.Skipped && strings.Contains(c.Explanation(), name) {
						skipped = true
					}
				}
				if !skipped {
					t.Errorf("no check was skipped naming %s, the secret not passed", name)
				}
			}
			if tt.wantCode == exitViolations && r.Conformant() {
				t.Error("the report says conformant although the step failed")
			}
		})
	}
}

// assertWorkflowReports checks the four files of --report-dir: JUnit that is
// valid XML with one testcase per check, and non-empty HTML and Markdown.
func assertWorkflowReports(t *testing.T, dir string, checks int) {
	t.Helper()
	cases := len(junitCases(t, filepath.Join(dir, "junit.xml")))
	if cases != checks || checks == 0 {
		t.Errorf("junit.xml has %d testcases, report.json %d checks", cases, checks)
	}
	for _, f := range []struct{ name, want string }{{"report.html", "</html>"}, {"summary.md", "## "}} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.want) {
			t.Errorf("%s does not contain %q", f.name, f.want)
		}
	}
}

func assertNoSecretIn(t *testing.T, secrets map[string]string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for name, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("the value of %s leaked into the step's output or job summary", name)
			}
		}
	}
}

func assertNoSecretInDir(t *testing.T, secrets map[string]string, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range secrets {
			if strings.Contains(string(b), v) {
				t.Errorf("the value of %s leaked into %s", name, e.Name())
			}
		}
	}
}

// TestREADMECallerUsesTheWorkflowAsDeclared keeps the README's caller
// workflow callable: the workflow at this version, only declared inputs
// (every required one), and each secret mapped to the one of its name.
func TestREADMECallerUsesTheWorkflowAsDeclared(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## In CI (GitHub Actions)\n")
	if !ok {
		t.Fatal(`README.md has no "## In CI (GitHub Actions)" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok1 := strings.Cut(section, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok1 || !ok2 {
		t.Fatal("the CI section has no yaml block")
	}
	var caller struct {
		Jobs map[string]struct {
			Uses    string            `yaml:"uses"`
			With    map[string]string `yaml:"with"`
			Secrets map[string]string `yaml:"secrets"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(block), &caller); err != nil {
		t.Fatalf("the README's caller workflow is not valid YAML: %v", err)
	}
	if len(caller.Jobs) != 1 {
		t.Fatalf("the README's caller workflow has %d jobs, want 1", len(caller.Jobs))
	}
	call := loadWorkflow(t).On["workflow_call"]
	for _, job := range caller.Jobs {
		if want := "cornect/conform/.github/workflows/conform.yml@v" + version.Suite; job.Uses != want {
			t.Errorf("the README's caller uses %q, want %q", job.Uses, want)
		}
		for name := range job.With {
			if _, ok := call.Inputs[name]; !ok {
				t.Errorf("the README's caller sets input %q, which the workflow does not declare", name)
			}
		}
		for name, in := range call.Inputs {
			if _, ok := job.With[name]; in.Required && !ok {
				t.Errorf("the README's caller does not set the required input %q", name)
			}
		}
		for name, v := range job.Secrets {
			if _, ok := call.Secrets[name]; !ok {
				t.Errorf("the README's caller passes secret %q, which the workflow does not declare", name)
			}
			if want := "${{ secrets." + name + " }}"; v != want {
				t.Errorf("the README's caller passes %s as %q, want %q", name, v, want)
			}
		}
		if len(job.Secrets) == 0 {
			t.Error("the README's caller passes no secret")
		}
	}
}
