package report

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeSample(path string) error {
	return WriteFile(path, func(w io.Writer) error { return JSON(w, sampleResult()) })
}

func TestWriteFileWritesThroughASymlink(t *testing.T) {
	tests := []struct {
		name   string
		target func(dir string) string // where the link points, relative or not
		exists bool
	}{
		{"to a file beside it", func(string) string { return "real.json" }, true},
		{"to a file in another directory, by absolute path", func(dir string) string { return filepath.Join(dir, "sub", "real.json") }, true},
		{"to a file in another directory, by relative path", func(string) string { return filepath.Join("sub", "real.json") }, true},
		{"to a file that does not exist yet", func(string) string { return filepath.Join("sub", "real.json") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			target := tt.target(dir)
			real := target
			if !filepath.IsAbs(real) {
				real = filepath.Join(dir, real)
			}
			if tt.exists {
				if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			link := filepath.Join(dir, "link.json")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			if err := writeSample(link); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Fatalf("the symlink was replaced (%v, %v)", fi.Mode(), err)
			}
			if got, _ := os.Readlink(link); got != target {
				t.Errorf("the symlink now points to %q, want %q", got, target)
			}
			if b, _ := os.ReadFile(real); !json.Valid(b) {
				t.Errorf("the link's target holds %q, want the report", b)
			}
			for _, d := range []string{dir, filepath.Dir(real)} {
				for _, name := range dirNames(t, d) {
					if strings.Contains(name, ".tmp-") {
						t.Errorf("a temporary file was left behind: %s", filepath.Join(d, name))
					}
				}
			}
		})
	}
}

func TestWriteFileRefusesWhatIsNotARegularFile(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		kind string
	}{
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skipf("no FIFO here: %v", err)
			}
		}, "FIFO"},
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "directory"},
		// A link to a device stands for --json-report /dev/stdout, which as
		// root used to replace the device node itself.
		{"a symlink to a device", func(t *testing.T, path string) {
			if err := os.Symlink(os.DevNull, path); err != nil {
				t.Fatal(err)
			}
		}, "device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			tt.make(t, path)
			before, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			err = writeSample(path)
			if err == nil {
				t.Fatal("WriteFile succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) || !strings.Contains(msg, "not a regular file") || !strings.Contains(msg, tt.kind) {
				t.Errorf("want one line naming %s, saying it is a %s and not a regular file; got %q", path, tt.kind, msg)
			}
			after, err := os.Lstat(path)
			if err != nil || after.Mode() != before.Mode() {
				t.Errorf("the path changed from %v to %v (%v)", before.Mode(), after.Mode(), err)
			}
			for _, name := range dirNames(t, filepath.Dir(path)) {
				if strings.Contains(name, ".tmp-") {
					t.Errorf("a temporary file was left behind: %s", name)
				}
			}
		})
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&fs.ModeDevice == 0 {
		t.Errorf("%s is no longer a device: %v %v", os.DevNull, fi.Mode(), err)
	}
}

// A process ending at once (a second Ctrl-C) keeps the reports already in
// place and leaves no half-written one: the report being written loses
// its temporary file and is never put in place.
func TestAbandonedWritesLeaveNoHalfWrittenReport(t *testing.T) {
	dir := t.TempDir()
	files := &tempFiles{names: map[string]bool{}}
	done := filepath.Join(dir, "junit.xml")
	if err := files.writeFile(done, func(w io.Writer) error { _, err := io.WriteString(w, "<whole/>"); return err }); err != nil {
		t.Fatal(err)
	}
	writing := make(chan struct{})
	abandoned := make(chan struct{})
	errc := make(chan error, 1)
	half := filepath.Join(dir, "report.json")
	go func() {
		errc <- files.writeFile(half, func(w io.Writer) error {
			io.WriteString(w, `{"half":`)
			close(writing)
			<-abandoned
			_, err := io.WriteString(w, `"written"}`)
			return err
		})
	}()
	<-writing
	files.abandon()
	close(abandoned)
	if err := <-errc; err == nil {
		t.Error("a write abandoned midway reported success")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "junit.xml" {
		t.Errorf("the directory holds %q, want only the report written before: no half-written one, no temporary file", names)
	}
	if b, _ := os.ReadFile(done); string(b) != "<whole/>" {
		t.Errorf("the report written before holds %q", b)
	}
	if err := files.writeFile(filepath.Join(dir, "late.html"), func(io.Writer) error { return nil }); err == nil {
		t.Error("a report was written after the writes were abandoned")
	}
}
