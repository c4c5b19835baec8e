package userfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadReadsARegularFileWithinItsLimit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profile.json")
	want := bytes.Repeat([]byte("x"), 1024)
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, link} {
		got, err := Read(p, int64(len(want)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Read(%q) = %d bytes, %v; want the %d bytes of the file", p, len(got), err, len(want))
		}
	}
}

func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 1<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.json")
	if err := os.WriteFile(sparse, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 1<<40); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
		is         error
	}{
		{"a FIFO with no writer", fifo, []string{fifo, "is a FIFO, not a regular file"}, ErrNotRegular},
		{"an endless device", "/dev/zero", []string{"/dev/zero", "is a character device, not a regular file"}, ErrNotRegular},
		{"a directory", dir, []string{dir, "is a directory, not a regular file"}, ErrNotRegular},
		{"a file one byte over the limit", big, []string{big, "larger than 1 MiB"}, ErrTooLarge},
		{"a huge sparse file", sparse, []string{sparse, "larger than 1 MiB"}, ErrTooLarge},
		{"a file that does not exist", filepath.Join(dir, "none"), []string{filepath.Join(dir, "none")}, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Read(tt.path, 1<<20)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				if tt.path == fifo {
					// Unblock the open that hangs, so the test can end.
					if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
						w.Close()
					}
				}
				t.Fatalf("Read(%q) still runs after 5s", tt.path)
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("want one line, got %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("%v is not %v", err, tt.is)
			}
		})
	}
}
