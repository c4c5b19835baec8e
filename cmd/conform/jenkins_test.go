package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/version"
)

const jenkinsfilePath = "../../docs/jenkins/Jenkinsfile"

var (
	jenkinsShBlock = regexp.MustCompile(`(?s)sh '''\n(.*?)'''`)
	jenkinsRun     = regexp.MustCompile(`sh '\./conform run --report-dir ([^ ']+)'`)
	jenkinsJUnit   = regexp.MustCompile(`junit testResults: '([^']+)'`)
)

// TestJenkinsfileInstallsTheReleaseAndReportsJUnit runs the example
// pipeline's install script against the fake release of the action's
// tests (a changed archive must stop it), and holds its JUnit step to the
// file its conform run writes, in a post block that always runs.
func TestJenkinsfileInstallsTheReleaseAndReportsJUnit(t *testing.T) {
	b, err := os.ReadFile(jenkinsfilePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	run, junit := jenkinsRun.FindStringSubmatch(text), jenkinsJUnit.FindStringSubmatch(text)
	if run == nil || junit == nil || junit[1] != run[1]+"/junit.xml" {
		t.Errorf("the run writes reports to %q, the JUnit step reads %q", run, junit)
	}
	if !regexp.MustCompile(`(?s)post \{\s*always \{\s*junit `).MatchString(text) {
		t.Error("the JUnit step is not in a post { always { … } } block: a failed run would publish nothing")
	}
	install := jenkinsShBlock.FindStringSubmatch(text)
	if install == nil {
		t.Fatal("the Jenkinsfile has no sh ''' … ''' install step")
	}
	out, err := exec.Command("uname", "-sm").Output()
	arch := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[strings.TrimSpace(strings.TrimPrefix(string(out), "Linux "))]
	if err != nil || !strings.HasPrefix(string(out), "Linux ") || arch == "" {
		t.Skipf("the example installs Linux archives; this is %q", out)
	}
	v := version.Suite
	if !strings.Contains(text, "CONFORM_VERSION  = '"+v+"'") {
		t.Errorf("the Jenkinsfile does not install this release, %s", v)
	}
	archive := "conform_" + v + "_linux_" + arch + ".tar.gz"
	for _, tamper := range []bool{false, true} {
		rel := newRelease(t, v, archive)
		if tamper {
			if err := os.WriteFile(filepath.Join(rel.dir, archive), []byte("not the archive"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		res := runShellJob(t, gitlabJob{Variables: map[string]string{"CONFORM_VERSION": v}}, []string{install[1]}, nil, rel.shims(v), nil)
		if tamper {
			if res.code == 0 {
				t.Errorf("a changed archive was installed:\n%s%s", res.stdout, res.stderr)
			}
			continue
		}
		if res.code != 0 || !strings.Contains(res.stdout, "(from the archive)") {
			t.Errorf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
	}
}
