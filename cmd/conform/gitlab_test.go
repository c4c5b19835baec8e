package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/version"
)

// The GitLab CI template, and GitLab's own schema of .gitlab-ci.yml: the
// JSON Schema (draft-07) GitLab's pipeline editor validates with, from
// GitLab's app/assets/javascripts/editor/schema/ci.json (MIT licence). It
// is not kept in this repository: the test reads it from
// $CONFORM_GITLAB_CI_SCHEMA, else from shared/gitlab/ci.json beside the
// checkout, and checks it is the copy this template was last held to
// (docs/ci.md says how to get it).
const (
	gitlabTemplatePath = "../../ci/gitlab/conform.gitlab-ci.yml"
	gitlabSchemaShared = "../../../shared/gitlab/ci.json"
	gitlabSchemaSHA256 = "68fe6fb2b2db887afc71ed369ee0b4099546e2e813128871beac87983b9cbc02"
)

// gitlabSchema compiles GitLab's schema; it never loads anything from the
// network. Without a copy on this machine the test skips and says so.
func gitlabSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := os.Getenv("CONFORM_GITLAB_CI_SCHEMA")
	if path == "" {
		path = gitlabSchemaShared
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("GitLab's CI schema is not at %s (set CONFORM_GITLAB_CI_SCHEMA; docs/ci.md): the template is not validated", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if sum := fmt.Sprintf("%x", sha256.Sum256(raw)); sum != gitlabSchemaSHA256 {
		t.Fatalf("GitLab's CI schema at %s has SHA-256 %s, not the copy the template was last held to: validate against it, then update gitlabSchemaSHA256 and docs/ci.md", path, sum)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("GitLab's CI schema at %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.UseLoader(refuseLoading{})
	if err := c.AddResource("https://gitlab.com/.gitlab-ci.yml", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("https://gitlab.com/.gitlab-ci.yml")
	if err != nil {
		t.Fatalf("compiling GitLab's CI schema: %v", err)
	}
	return s
}

// refuseLoading refuses every reference the schema makes outside itself.
type refuseLoading struct{}

func (refuseLoading) Load(url string) (any, error) {
	return nil, fmt.Errorf("loading %s refused: the GitLab schema is read from a file", url)
}

// yamlDocuments decodes every document of a YAML stream as JSON-like
// values (maps with string keys), as a schema validator reads them.
func yamlDocuments(t *testing.T, b []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("not valid YAML: %v", err)
		}
		docs = append(docs, jsonLike(v))
	}
}

// jsonLike turns what yaml decodes into what encoding/json would: int
// into float64, nested maps and lists likewise.
func jsonLike(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonLike(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonLike(e)
		}
	case int:
		return float64(x)
	}
	return v
}

// TestGitLabTemplateIsValidAgainstGitLabsSchema validates both documents
// of the template, its spec:inputs header and its job, against the
// schema GitLab's editor uses; and the schema catches a broken job, so
// the validation is real.
func TestGitLabTemplateIsValidAgainstGitLabsSchema(t *testing.T) {
	schema := gitlabSchema(t)
	b, err := os.ReadFile(gitlabTemplatePath)
	if err != nil {
		t.Fatal(err)
	}
	docs := yamlDocuments(t, b)
	if len(docs) != 2 {
		t.Fatalf("the template has %d YAML documents, want the spec header and the pipeline", len(docs))
	}
	for i, d := range docs {
		if err := schema.Validate(d); err != nil {
			t.Errorf("document %d of the template breaks GitLab's CI schema:\n%v", i+1, err)
		}
	}
	// The schema sees the mistakes a template could make.
	for name, broken := range map[string]string{
		"junit report as a map": "job:\n  script: [x]\n  artifacts:\n    reports:\n      junit: {path: x}\n",
		"unknown job keyword":   "job:\n  script: [x]\n  artefacts: {paths: [x]}\n",
		"artifacts when":        "job:\n  script: [x]\n  artifacts:\n    when: sometimes\n",
		"unknown input keyword": "spec:\n  inputs:\n    base-url:\n      descripton: x\n",
	} {
		if err := schema.Validate(yamlDocuments(t, []byte(broken))[0]); err == nil {
			t.Errorf("the schema accepts a broken configuration (%s); the test above proves nothing", name)
		}
	}
}

// gitlabJob is the template's job with the inputs interpolated, as GitLab
// includes it.
type gitlabJob struct {
	name         string
	Stage        string            `yaml:"stage"`
	Image        string            `yaml:"image"`
	Variables    map[string]string `yaml:"variables"`
	BeforeScript []string          `yaml:"before_script"`
	Script       []string          `yaml:"script"`
	Artifacts    struct {
		When    string   `yaml:"when"`
		Paths   []string `yaml:"paths"`
		Reports struct {
			JUnit  string `yaml:"junit"`
			Dotenv string `yaml:"dotenv"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

var gitlabInput = regexp.MustCompile(`\$\[\[\s*inputs\.([a-z0-9_-]+)\s*\]\]`)

// includeGitLabTemplate reads the template as an include with the given
// inputs: those not given take their defaults; a required one not given
// fails the test.
func includeGitLabTemplate(t *testing.T, inputs map[string]string) gitlabJob {
	t.Helper()
	b, err := os.ReadFile(gitlabTemplatePath)
	if err != nil {
		t.Fatal(err)
	}
	header, body, ok := strings.Cut(string(b), "\n---\n")
	if !ok {
		t.Fatal("the template has no --- after its spec header")
	}
	var spec struct {
		Spec struct {
			Inputs map[string]struct {
				Default *string `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(header), &spec); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for name, in := range spec.Spec.Inputs {
		if v, ok := inputs[name]; ok {
			values[name] = v
		} else if in.Default != nil {
			values[name] = *in.Default
		}
	}
	for name := range inputs {
		if _, ok := spec.Spec.Inputs[name]; !ok {
			t.Fatalf("the template has no input %q", name)
		}
	}
	body = gitlabInput.ReplaceAllStringFunc(body, func(m string) string {
		name := gitlabInput.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			t.Fatalf("the template uses input %q, which is neither given nor defaulted", name)
		}
		return v
	})
	var jobs map[string]gitlabJob
	if err := yaml.Unmarshal([]byte(body), &jobs); err != nil {
		t.Fatalf("the included template is not valid YAML: %v", err)
	}
	if len(jobs) != 1 {
		t.Fatalf("the template defines %d jobs, want 1", len(jobs))
	}
	for name, j := range jobs {
		j.name = name
		return j
	}
	return gitlabJob{}
}

func TestGitLabTemplateKeepsTheJUnitReportAndTheVerdict(t *testing.T) {
	j := includeGitLabTemplate(t, map[string]string{"base-url": "https://staging.example.com/api/v1", "report-dir": "out/conform", "job-name": "conform-eu"})
	if j.name != "conform-eu" || j.Stage != "test" {
		t.Errorf("the job is %q in stage %q; want the job-name input, stage test", j.name, j.Stage)
	}
	if j.Artifacts.When != "always" || j.Artifacts.Reports.JUnit != "out/conform/junit.xml" || j.Artifacts.Reports.Dotenv != "conform.env" || len(j.Artifacts.Paths) != 1 || j.Artifacts.Paths[0] != "out/conform/" {
		t.Errorf("artifacts %+v; want the reports directory and its junit.xml kept always, and conform.env as dotenv", j.Artifacts)
	}
	if j.Variables["CONFORM_BASE_URL"] != "https://staging.example.com/api/v1" || j.Variables["CONFORM_VERSION"] != "v"+version.Suite {
		t.Errorf("variables %v; want the base URL, and this release as the version", j.Variables)
	}
	for name := range j.Variables {
		if strings.HasPrefix(name, "CONFORM_TOKEN") {
			t.Errorf("the template sets %s: tokens come from CI/CD variables only", name)
		}
	}
	assertVerdictTable(t, ghStep{Run: strings.Join(j.Script, "\n")})
}

// runShellJob runs lines of a CI job (GitLab's before_script and script,
// a Jenkinsfile's sh step) as one POSIX sh script, as a runner does, in a
// fresh project directory, with the job's variables, the given environment
// (CI/CD variables, credentials) and the shims first on PATH. hostPath
// replaces the host's PATH when not nil.
func runShellJob(t *testing.T, j gitlabJob, lines []string, env map[string]string, shims map[string]string, hostPath []string) stepRun {
	t.Helper()
	tmp := t.TempDir()
	res := stepRun{workspace: filepath.Join(tmp, "project")}
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{res.workspace, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range shims {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := os.Getenv("PATH")
	if hostPath != nil {
		path = strings.Join(hostPath, string(os.PathListSeparator))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", strings.Join(lines, "\n"))
	cmd.Dir = res.workspace
	cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + path, "HOME=" + os.Getenv("HOME"), "CI=true", "CI_PROJECT_DIR=" + res.workspace}
	for k, v := range j.Variables {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res.stdout, res.stderr = stdout.String(), stderr.String()
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the job: %v", err)
	}
	return res
}

// TestGitLabJobInstallsTheReleaseForThisMachine runs the job's
// before_script with the fake release of the action's tests: it installs
// the archive of this machine, checksum verified, and never one that was
// changed.
func TestGitLabJobInstallsTheReleaseForThisMachine(t *testing.T) {
	osName, arch := map[string]string{"Linux": "linux", "Darwin": "darwin"}, map[string]string{"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
	out, err := exec.Command("uname", "-sm").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) != 2 || osName[fields[0]] == "" || arch[fields[1]] == "" {
		t.Skipf("no release archive for this machine (%q)", out)
	}
	v := version.Suite
	archive := "conform_" + v + "_" + osName[fields[0]] + "_" + arch[fields[1]] + ".tar.gz"
	j := includeGitLabTemplate(t, map[string]string{"base-url": "http://127.0.0.1:9/api/v1"})
	for _, tamper := range []bool{false, true} {
		rel := newRelease(t, v, archive)
		if tamper {
			if err := os.WriteFile(filepath.Join(rel.dir, archive), []byte("not the archive"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		res := runShellJob(t, j, j.BeforeScript, nil, rel.shims(v), nil)
		calls, _ := os.ReadFile(rel.calls)
		if tamper {
			if res.code == 0 || !strings.Contains(res.stderr, "not installing it") || strings.Contains(string(calls), "go install") {
				t.Errorf("a changed archive: exit %d\n%s\n%s", res.code, res.stderr, calls)
			}
			continue
		}
		if res.code != 0 || !strings.Contains(res.stdout, "checksum verified: conform 0.1.0 (from the archive)") {
			t.Errorf("exit %d\n%s\n%s\n%s", res.code, res.stdout, res.stderr, calls)
		}
	}
}

// TestGitLabJobRunsConformAndPassesTheVerdictOn runs the job's script with
// the real conform on PATH against the reference, and against nothing.
func TestGitLabJobRunsConformAndPassesTheVerdictOn(t *testing.T) {
	closed := closedBaseURL(t)
	shims := map[string]string{"conform": "#!/bin/sh\nexec '" + binary + "' \"$@\"\n"}
	tests := []struct {
		name, base, args string // base "" for a reference of its own: runs must not share rate limits
		wantCode         int
	}{
		{"a conforming API, args with quotes", "", `--label-filter 'auth || scope'`, exitOK},
		{"no args", "", "", exitOK},
		{"an API that is not up", closed, "", exitUnreachable},
		{"args with a quote left open", "", `--label-filter 'auth`, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tokens := map[string]string{}
			if tt.base == "" {
				var ref *reference.Server
				ref, tt.base = serveReference(t)
				for role, v := range ref.Tokens() {
					tokens[probe.Role(role).Var()] = v
				}
			}
			j := includeGitLabTemplate(t, map[string]string{"base-url": tt.base, "args": tt.args})
			res := runShellJob(t, j, j.Script, tokens, shims, nil)
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			env, err := os.ReadFile(filepath.Join(res.workspace, j.Artifacts.Reports.Dotenv))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("CONFORM_VERDICT=%s\nCONFORM_EXIT_CODE=%d\n", exitCodeOf(t, tt.wantCode).Verdict, tt.wantCode); string(env) != want {
				t.Errorf("conform.env is %q, want %q", env, want)
			}
			assertNoSecretIn(t, tokens, res.stdout, res.stderr)
			junit := filepath.Join(res.workspace, j.Artifacts.Reports.JUnit)
			if tt.wantCode != exitOK {
				if _, err := os.Stat(junit); err == nil {
					t.Error("junit.xml exists although conform wrote no report")
				}
				return
			}
			r := readJSONReport(t, filepath.Join(res.workspace, j.Variables["CONFORM_REPORT_DIR"], "report.json"))
			assertWorkflowReports(t, filepath.Join(res.workspace, j.Variables["CONFORM_REPORT_DIR"]), len(r.Checks))
			if tt.args != "" && r.Config["label_filter"] != "auth || scope" {
				t.Errorf("the report says label_filter %q, want the quoted words of args as one", r.Config["label_filter"])
			}
			assertNoSecretInDir(t, tokens, filepath.Join(res.workspace, j.Variables["CONFORM_REPORT_DIR"]))
		})
	}
}
