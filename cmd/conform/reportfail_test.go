package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// A report that cannot be written after a judged run exits 8, not 2 (which
// says nothing was judged); the other reports are written and the one that
// failed is named.
func TestAReportThatCannotBeWrittenExits8AndTheOthersAreWritten(t *testing.T) {
	dir := t.TempDir()
	lost := filepath.Join(dir, "lost")
	if err := os.Mkdir(lost, 0o755); err != nil {
		t.Fatal(err)
	}
	ref := reference.New()
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Once the paths were checked, the report's directory becomes a
		// file: the write after the run fails, as on a full disk.
		once.Do(func() {
			os.RemoveAll(lost)
			os.WriteFile(lost, []byte("not a directory"), 0o644)
		})
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	jsonPath := filepath.Join(lost, "r.json")
	junitPath := filepath.Join(dir, "junit.xml")
	res := runConform(t, tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), "run", "--label-filter", "auth", "--json-report", jsonPath, "--junit-report", junitPath)
	if res.code != exitReportFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", res.code, exitReportFailed, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "report NOT written") || !strings.Contains(res.stderr, jsonPath) {
		t.Errorf("stderr does not name the report that failed:\n%s", res.stderr)
	}
	if b, err := os.ReadFile(junitPath); err != nil || !strings.Contains(string(b), "<testsuites") {
		t.Errorf("the other report was not written: %v", err)
	}
	if !strings.Contains(res.stdout, "\nCONFORMANT") {
		t.Errorf("the console does not print the verdict:\n%s", tail(res.stdout, 5))
	}
}

// --write-baseline creates a missing --report-dir like every other report.
func TestWriteBaselineCreatesAMissingReportDir(t *testing.T) {
	ref, base := serveReference(t, reference.WithFaults("expired-accepted"))
	for _, inside := range []bool{false, true} {
		dir := t.TempDir()
		reports := filepath.Join(dir, "new", "reports")
		bl := filepath.Join(dir, "baseline.json")
		if inside {
			bl = filepath.Join(reports, "baseline.json")
		}
		res := runConform(t, tokenEnv(ref.Tokens(), base), "run", "--label-filter", "auth", "--report-dir", reports, "--write-baseline", bl)
		if res.code != exitOK {
			t.Fatalf("baseline in the report dir: %v: exit %d, want 0\n%s\n%s", inside, res.code, res.stdout, res.stderr)
		}
		for _, p := range []string{bl, filepath.Join(reports, "report.json")} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("baseline in the report dir: %v: %v", inside, err)
			}
		}
		if !strings.Contains(res.stdout, "PASSED WITH KNOWN ISSUES") {
			t.Errorf("the verdict of a run whose failures were just recorded does not say so:\n%s", tail(res.stdout, 5))
		}
	}
}
