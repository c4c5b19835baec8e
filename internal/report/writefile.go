package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/cornect/conform/internal/userfile"
)

// WriteFile writes path atomically: write fills a temporary file in the same
// directory, which then replaces path. A reader never sees half a report, and
// a failed write leaves neither a partial file nor the temporary one.
//
// A symlink at path is written through: the file it points to is replaced
// (keeping its permissions) and the link stays. A path that exists but is not
// a regular file, such as a directory, a FIFO or a device like /dev/stdout,
// is refused: the rename would replace the node itself.
func WriteFile(path string, write func(io.Writer) error) error {
	return pending.writeFile(path, write)
}

// writeFile is WriteFile, its temporary file known to t.
func (t *tempFiles) writeFile(path string, write func(io.Writer) error) (err error) {
	target, perm, err := fileTarget(path)
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if !t.add(f.Name()) {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("writing %q: %w", path, errAbandoned)
	}
	defer t.done(f.Name())
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %q: %w", path, err)
		}
	}()
	buf := bufio.NewWriter(f)
	if err := write(buf); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return t.rename(f.Name(), target)
}

// errAbandoned is the error of a write AbandonWrites stopped.
var errAbandoned = errors.New("abandoned: conform is stopping at once")

// pending are the temporary files of the reports being written, so that
// a process ending at once (a second Ctrl-C) leaves none of them behind.
// Process-wide, as the process is what ends.
var pending = &tempFiles{names: map[string]bool{}}

type tempFiles struct {
	mu        sync.Mutex
	names     map[string]bool
	abandoned bool
}

func (t *tempFiles) add(name string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.abandoned {
		return false
	}
	t.names[name] = true
	return true
}

func (t *tempFiles) done(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
}

// rename puts a finished report in place, unless the writes were abandoned.
func (t *tempFiles) rename(name, target string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.abandoned {
		return errAbandoned
	}
	return os.Rename(name, target)
}

// AbandonWrites removes the temporary file of every report being written
// and lets no report be put in place after it: the process is about to
// end at once. A report already in place stays whole; none is left
// half-written.
func AbandonWrites() { pending.abandon() }

func (t *tempFiles) abandon() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.abandoned = true
	for name := range t.names {
		os.Remove(name)
	}
}

// maxLinks bounds a chain of symlinks followed by hand, as the kernel does.
const maxLinks = 40

// fileTarget returns the file that writing path replaces, and the
// permissions the new file gets: path itself, or the end of the chain of
// symlinks at path, which need not exist yet. It refuses a path that exists
// and is not a regular file.
func fileTarget(path string) (string, fs.FileMode, error) {
	const perm = 0o644 // a new report is readable by all, like any build output
	if viaDescriptor(path) {
		return "", 0, errors.New("names a file descriptor of this process (/dev/stdout, /dev/fd/N: a file the shell opened for it); " +
			"a report is renamed over its file, which would not reach what the shell opened: give the file's own path, or - for standard output")
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return "", 0, notRegular(fi)
	case err == nil:
		// The kernel followed the links; EvalSymlinks names the same file.
		target, err := filepath.EvalSymlinks(path)
		return target, fi.Mode().Perm(), err
	case !errors.Is(err, fs.ErrNotExist):
		return "", 0, err
	}
	// Nothing there, or a symlink to nothing: follow the links by hand to
	// the name to create.
	for range maxLinks {
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return path, perm, nil
		case err != nil:
			return "", 0, err
		case fi.Mode()&fs.ModeSymlink == 0 && !fi.Mode().IsRegular():
			return "", 0, notRegular(fi)
		case fi.Mode()&fs.ModeSymlink == 0:
			return path, fi.Mode().Perm(), nil // created meanwhile
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", 0, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", 0, errors.New("too many levels of symbolic links")
}

// descriptorPath matches the names of a process's open file descriptors:
// /dev/fd/N, /proc/self/fd/N (and /proc/PID/fd/N), /dev/stdin, /dev/stdout
// and /dev/stderr.
var descriptorPath = regexp.MustCompile(`^/(dev/fd/[0-9]+|dev/std(in|out|err)|proc/(self|thread-self|[0-9]+)(/task/[0-9]+)?/fd/[0-9]+)$`)

// viaDescriptor says whether path, or a symlink on the way from it to its
// file, names an open file descriptor: what the shell opened with a
// redirection (3>file, >(command)) and handed over by name.
func viaDescriptor(path string) bool {
	p := path
	for range maxLinks {
		abs, err := filepath.Abs(p)
		if err != nil {
			return false
		}
		if descriptorPath.MatchString(abs) {
			return true
		}
		if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			abs = filepath.Join(dir, filepath.Base(abs))
			if descriptorPath.MatchString(abs) {
				return true
			}
		}
		fi, err := os.Lstat(abs)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return false
		}
		link, err := os.Readlink(abs)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(abs), link)
		}
		p = link
	}
	return false
}

// notRegular says what a path that is not a regular file is instead.
func notRegular(fi fs.FileInfo) error {
	return fmt.Errorf("is %s, not a regular file; give the path of a file to write", userfile.Kind(fi.Mode()))
}

// Stdout, given as a report's path, writes that report to standard output
// in place of a file; CheckPaths leaves it alone.
const Stdout = "-"

// The file names of the reports in a report directory (--report-dir).
const (
	JUnitFile    = "junit.xml"
	JSONFile     = "report.json"
	HTMLFile     = "report.html"
	MarkdownFile = "summary.md"
)
