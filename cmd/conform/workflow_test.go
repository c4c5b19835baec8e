package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"github.com/cornect/conform/internal/probe"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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
	On          map[string]ghTrigger `yaml:"on"`
	Permissions map[string]string    `yaml:"permissions"`
	Jobs        map[string]ghJob     `yaml:"jobs"`
}

type ghTrigger struct {
	Inputs  map[string]ghInput  `yaml:"inputs"`
	Secrets map[string]ghSecret `yaml:"secrets"`
	Outputs map[string]ghOutput `yaml:"outputs"`
}

type ghInput struct {
	Required bool      `yaml:"required"`
	Type     string    `yaml:"type"`
	Default  yaml.Node `yaml:"default"` // Kind 0 when absent
}

type ghSecret struct {
	Required bool `yaml:"required"`
}

type ghOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

type ghJob struct {
	RunsOn         string            `yaml:"runs-on"`
	Environment    string            `yaml:"environment"`
	TimeoutMinutes string            `yaml:"timeout-minutes"`
	Permissions    map[string]string `yaml:"permissions"`
	Outputs        map[string]string `yaml:"outputs"`
	Steps          []ghStep          `yaml:"steps"`
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

// stepByID is the step with that id.
func stepByID(t *testing.T, wf ghWorkflow, id string) ghStep {
	t.Helper()
	for _, s := range workflowSteps(t, wf) {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("the workflow has no step with id %s", id)
	return ghStep{}
}

// stepNamed is the step with that name.
func stepNamed(t *testing.T, wf ghWorkflow, name string) ghStep {
	t.Helper()
	for _, s := range workflowSteps(t, wf) {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("the workflow has no step named %q", name)
	return ghStep{}
}

// conformStep is the step that runs conform (id: conform).
func conformStep(t *testing.T, wf ghWorkflow) ghStep {
	t.Helper()
	return stepByID(t, wf, "conform")
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

func TestWorkflowIsCallableWithItsInputsOutputsAndTheSevenTokenSecrets(t *testing.T) {
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
		"base-url":           {true, "string", "", ""},
		"label-filter":       {false, "string", "!!str", ""},
		"strict":             {false, "boolean", "!!bool", "false"},
		"profile":            {false, "string", "!!str", ""},
		"openapi":            {false, "string", "!!str", ""},
		"ca-cert":            {false, "string", "!!str", ""},
		"baseline":           {false, "string", "!!str", ""},
		"runs-on":            {false, "string", "!!str", "ubuntu-latest"},
		"artifact-name":      {false, "string", "!!str", ""},
		"allow-skips":        {false, "boolean", "!!bool", "false"},
		"allow-inconclusive": {false, "boolean", "!!bool", "false"},
		// The release of this file, bumped with the suite at each release.
		"conform-version": {false, "string", "!!str", "v" + version.Suite},
		// Where the job runs and how long it may take.
		"environment":       {false, "string", "!!str", ""},
		"timeout-minutes":   {false, "number", "!!int", "30"},
		"suite-timeout":     {false, "string", "!!str", ""},
		"failed-auth-limit": {false, "string", "!!str", ""},
		"concurrency":       {false, "string", "!!str", ""},
		"auth-coverage":     {false, "string", "!!str", ""},
		"focus":             {false, "string", "!!str", ""},
		"skip":              {false, "string", "!!str", ""},
		"args":              {false, "string", "!!str", ""},
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

	// Outputs: the workflow's come from the job's, the job's from its steps.
	wantOutputs := map[string]string{
		"verdict":       "${{ steps.conform.outputs.verdict }}",
		"exit-code":     "${{ steps.conform.outputs.exit-code }}",
		"artifact-name": "${{ steps.prepare.outputs.artifact-name }}",
	}
	if got, w := sortedMapKeys(call.Outputs), sortedMapKeys(wantOutputs); !slices.Equal(got, w) {
		t.Errorf("outputs %v, want exactly %v", got, w)
	}
	for name, j := range wf.Jobs {
		for out, stepValue := range wantOutputs {
			if got, w := call.Outputs[out].Value, "${{ jobs."+name+".outputs."+out+" }}"; got != w {
				t.Errorf("output %s is %q, want %q", out, got, w)
			}
			if got := j.Outputs[out]; got != stepValue {
				t.Errorf("job output %s is %q, want %q", out, got, stepValue)
			}
		}
		// A label, or a JSON array of labels.
		if w := "${{ startsWith(inputs.runs-on, '[') && fromJSON(inputs.runs-on) || inputs.runs-on }}"; j.RunsOn != w {
			t.Errorf("job %s runs on %q, want %q", name, j.RunsOn, w)
		}
		// The environment whose secrets the job reads, and the timeout.
		if j.Environment != "${{ inputs.environment }}" || j.TimeoutMinutes != "${{ inputs.timeout-minutes }}" {
			t.Errorf("job %s: environment %q, timeout-minutes %q; want the inputs of those names", name, j.Environment, j.TimeoutMinutes)
		}
	}
}

func TestWorkflowAsksForNoMorePermissionThanReadingContents(t *testing.T) {
	wf := loadWorkflow(t)
	if !reflect.DeepEqual(wf.Permissions, map[string]string{"contents": "read"}) {
		t.Errorf("permissions %v, want only contents: read", wf.Permissions)
	}
	for name, j := range wf.Jobs {
		if j.Permissions != nil {
			t.Errorf("job %s sets its own permissions %v", name, j.Permissions)
		}
	}
	checkout := stepNamed(t, wf, "Check out the calling repository")
	if checkout.With["persist-credentials"] != "false" {
		t.Error("the checkout keeps the job's token in the repository's git config; want persist-credentials: false")
	}
}

// usesLine is a step's uses: with a full commit and the release it is.
var usesLine = regexp.MustCompile(`^\s*(?:- )?uses: ([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)((?:/[A-Za-z0-9_.-]+)*)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$`)

func TestWorkflowsPinEveryActionToACommit(t *testing.T) {
	pins := map[string]string{} // repository → "sha # version"
	for _, path := range []string{workflowPath, "../../.github/workflows/ci.yml", "../../.github/workflows/action-check.yml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, line := range strings.Split(string(b), "\n") {
			if !strings.Contains(line, "uses:") || strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasSuffix(line, "uses: ./") {
				continue // not a step, or the action of this repository
			}
			n++
			m := usesLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s:%d: %q is not pinned as owner/repo@<40 hex> # vX.Y.Z", filepath.Base(path), i+1, strings.TrimSpace(line))
				continue
			}
			pin := m[3] + " # " + m[4]
			if prev, ok := pins[m[1]]; ok && prev != pin {
				t.Errorf("%s:%d: %s is pinned at %s here and at %s elsewhere", filepath.Base(path), i+1, m[1], pin, prev)
			}
			pins[m[1]] = pin
		}
		if n == 0 {
			t.Errorf("%s uses no action; the test reads nothing", path)
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
	for _, name := range []string{"base-url", "report-dir", "label-filter", "strict", "profile", "openapi", "ca-cert", "baseline",
		"suite-timeout", "failed-auth-limit", "concurrency", "auth-coverage", "focus", "skip"} {
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
			if s.If != "always() && steps.prepare.outputs.artifact-name != ''" || strings.TrimSuffix(s.With["path"], "/") != "conform-reports" {
				t.Errorf("upload step: if %q, path %q; want always() (once the name is known) and conform-reports/", s.If, s.With["path"])
			}
			if got, want := s.With["name"], "${{ steps.prepare.outputs.artifact-name }}"; got != want {
				t.Errorf("upload step: name %q, want %q", got, want)
			}
			return
		}
	}
	t.Error("no actions/upload-artifact step")
}

// workflowExpr is an expression that names one value: ${{ inputs.x }},
// ${{ secrets.X }}, ${{ steps.resolve.outputs.version }}.
var workflowExpr = regexp.MustCompile(`\$\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+)\s*\}\}`)

// stepEnv is what a step runs with.
type stepEnv struct {
	inputs  map[string]string
	secrets map[string]string // a secret not given is empty, as on GitHub
	// context holds other expressions by name ("steps.resolve.outputs.version");
	// github.run_attempt is 1 unless given.
	context map[string]string
	// files are put in the workspace, as a checkout of the calling
	// repository would leave them.
	files map[string]string
	// shims are commands put on PATH besides conform: name → sh script.
	shims map[string]string
	// setup, when set, prepares the runner's temporary directory.
	setup func(t *testing.T, runnerTemp string)
	// env is the environment the job gives the step besides its own env:
	// what a caller sets on a step that uses an action.
	env map[string]string
	// hostPath, when not nil, replaces the host's PATH after the shims (to
	// leave a command out, such as go).
	hostPath []string
}

// stepRun is one run of a workflow step's script.
type stepRun struct {
	code           int
	stdout, stderr string
	args           []string          // conform's command line; nil when it did not run
	outputs        map[string]string // what the step wrote to $GITHUB_OUTPUT
	path           []string          // what it added to $GITHUB_PATH
	stepSummary    string            // what ended up in $GITHUB_STEP_SUMMARY
	workspace      string
	runnerTemp     string
}

// runWorkflowStep runs a step's script as GitHub does (bash --noprofile
// --norc -eo pipefail) in a fresh workspace, with expressions evaluated from
// env, and `conform` on PATH being a shim that records its arguments and
// execs the test binary.
func runWorkflowStep(t *testing.T, step ghStep, env stepEnv) stepRun {
	t.Helper()
	eval := func(s string) string {
		s = workflowExpr.ReplaceAllStringFunc(s, func(e string) string {
			name := workflowExpr.FindStringSubmatch(e)[1]
			switch {
			case strings.HasPrefix(name, "inputs."):
				v, ok := env.inputs[strings.TrimPrefix(name, "inputs.")]
				if !ok {
					t.Fatalf("the step uses %s, which the test does not set", name)
				}
				return v
			case strings.HasPrefix(name, "secrets."):
				return env.secrets[strings.TrimPrefix(name, "secrets.")]
			}
			if v, ok := env.context[name]; ok {
				return v
			}
			if name == "github.run_attempt" {
				return "1"
			}
			t.Fatalf("the step uses %s, which the test does not set", name)
			return ""
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
	res := stepRun{workspace: filepath.Join(tmp, "workspace"), runnerTemp: filepath.Join(tmp, "runner-temp")}
	bin := filepath.Join(tmp, "bin")
	argsFile := filepath.Join(tmp, "conform-args")
	summary := filepath.Join(tmp, "step-summary.md")
	outputs := filepath.Join(tmp, "github-output")
	pathFile := filepath.Join(tmp, "github-path")
	script := filepath.Join(tmp, "step.sh")
	if strings.Contains(tmp+binary, "'") {
		t.Skip("a temporary path holds a quote; the shim cannot be written safely")
	}
	type file struct {
		path, text string
		mode       os.FileMode
	}
	files := []file{
		{filepath.Join(bin, "conform"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\nexec '" + binary + "' \"$@\"\n", 0o755},
		{summary, "", 0o644},
		{outputs, "", 0o644},
		{pathFile, "", 0o644},
		{script, eval(step.Run), 0o644},
		{filepath.Join(res.workspace, ".keep"), "", 0o644},
		{filepath.Join(res.runnerTemp, ".keep"), "", 0o644},
	}
	for name, text := range env.shims {
		files = append(files, file{filepath.Join(bin, name), text, 0o755})
	}
	for name, text := range env.files {
		files = append(files, file{filepath.Join(res.workspace, name), text, 0o644})
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, []byte(f.text), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if env.setup != nil {
		env.setup(t, res.runnerTemp)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hostPath := os.Getenv("PATH")
	if env.hostPath != nil {
		hostPath = strings.Join(env.hostPath, string(os.PathListSeparator))
	}
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = res.workspace
	cmd.Env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + hostPath,
		"HOME=" + os.Getenv("HOME"),
		"GITHUB_STEP_SUMMARY=" + summary,
		"GITHUB_OUTPUT=" + outputs,
		"GITHUB_PATH=" + pathFile,
		"RUNNER_TEMP=" + res.runnerTemp,
		"CI=true", // as on every GitHub runner
	}
	for k, v := range env.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range step.Env {
		cmd.Env = append(cmd.Env, k+"="+eval(v))
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res.stdout, res.stderr = stdout.String(), stderr.String()
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the step: %v", err)
	}
	if b, err := os.ReadFile(argsFile); err == nil {
		res.args = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	res.outputs = map[string]string{}
	for _, line := range readLines(t, outputs) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("$GITHUB_OUTPUT has a line that is not name=value: %q", line)
		}
		res.outputs[k] = v
	}
	res.path = readLines(t, pathFile)
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	res.stepSummary = string(b)
	return res
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// exitCodeOf is the row of exitCodes() for code.
func exitCodeOf(t *testing.T, code int) exitCode {
	t.Helper()
	for _, e := range exitCodes() {
		if e.Code == code {
			return e
		}
	}
	t.Fatalf("no exit code %d", code)
	return exitCode{}
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
	profile, err := os.ReadFile("../../fixtures/profile.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		faults      []string
		closedPort  bool              // base-url points at nothing
		tls         bool              // the reference speaks HTTPS, with a certificate of its own CA
		labelFilter string            // input label-filter
		strict      bool              // input strict
		allowSkips  bool              // input allow-skips
		unset       []string          // secrets the caller does not pass
		caCert      string            // input ca-cert: "pem" for the CA's PEM text, else a file name in the workspace
		profile     string            // input profile: a file name in the workspace, holding the default profile
		openapi     bool              // input openapi: the reference's /openapi.json
		baseline    string            // input baseline: a file in the workspace, written by a run against the same target first
		knobs       map[string]string // the timing inputs, focus, skip and args; unset ones are empty
		wantCode    int
	}{
		{name: "label-filter auth, strict", labelFilter: "auth", strict: true, wantCode: exitOK},
		{name: "empty label-filter, not strict", wantCode: exitOK},
		{name: "a secret not passed fails the run: its MUST checks are skipped", unset: []string{"CONFORM_TOKEN_EXPIRED"}, labelFilter: "auth", wantCode: exitRequiredSkipped},
		{name: "allow-skips lets a secret not passed skip its checks", unset: []string{"CONFORM_TOKEN_EXPIRED"}, allowSkips: true, wantCode: exitOK},
		{name: "a violation fails the step with the reports", faults: []string{"expired-accepted"}, labelFilter: "auth", wantCode: exitViolations},
		{name: "a selection of no check fails the step and says so", labelFilter: "no-such-label", wantCode: exitUsage},
		{name: "an unreachable target fails the step and says so", closedPort: true, wantCode: exitUnreachable},
		{name: "ca-cert as PEM text", tls: true, caCert: "pem", labelFilter: "auth", wantCode: exitOK},
		{name: "ca-cert as a file of the calling repository", tls: true, caCert: "certs/staging-ca.pem", labelFilter: "auth", wantCode: exitOK},
		{name: "an HTTPS target without ca-cert is unusable", tls: true, labelFilter: "auth", wantCode: exitUnreachable},
		{name: "profile from the calling repository", profile: "contract/profile.json", labelFilter: "auth", wantCode: exitOK},
		{name: "openapi from the target", openapi: true, labelFilter: "auth", wantCode: exitOK},
		{name: "a baseline of the known failures passes the step", faults: []string{"expired-accepted"}, labelFilter: "auth", baseline: "conform/known-failures.json", wantCode: exitOK},
		{name: "the timing knobs, focus, skip and free args reach conform", labelFilter: "auth", knobs: map[string]string{
			"suite-timeout": "3m", "failed-auth-limit": "200", "concurrency": "2", "auth-coverage": "full",
			"focus": "AUTH-MISSING\nAUTH-FORMAT\n", "skip": "empty header value", "args": `--request-timeout '7s' -v`,
		}, wantCode: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base, caPEM string
			secrets := map[string]string{}
			var refTokens map[string]string
			if tt.closedPort {
				base = closedBaseURL(t)
			} else {
				var opts []reference.Option
				if len(tt.faults) > 0 {
					opts = append(opts, reference.WithFaults(tt.faults...))
				}
				ref := reference.New(opts...)
				var srv *httptest.Server
				if tt.tls {
					srv = httptest.NewTLSServer(ref)
					caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
				} else {
					srv = httptest.NewServer(ref)
				}
				t.Cleanup(srv.Close)
				base = srv.URL + "/api/v1"
				refTokens = ref.Tokens()
				for role, v := range ref.Tokens() {
					secrets[probe.Role(role).Var()] = v
				}
				for _, name := range tt.unset {
					delete(secrets, name)
				}
			}
			strict := fmt.Sprint(tt.strict)
			env := stepEnv{
				inputs: map[string]string{
					"base-url": base, "label-filter": tt.labelFilter, "strict": strict,
					"profile": tt.profile, "openapi": "", "ca-cert": "", "allow-skips": fmt.Sprint(tt.allowSkips), "allow-inconclusive": "false", "baseline": tt.baseline,
				},
				secrets: secrets,
				files:   map[string]string{},
			}
			for _, k := range []string{"suite-timeout", "failed-auth-limit", "concurrency", "auth-coverage", "focus", "skip", "args"} {
				env.inputs[k] = tt.knobs[k]
			}
			switch tt.caCert {
			case "":
			case "pem":
				env.inputs["ca-cert"] = caPEM
			default:
				env.inputs["ca-cert"] = tt.caCert
				env.files[tt.caCert] = caPEM
			}
			if tt.profile != "" {
				env.files[tt.profile] = string(profile)
			}
			if tt.openapi {
				env.inputs["openapi"] = base + "/openapi.json"
			}
			if tt.baseline != "" {
				known := filepath.Join(t.TempDir(), "known.json")
				if w := runConform(t, tokenEnv(refTokens, base), "run", "--label-filter", tt.labelFilter, "--write-baseline", known); w.code != exitOK {
					t.Fatalf("writing the baseline: exit %d\n%s", w.code, w.stderr)
				}
				b, err := os.ReadFile(known)
				if err != nil {
					t.Fatal(err)
				}
				env.files[tt.baseline] = string(b)
			}

			res := runWorkflowStep(t, step, env)
			if res.code != tt.wantCode {
				t.Fatalf("the step exited %d, want %d\n%s\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if len(res.args) == 0 {
				t.Fatalf("the step did not run conform\n%s\n%s", res.stdout, res.stderr)
			}

			// The outputs: the exit code, and the verdict it stands for.
			if want := map[string]string{"exit-code": fmt.Sprint(tt.wantCode), "verdict": exitCodeOf(t, tt.wantCode).Verdict}; !reflect.DeepEqual(res.outputs, want) {
				t.Errorf("the step's outputs are %v, want %v", res.outputs, want)
			}

			// Files and URLs go to conform as flags; PEM text as a file.
			for flag, v := range map[string]string{"--profile": tt.profile, "--openapi": env.inputs["openapi"], "--baseline": tt.baseline} {
				if v != "" && !hasArgPair(res.args, flag, v) || v == "" && slices.Contains(res.args, flag) {
					t.Errorf("conform ran with %q for %s %q", res.args, flag, v)
				}
			}
			switch tt.caCert {
			case "":
				if slices.Contains(res.args, "--ca-cert") {
					t.Errorf("conform ran with %q without a ca-cert", res.args)
				}
			case "pem":
				if file := filepath.Join(res.runnerTemp, "conform-ca.pem"); !hasArgPair(res.args, "--ca-cert", file) {
					t.Errorf("conform ran with %q; want --ca-cert %s, the PEM text written out", res.args, file)
				}
			default:
				if !hasArgPair(res.args, "--ca-cert", tt.caCert) {
					t.Errorf("conform ran with %q; want --ca-cert %s", res.args, tt.caCert)
				}
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
			if slices.Contains(res.args, "--allow-skips") != tt.allowSkips {
				t.Errorf("conform ran with %q for allow-skips %v", res.args, tt.allowSkips)
			}
			for _, a := range res.args {
				for name, v := range secrets {
					if strings.Contains(a, v) {
						t.Errorf("the value of %s is on conform's command line", name)
					}
				}
			}

			// A failed step names conform's exit code in the job summary.
			exitLine := fmt.Sprintf("**conform exited %d: %s.**", tt.wantCode, exitCodeOf(t, tt.wantCode).Meaning)
			if tt.wantCode == exitOK && strings.Contains(res.stepSummary, "**conform exited") {
				t.Errorf("the job summary of a passing run names an exit code:\n%s", res.stepSummary)
			}
			if tt.wantCode != exitOK && !strings.Contains(res.stepSummary, exitLine) {
				t.Errorf("the job summary does not say %q:\n%s", exitLine, res.stepSummary)
			}
			assertNoSecretIn(t, secrets, res.stdout, res.stderr, res.stepSummary)
			if tt.wantCode == exitRequiredSkipped {
				for _, name := range tt.unset {
					if !strings.Contains(res.stderr, "set "+name) {
						t.Errorf("the step's log does not say to set %s:\n%s", name, res.stderr)
					}
				}
			}

			reports := filepath.Join(res.workspace, "conform-reports")
			if tt.wantCode == exitUnreachable {
				if _, err := os.Stat(reports); err == nil {
					t.Error("conform-reports exists although conform stopped before any report")
				}
			}
			if tt.wantCode != exitOK && tt.wantCode != exitViolations && tt.wantCode != exitRequiredSkipped {
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
			wantVerdict := map[int]string{
				exitOK:              "## ✅ ",
				exitViolations:      "## ❌ NOT CONFORMANT",
				exitRequiredSkipped: "## ❌ REQUIRED CHECKS SKIPPED: ",
			}[tt.wantCode]
			if tt.baseline != "" {
				// The run passes on known failures, and its verdict says so.
				wantVerdict = "## ✅ PASSED WITH KNOWN ISSUES: "
			}
			if tt.baseline != "" && !strings.Contains(res.stepSummary, "every failure is known") {
				t.Errorf("the job summary does not say every failure is known:\n%s", res.stepSummary)
			}
			if !strings.HasPrefix(res.stepSummary, wantVerdict) {
				t.Errorf("the job summary does not start with %q:\n%s", wantVerdict, res.stepSummary)
			}
			assertNoSecretInDir(t, secrets, reports)

			if r.Config["label_filter"] != tt.labelFilter || r.Strict != tt.strict {
				t.Errorf("the report says label_filter %q, strict %v; want %q, %v", r.Config["label_filter"], r.Strict, tt.labelFilter, tt.strict)
			}
			if r.Config["profile"] != tt.profile || r.Config["openapi"] != env.inputs["openapi"] {
				t.Errorf("the report says profile %q, openapi %q; want %q, %q", r.Config["profile"], r.Config["openapi"], tt.profile, env.inputs["openapi"])
			}
			if tt.knobs != nil {
				for flag, v := range map[string]string{"--suite-timeout": "3m", "--failed-auth-limit": "200", "--concurrency": "2", "--auth-coverage": "full",
					"--focus": "AUTH-MISSING", "--skip": "empty header value", "--request-timeout": "7s"} {
					if !hasArgPair(res.args, flag, v) {
						t.Errorf("conform ran with %q; want %s %q", res.args, flag, v)
					}
				}
				if !hasArgPair(res.args, "--focus", "AUTH-FORMAT") || !slices.Contains(res.args, "-v") || slices.Contains(res.args, "") {
					t.Errorf("conform ran with %q; want a --focus per line, -v, and no empty argument", res.args)
				}
				want := map[string]string{"suite_timeout": "3m0s", "failed_auth_limit": "200", "concurrency": "2", "auth_coverage": "full",
					"focus": "AUTH-MISSING,AUTH-FORMAT", "skip": "empty header value", "request_timeout": "7s"}
				for k, v := range want {
					if r.Config[k] != v {
						t.Errorf("the report says %s %q, want %q", k, r.Config[k], v)
					}
				}
				for _, c := range r.Checks {
					if c.Skip != report.SkipFiltered && !strings.HasPrefix(c.Name(), "AUTH-MISSING") && !strings.HasPrefix(c.Name(), "AUTH-FORMAT") {
						t.Errorf("%s ran, outside the focus", c.Name())
					}
					if strings.Contains(c.Name(), "empty header value") && c.Skip != report.SkipFiltered {
						t.Errorf("%s ran, though skipped", c.Name())
					}
				}
			}
			if tt.openapi {
				if rows, _ := r.Coverage(); len(rows) == 0 {
					t.Error("a run with openapi reports no operations swept")
				}
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
			if tt.wantCode == exitViolations && report.Decide(r).Conformant() {
				t.Error("the report says conformant although the step failed")
			}
			if tt.baseline != "" && (r.Baseline == nil || len(r.Baseline.Known) == 0 || len(r.Baseline.New) != 0) {
				t.Errorf("the report's baseline is %+v; want known failures and no new one", r.Baseline)
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

// yamlBlocks are the yaml code blocks of a section of a Markdown file,
// from its heading to the next heading of level two.
func yamlBlocks(t *testing.T, path, heading string) []string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q section", path, heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```yaml\n")
		if !ok {
			return blocks
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			t.Fatalf("a yaml block of %q in %s is not closed", heading, path)
		}
		blocks = append(blocks, block)
		section = after
	}
}

// readmeCIHeading is the README's section with its one CI example.
const readmeCIHeading = "## In CI"

// TestDocsCallersUseTheWorkflowAsDeclared keeps the callers of the
// workflow in docs/ci.md and the README callable: the workflow at this
// version, only declared inputs (every required one), each secret mapped
// to the one of its name or inherited; and docs/ci.md's matrix over
// environments runs each entry in its GitHub Environment with the secrets
// inherited, so each gets its own.
func TestDocsCallersUseTheWorkflowAsDeclared(t *testing.T) {
	t.Run("docs/ci.md", func(t *testing.T) {
		callers, matrices := checkWorkflowCallers(t, yamlBlocks(t, ciPath, "## The reusable workflow"))
		if callers < 2 || matrices != 1 {
			t.Errorf("docs/ci.md's reusable workflow has %d callers of the workflow and %d matrix, want the plain caller and the matrix", callers, matrices)
		}
	})
	t.Run("README.md", func(t *testing.T) {
		if callers, _ := checkWorkflowCallers(t, yamlBlocks(t, readmePath, readmeCIHeading)); callers != 1 {
			t.Errorf("the README's CI example has %d callers of the workflow, want 1", callers)
		}
	})
}

// checkWorkflowCallers checks every caller of the workflow in blocks and
// counts the callers and the matrices among them.
func checkWorkflowCallers(t *testing.T, blocks []string) (callers, matrices int) {
	t.Helper()
	call := loadWorkflow(t).On["workflow_call"]
	for _, block := range blocks {
		if strings.HasPrefix(block, "- ") {
			continue // steps, not a workflow: the action's (action_test.go)
		}
		var caller struct {
			Jobs map[string]struct {
				Uses     string            `yaml:"uses"`
				With     map[string]string `yaml:"with"`
				Secrets  yaml.Node         `yaml:"secrets"`
				Strategy struct {
					Matrix map[string][]string `yaml:"matrix"`
				} `yaml:"strategy"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(block), &caller); err != nil {
			t.Fatalf("a caller workflow is not valid YAML: %v\n%s", err, block)
		}
		for _, job := range caller.Jobs {
			if !strings.Contains(job.Uses, "/.github/workflows/conform.yml@") {
				continue
			}
			callers++
			if want := "cornect/conform/.github/workflows/conform.yml@v" + version.Suite; job.Uses != want {
				t.Errorf("the caller uses %q, want %q", job.Uses, want)
			}
			for name := range job.With {
				if _, ok := call.Inputs[name]; !ok {
					t.Errorf("the caller sets input %q, which the workflow does not declare", name)
				}
			}
			for name, in := range call.Inputs {
				if _, ok := job.With[name]; in.Required && !ok {
					t.Errorf("the caller does not set the required input %q", name)
				}
			}
			inherit := job.Secrets.Kind == yaml.ScalarNode && job.Secrets.Value == "inherit"
			var secrets map[string]string
			if !inherit {
				if err := job.Secrets.Decode(&secrets); err != nil || len(secrets) == 0 {
					t.Errorf("the caller passes no secret (%v)", err)
				}
			}
			for name, v := range secrets {
				if _, ok := call.Secrets[name]; !ok {
					t.Errorf("the caller passes secret %q, which the workflow does not declare", name)
				}
				if want := "${{ secrets." + name + " }}"; v != want {
					t.Errorf("the caller passes %s as %q, want %q", name, v, want)
				}
			}
			for key := range job.Strategy.Matrix {
				matrices++
				if want := "${{ matrix." + key + " }}"; job.With["environment"] != want || !inherit {
					t.Errorf("the matrix runs in environment %q with secrets %q; want %s and inherit, so each entry gets its environment's tokens", job.With["environment"], job.Secrets.Value, want)
				}
			}
		}
	}
	return callers, matrices
}

// verdictLine is one exit code's line in the conform step's case statement.
var verdictLine = regexp.MustCompile(`(?m)^\s*(\d|\*)\) verdict="([^"]+)"; meaning="([^"]+)" ;;$`)

// TestWorkflowVerdictsAreConformsExitCodes holds the step's names for every
// exit code, including those the tests above cannot provoke, to exitCodes().
func TestWorkflowVerdictsAreConformsExitCodes(t *testing.T) {
	assertVerdictTable(t, conformStep(t, loadWorkflow(t)))
}

// assertVerdictTable holds a step's case statement of exit codes to
// exitCodes(): a new exit code fails this until the step names it.
func assertVerdictTable(t *testing.T, step ghStep) {
	t.Helper()
	var got []exitCode
	var other []string
	for _, m := range verdictLine.FindAllStringSubmatch(step.Run, -1) {
		if m[1] == "*" {
			other = m[2:]
			continue
		}
		got = append(got, exitCode{Code: int(m[1][0] - '0'), Verdict: m[2], Meaning: m[3]})
	}
	var want []exitCode
	for _, e := range exitCodes() {
		want = append(want, exitCode{Code: e.Code, Verdict: e.Verdict, Meaning: e.Meaning})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the step names the exit codes\n%v\nwant\n%v", got, want)
	}
	internal := exitCodeOf(t, exitInternal)
	if !slices.Equal(other, []string{internal.Verdict, internal.Meaning}) {
		t.Errorf("the step names an unknown exit code %q, want %q", other, []string{internal.Verdict, internal.Meaning})
	}
}

// prepareInputs are the inputs of a call that gives only a base URL.
func prepareInputs(changes map[string]string) map[string]string {
	in := map[string]string{
		"conform-version": "v" + version.Suite, "base-url": "https://staging.example.com/api/v1",
		"label-filter": "", "strict": "false", "profile": "", "openapi": "", "ca-cert": "", "baseline": "",
		"runs-on": "ubuntu-latest", "artifact-name": "", "allow-skips": "false", "allow-inconclusive": "false",
		"environment": "", "timeout-minutes": "30", "suite-timeout": "", "failed-auth-limit": "", "concurrency": "",
		"auth-coverage": "", "focus": "", "skip": "", "args": "",
	}
	for k, v := range changes {
		in[k] = v
	}
	return in
}

func TestWorkflowChecksItsInputsBeforeInstalling(t *testing.T) {
	wf := loadWorkflow(t)
	step := stepByID(t, wf, "prepare")
	if first := workflowSteps(t, wf)[0]; first.ID != step.ID {
		t.Errorf("the first step is %q: the inputs should be checked before anything is installed", first.Name)
	}
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
	tests := []struct {
		name         string
		inputs       map[string]string
		attempt      string
		wantError    string // the ::error line's title; "" for success
		wantCheckout bool
		wantName     string // a regular expression
	}{
		{name: "only a base URL", wantName: `^conform-reports-staging\.example\.com-\d+-1$`},
		{name: "a port and a re-run", inputs: map[string]string{"base-url": "http://127.0.0.1:8080/api/v1"}, attempt: "2", wantName: `^conform-reports-127\.0\.0\.1-8080-\d+-2$`},
		{name: "an explicit artifact name", inputs: map[string]string{"artifact-name": "staging-eu"}, wantName: `^staging-eu$`},
		{name: "a profile needs the calling repository", inputs: map[string]string{"profile": "contract/profile.json"}, wantCheckout: true, wantName: `.`},
		{name: "an openapi URL does not", inputs: map[string]string{"openapi": "https://staging.example.com/openapi.json"}, wantName: `.`},
		{name: "an openapi file does", inputs: map[string]string{"openapi": "openapi.yaml"}, wantCheckout: true, wantName: `.`},
		{name: "a ca-cert as PEM text does not", inputs: map[string]string{"ca-cert": pem}, wantName: `.`},
		{name: "a ca-cert file does", inputs: map[string]string{"ca-cert": "certs/ca.pem"}, wantCheckout: true, wantName: `.`},
		{name: "a baseline needs the calling repository", inputs: map[string]string{"baseline": "conform/known-failures.json"}, wantCheckout: true, wantName: `.`},
		{name: "an empty conform-version", inputs: map[string]string{"conform-version": ""}, wantError: "conform-version is empty"},
		{name: "a conform-version that is no version", inputs: map[string]string{"conform-version": "v1; curl evil"}, wantError: "conform-version is not a version"},
		{name: "an artifact name with a slash", inputs: map[string]string{"artifact-name": "reports/staging"}, wantError: "artifact-name is not valid"},
		{name: "an artifact name with a line break", inputs: map[string]string{"artifact-name": "a\nb"}, wantError: "artifact-name is not valid"},
		{name: "the timing knobs", inputs: map[string]string{"suite-timeout": "25m", "failed-auth-limit": "30", "concurrency": "2", "auth-coverage": "full", "args": `-v --skip 'empty header value'`}, wantName: `.`},
		{name: "a failed-auth-limit that is no number", inputs: map[string]string{"failed-auth-limit": "30/min"}, wantError: "failed-auth-limit is not a number"},
		{name: "a concurrency that is no number", inputs: map[string]string{"concurrency": "$(id)"}, wantError: "concurrency is not a number"},
		{name: "an auth-coverage that is no mode", inputs: map[string]string{"auth-coverage": "some"}, wantError: "auth-coverage is not a mode"},
		{name: "args with a quote left open", inputs: map[string]string{"args": `--skip 'empty header`}, wantError: "args cannot be split"},
		{name: "args that set the base URL", inputs: map[string]string{"args": "-v --base-url=https://elsewhere.example.com"}, wantError: "args sets what the workflow sets"},
		{name: "args that set the reports directory", inputs: map[string]string{"args": "-report-dir /tmp/x"}, wantError: "args sets what the workflow sets"},
		{name: "a job timeout shorter than the default suite timeout", inputs: map[string]string{"timeout-minutes": "12"}, wantError: "timeout-minutes is too short"},
		{name: "a job timeout shorter than the suite timeout", inputs: map[string]string{"timeout-minutes": "30", "suite-timeout": "26m"}, wantError: "timeout-minutes is too short"},
		{name: "a job timeout only as long as the suite timeout", inputs: map[string]string{"timeout-minutes": "60", "suite-timeout": "1h"}, wantError: "timeout-minutes is too short"},
		{name: "a job timeout long enough", inputs: map[string]string{"timeout-minutes": "65", "suite-timeout": "1h"}, wantName: `.`},
		{name: "a job timeout with a short suite", inputs: map[string]string{"timeout-minutes": "6", "suite-timeout": "45s"}, wantName: `.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := stepEnv{inputs: prepareInputs(tt.inputs), context: map[string]string{}}
			if tt.attempt != "" {
				env.context["github.run_attempt"] = tt.attempt
			}
			res := runWorkflowStep(t, step, env)
			if tt.wantError != "" {
				if res.code == 0 || !strings.Contains(res.stdout, "::error title="+tt.wantError+"::") {
					t.Errorf("exit %d, stdout %q; want a failure with the error %q", res.code, res.stdout, tt.wantError)
				}
				if len(res.outputs) > 0 {
					t.Errorf("a failed check left outputs %v", res.outputs)
				}
				return
			}
			if res.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			if got := res.outputs["checkout"]; got != fmt.Sprint(tt.wantCheckout) {
				t.Errorf("checkout %q, want %v", got, tt.wantCheckout)
			}
			if name := res.outputs["artifact-name"]; !regexp.MustCompile(tt.wantName).MatchString(name) || strings.ContainsAny(name, "\":<>|*?\\/\r\n") {
				t.Errorf("artifact name %q, want one matching %s, without a character artifacts refuse", name, tt.wantName)
			}
		})
	}
}

func TestWorkflowArtifactNamesDifferBetweenTheEntriesOfAMatrix(t *testing.T) {
	step := stepByID(t, loadWorkflow(t), "prepare")
	name := func(changes map[string]string) string {
		res := runWorkflowStep(t, step, stepEnv{inputs: prepareInputs(changes)})
		if res.code != 0 || res.outputs["artifact-name"] == "" {
			t.Fatalf("exit %d, outputs %v\n%s", res.code, res.outputs, res.stdout)
		}
		return res.outputs["artifact-name"]
	}
	base := name(nil)
	if again := name(nil); again != base {
		t.Errorf("the same inputs give %q, then %q", base, again)
	}
	seen := map[string]string{base: "only a base URL"}
	for what, changes := range map[string]map[string]string{
		"another environment":           {"base-url": "https://staging-eu.example.com/api/v1"},
		"another path":                  {"base-url": "https://staging.example.com/api/v2"},
		"another label filter":          {"label-filter": "auth"},
		"strict":                        {"strict": "true"},
		"another profile":               {"profile": "eu.json"},
		"an openapi document":           {"openapi": "https://staging.example.com/openapi.json"},
		"a baseline":                    {"baseline": "known-failures.json"},
		"another runner":                {"runs-on": "ubuntu-24.04-arm"},
		"another version":               {"conform-version": "latest"},
		"skips allowed":                 {"allow-skips": "true"},
		"inconclusive allowed":          {"allow-inconclusive": "true"},
		"another environment of GitHub": {"environment": "staging-eu"},
		"another suite timeout":         {"suite-timeout": "20m"},
		"a failed-auth limit":           {"failed-auth-limit": "30"},
		"another concurrency":           {"concurrency": "2"},
		"full auth coverage":            {"auth-coverage": "full"},
		"a focus":                       {"focus": "AUTH-"},
		"a skip":                        {"skip": "AUTH-"},
		"more args":                     {"args": "-v"},
	} {
		n := name(changes)
		if prev, ok := seen[n]; ok {
			t.Errorf("%s and %s share the artifact name %q", what, prev, n)
		}
		seen[n] = what
	}
}

func TestWorkflowInstallsTheResolvedVersionOnceAndCachesIt(t *testing.T) {
	wf := loadWorkflow(t)
	resolve := stepByID(t, wf, "resolve")
	restore := stepByID(t, wf, "cache")
	install := stepNamed(t, wf, "Install conform")
	save := stepNamed(t, wf, "Save conform to the cache")
	onPath := stepNamed(t, wf, "Put conform on PATH")

	// The cache: restored by the exact version, installed and saved only
	// on a miss, and saved before the run (a failing run fails the job).
	const dir = "${{ runner.temp }}/conform-bin"
	if !strings.HasPrefix(restore.Uses, "actions/cache/restore@") || !strings.HasPrefix(save.Uses, "actions/cache/save@") {
		t.Errorf("the cache steps use %q and %q, want actions/cache/restore and actions/cache/save", restore.Uses, save.Uses)
	}
	if restore.With["path"] != dir || save.With["path"] != dir {
		t.Errorf("the cache paths are %q and %q, want %q", restore.With["path"], save.With["path"], dir)
	}
	if want := "conform-${{ runner.os }}-${{ runner.arch }}-${{ steps.resolve.outputs.version }}"; restore.With["key"] != want {
		t.Errorf("the cache key is %q, want %q", restore.With["key"], want)
	}
	if save.With["key"] != "${{ steps.cache.outputs.cache-primary-key }}" {
		t.Errorf("the cache is saved under %q, not the key it was looked up by", save.With["key"])
	}
	const miss = "steps.cache.outputs.cache-hit != 'true'"
	if install.If != miss || save.If != miss {
		t.Errorf("install runs if %q, save if %q; want both only on a miss (%s)", install.If, save.If, miss)
	}
	steps := workflowSteps(t, wf)
	index := func(s ghStep) int {
		return slices.IndexFunc(steps, func(x ghStep) bool { return x.Name == s.Name })
	}
	if !(index(resolve) < index(restore) && index(restore) < index(install) && index(install) < index(save) && index(save) < index(onPath) && index(onPath) < index(conformStep(t, wf))) {
		t.Error("the steps are not in the order resolve, restore, install, save, PATH, run")
	}

	// A go on PATH that records what it is asked; `go list` answers v0.1.3.
	goShim := func(log string) string {
		return "#!/bin/sh\n{ echo \"GOWORK=$GOWORK GOBIN=$GOBIN PWD=$PWD\"; printf '%s\\n' \"$@\"; } >> '" + log + "'\n" +
			"if [ \"$1\" = list ]; then echo v0.1.3; fi\n"
	}
	t.Run("resolve", func(t *testing.T) {
		for _, asked := range []string{"latest", "v0.1.0", "main", "0123456789ab"} {
			log := filepath.Join(t.TempDir(), "go.log")
			res := runWorkflowStep(t, resolve, stepEnv{inputs: map[string]string{"conform-version": asked}, shims: map[string]string{"go": goShim(log)}})
			if res.code != 0 || res.outputs["version"] != "v0.1.3" {
				t.Fatalf("%s: exit %d, outputs %v\n%s%s", asked, res.code, res.outputs, res.stdout, res.stderr)
			}
			lines := readLines(t, log)
			if len(lines) == 0 {
				t.Fatalf("%s: go did not run", asked)
			}
			if want := []string{"list", "-m", "-f", "{{.Version}}", "github.com/cornect/conform@" + asked}; !slices.Equal(lines[1:], want) {
				t.Errorf("%s: go ran with %q, want %q", asked, lines[1:], want)
			}
			if !strings.HasPrefix(lines[0], "GOWORK=off ") || !strings.HasSuffix(lines[0], "PWD="+res.runnerTemp) {
				t.Errorf("%s: go ran as %q; want GOWORK=off in the runner's temporary directory, away from the caller's go.mod", asked, lines[0])
			}
		}
		noVersion := "#!/bin/sh\nexit 0\n"
		res := runWorkflowStep(t, resolve, stepEnv{inputs: map[string]string{"conform-version": "v9.9.9"}, shims: map[string]string{"go": noVersion}})
		if res.code == 0 || !strings.Contains(res.stdout, "::error title=conform-version not found::") {
			t.Errorf("a version that resolves to nothing: exit %d, stdout %q", res.code, res.stdout)
		}
	})
	t.Run("install", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "go.log")
		res := runWorkflowStep(t, install, stepEnv{context: map[string]string{"steps.resolve.outputs.version": "v0.1.3"}, shims: map[string]string{"go": goShim(log)}})
		if res.code != 0 {
			t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		lines := readLines(t, log)
		want := []string{"GOWORK=off GOBIN=" + filepath.Join(res.runnerTemp, "conform-bin") + " PWD=" + res.runnerTemp, "install", "github.com/cornect/conform/cmd/conform@v0.1.3"}
		if !slices.Equal(lines, want) {
			t.Errorf("go ran as\n%q\nwant\n%q", lines, want)
		}
	})
	t.Run("PATH", func(t *testing.T) {
		res := runWorkflowStep(t, onPath, stepEnv{setup: func(t *testing.T, runnerTemp string) {
			if err := os.MkdirAll(filepath.Join(runnerTemp, "conform-bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(binary, filepath.Join(runnerTemp, "conform-bin", "conform")); err != nil {
				t.Fatal(err)
			}
		}})
		if res.code != 0 || !slices.Equal(res.path, []string{filepath.Join(res.runnerTemp, "conform-bin")}) {
			t.Errorf("exit %d, PATH gained %q\n%s%s", res.code, res.path, res.stdout, res.stderr)
		}
		if !strings.HasPrefix(res.stdout, "conform ") {
			t.Errorf("the step does not show the installed version:\n%s", res.stdout)
		}
	})
}
