package report

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheckPaths(t *testing.T) {
	dir := t.TempDir()
	in := func(names ...string) string { return filepath.Join(append([]string{dir}, names...)...) }
	if err := os.Mkdir(in("sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in("old.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("old.json", in("link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub", in("sublink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(in("old.json"), in("hard.json")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(in("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		want  []string // substrings of the one error line; nil: accepted
	}{
		{"distinct new and existing files", []string{in("junit.xml"), in("old.json"), in("link.json.html"), in("sub", "summary.md")}, nil},
		{"no reports at all", []string{"", ""}, nil},
		{"a symlink to a file", []string{in("link.json")}, nil},
		{"the same path twice", []string{in("r.json"), in("r.json")}, []string{"are the same file", in("r.json")}},
		{"the same path once cleaned", []string{in("r.json"), dir + "/sub/../r.json"}, []string{"are the same file"}},
		{"a symlink and its target", []string{in("old.json"), in("link.json")}, []string{"are the same file", in("link.json")}},
		{"a path through a linked directory", []string{in("sub", "r.json"), in("sublink", "r.json")}, []string{"are the same file"}},
		{"a hard link and its twin", []string{in("old.json"), in("hard.json")}, []string{"are the same file"}},
		{"a report-dir file named again", []string{in("sub", JUnitFile), in("sub", JSONFile), in("sub", "config.json"), dir + "/sub/./" + JUnitFile}, []string{"are the same file", JUnitFile}},
		{"a FIFO", []string{in("fifo")}, []string{in("fifo"), "a FIFO, not a regular file"}},
		{"a device", []string{os.DevNull}, []string{os.DevNull, "a character device, not a regular file"}},
		{"a directory", []string{in("sub")}, []string{in("sub"), "a directory, not a regular file"}},
		{"a directory that does not exist", []string{in("missing", "r.json")}, []string{in("missing"), "does not exist"}},
		{"a file as the directory", []string{in("old.json", "r.json")}, []string{in("old.json", "r.json"), "not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPaths(tt.paths...)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("want one line, got:\n%s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error does not say %q: %s", w, msg)
				}
			}
		})
	}
	if names := dirNames(t, in("sub")); len(names) != 0 {
		t.Errorf("checking left files behind: %q", names)
	}
}

func TestCheckPathsRefusesADirectoryItCannotWriteTo(t *testing.T) {
	locked := filepath.Join(t.TempDir(), "locked")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	if f, err := os.CreateTemp(locked, "probe-"); err == nil {
		// Root writes anywhere its permission bits forbid; /proc takes no
		// new file even from root.
		f.Close()
		os.Remove(f.Name())
		if _, err := os.Stat("/proc/self"); err != nil {
			t.Skip("this user writes to a read-only directory, and there is no /proc")
		}
		locked = "/proc"
	}
	err := CheckPaths(filepath.Join(locked, "r.json"))
	if err == nil || !strings.Contains(err.Error(), "cannot create a file in") || !strings.Contains(err.Error(), locked) {
		t.Errorf("got %v, want it to say it cannot create a file in %s", err, locked)
	}
}
