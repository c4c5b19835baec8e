package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cornect/conform/internal/report"
)

// countingServer answers every request with 404 and counts them.
func countingServer(t *testing.T) (baseURL string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v1", hits
}

func TestReportPathsAreCheckedBeforeTheFirstRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	if err := syscall.Mkfifo(in("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.DevNull, in("null-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(in("reports"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"the same file for two reports", []string{"--junit-report", in("r.xml"), "--json-report", in("r.xml")}, []string{"are the same file", in("r.xml")}},
		{"the same file once cleaned", []string{"--junit-report", in("r.xml"), "--summary-md", dir + "/reports/../r.xml"}, []string{"are the same file"}},
		{"a report in --report-dir named again", []string{"--report-dir", in("reports"), "--html-report", in("reports/report.html")}, []string{"are the same file", report.HTMLFile}},
		{"config.json of --report-dir named again", []string{"--report-dir", in("reports"), "--json-report", in("reports/config.json")}, []string{"are the same file", "config.json"}},
		{"a FIFO", []string{"--json-report", in("fifo")}, []string{in("fifo"), "a FIFO, not a regular file"}},
		{"a symlink to a device", []string{"--junit-report", in("null-link")}, []string{in("null-link"), "a character device, not a regular file"}},
		{"a directory", []string{"--html-report", in("reports")}, []string{in("reports"), "a directory, not a regular file"}},
		{"a directory that does not exist", []string{"--summary-md", in("missing/summary.md")}, []string{in("missing"), "does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, hits := countingServer(t)
			res := runConform(t, map[string]string{"CONFORM_BASE_URL": base}, append([]string{"run"}, tt.args...)...)
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s%s", res.code, exitUsage, res.stdout, res.stderr)
			}
			oneLine(t, res.stderr, append([]string{"conform run: "}, tt.want...)...)
			if n := hits.Load(); n != 0 {
				t.Errorf("%d requests were sent before the report paths were refused", n)
			}
			if res.elapsed > 5*time.Second {
				t.Errorf("took %s", res.elapsed)
			}
		})
	}
	if fi, err := os.Lstat(in("fifo")); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

func TestAReportIsWrittenThroughASymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "kept", "report.json")
	if err := os.Mkdir(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	res := runConform(t, nil, "run", "--label-filter", "auth", "--json-report", link, "--report-dir", filepath.Join(dir, "new", "dir"))
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if b, err := os.ReadFile(real); err != nil || !json.Valid(b) {
		t.Errorf("the link's target holds no JSON report: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new", "dir", report.JUnitFile)); err != nil {
		t.Errorf("a missing --report-dir was not created: %v", err)
	}
}

// The check makes a missing --report-dir to probe it, and takes it away
// again: the reports make it, so a run that ends before them leaves nothing.
func TestAMissingReportDirIsNotLeftBehindByARunThatWritesNoReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	base, _ := countingServer(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"a dry run", []string{"--dry-run"}, exitOK},
		{"a refused report path", []string{"--json-report", filepath.Join(dir, "fifo")}, exitUsage},
		{"a report-dir file named again", []string{"--junit-report", filepath.Join(dir, "new", "sub", report.JUnitFile)}, exitUsage},
		{"an unreachable target", []string{"--base-url", "http://127.0.0.1:1/api/v1"}, exitUnreachable},
	}
	for _, tt := range tests {
		res := runConform(t, map[string]string{"CONFORM_BASE_URL": base}, append([]string{"run", "--report-dir", filepath.Join(dir, "new", "sub")}, tt.args...)...)
		if res.code != tt.code {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, res.code, tt.code, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
			t.Errorf("%s: left the report directory behind", tt.name)
		}
	}
}
