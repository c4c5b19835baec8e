package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckPaths checks, before a run sends its first request, that a report
// can be written at each path ("" is no report, Stdout no file): an existing file there is
// a regular one (or a symlink to one), its directory exists and takes new
// files, and no two paths name the same file, even through "..", symlinks
// or hard links. Otherwise a run could take minutes and then lose one
// report to another, or find out only at the end that it cannot write.
func CheckPaths(paths ...string) error {
	type checked struct {
		path, key string
		fi        fs.FileInfo // nil for a file still to be created
	}
	var done []checked
	var errs []error
	sameAs := func(key string, fi fs.FileInfo) string {
		for _, c := range done {
			if c.key == key || fi != nil && c.fi != nil && os.SameFile(fi, c.fi) {
				return c.path
			}
		}
		return ""
	}
	for _, p := range paths {
		if p == "" || p == Stdout {
			continue
		}
		target, _, err := fileTarget(p)
		if err == nil {
			err = takesNewFiles(filepath.Dir(target))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("report %q: %w", p, err))
			continue
		}
		key := canonical(target)
		fi, _ := os.Stat(target)
		if first := sameAs(key, fi); first != "" {
			errs = append(errs, fmt.Errorf("reports %q and %q are the same file; give each report its own path", first, p))
			continue
		}
		done = append(done, checked{p, key, fi})
	}
	return errors.Join(errs...)
}

// takesNewFiles checks that dir exists and a file can be created in it, by
// creating one: permission bits, read-only mounts and ACLs all have a say,
// and only the attempt asks them all.
func takesNewFiles(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %q does not exist", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%q is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".conform-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the probe's own name would only confuse
		}
		return fmt.Errorf("cannot create a file in %q: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// canonical is the absolute path of target with every symlink in its
// directory resolved, so two spellings of one file compare equal.
func canonical(target string) string {
	dir, base := filepath.Split(target)
	if real, err := filepath.EvalSymlinks(filepath.Clean(dir)); err == nil {
		dir = real
	}
	abs, err := filepath.Abs(filepath.Join(dir, base))
	if err != nil {
		return filepath.Clean(target)
	}
	return abs
}
