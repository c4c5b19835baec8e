// Package userfile reads the files a user names on the command line (a
// profile, a CA certificate, an OpenAPI document) when they are regular
// files of a sane size, and refuses anything else with one line.
//
// os.ReadFile would wait forever for a writer on a FIFO, deaf to SIGINT
// (the open blocks in the kernel), and read /dev/zero until memory runs
// out; a typo or a hostile path must not do either.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

var (
	// ErrNotRegular is wrapped by the error for a path that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by the error for a file larger than its limit.
	ErrTooLarge = errors.New("file too large")
)

// Read returns the contents of the regular file at path (symlinks are
// followed), refusing a file larger than limit bytes. The errors name path.
func Read(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK keeps the open of a FIFO from waiting for a writer; on a
	// regular file it changes nothing.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err // *fs.PathError: names path
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%q is %s, %w", path, Kind(fi.Mode()), ErrNotRegular)
	}
	if fi.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	// The file may grow after the Stat: read one byte past the limit to see.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(path, limit)
	}
	return b, nil
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%q is larger than %s: %w", path, Size(limit), ErrTooLarge)
}

// Size shows a number of bytes in MiB when it is a whole number of them.
func Size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Kind says what a file that is not a regular one is: "a directory", "a FIFO"…
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "a special file"
}
