package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// reportFile is one report file the configuration asks for.
type reportFile struct {
	path  string
	write func(io.Writer, report.Result) error
}

// reportFiles lists the report files of a configuration, --report-dir's included.
func reportFiles(cfg runConfig) []reportFile {
	var files []reportFile
	add := func(path string, w func(io.Writer, report.Result) error) {
		if path != "" {
			files = append(files, reportFile{path, w})
		}
	}
	add(cfg.JUnitReport, report.JUnit)
	add(cfg.JSONReport, report.JSON)
	add(cfg.HTMLReport, report.HTML)
	add(cfg.SummaryMD, report.Markdown)
	if cfg.ReportDir != "" {
		add(filepath.Join(cfg.ReportDir, report.JUnitFile), report.JUnit)
		add(filepath.Join(cfg.ReportDir, report.JSONFile), report.JSON)
		add(filepath.Join(cfg.ReportDir, report.HTMLFile), report.HTML)
		add(filepath.Join(cfg.ReportDir, report.MarkdownFile), report.Markdown)
		add(filepath.Join(cfg.ReportDir, "config.json"), writeConfig)
	}
	return files
}

// checkReports checks every report path before the run sends a request: a
// report that cannot be written, or that another report would overwrite,
// is a usage error found at once, not after the run. So is a path that is
// the process's own standard output or error (/dev/stdout, or the file the
// shell redirected them to): a report replaces its file by renaming a new
// one over it, which would throw away the console; "-" writes a report to
// standard output in place. A missing --report-dir is created for the
// check, which then removes it again: the reports create it, so a run that
// stops before them leaves nothing behind.
func checkReports(cfg runConfig, stdout, stderr io.Writer) error {
	if cfg.ReportDir != "" {
		undo, err := makeDirs(cfg.ReportDir)
		if err != nil {
			return fmt.Errorf("creating --report-dir: %w", err)
		}
		defer undo()
	}
	var paths []string
	for _, f := range reportFiles(cfg) {
		if err := notAStream(f.path, stdout, stderr); err != nil {
			return err
		}
		paths = append(paths, f.path)
	}
	if err := report.CheckPaths(paths...); err != nil {
		return err
	}
	if cfg.Baseline.Write != "" {
		// Checked with the reports, in the --report-dir made for the check.
		if err := report.CheckPaths(append([]string{cfg.Baseline.Write}, paths...)...); err != nil {
			return fmt.Errorf("--write-baseline: %w", err)
		}
	}
	return nil
}

// notAStream refuses a report path that is the same file as the process's
// standard output or error.
func notAStream(path string, stdout, stderr io.Writer) error {
	if path == report.Stdout {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil // nothing there yet (or unreadable: CheckPaths says so)
	}
	for _, s := range []struct {
		name string
		w    io.Writer
	}{{"standard output", stdout}, {"standard error", stderr}} {
		f, ok := s.w.(*os.File)
		if !ok {
			continue
		}
		if sfi, err := f.Stat(); err == nil && os.SameFile(fi, sfi) {
			return fmt.Errorf("report %q is this process's %s: written there by renaming a file over it, it would replace what the shell opened, console and all; "+
				"give one report as - to write it to standard output (the console then goes to standard error), or another path", path, s.name)
		}
	}
	return nil
}

// makeDirs is os.MkdirAll, and undo removes the directories it created
// (those still empty), deepest first.
func makeDirs(dir string) (undo func(), err error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return func() {
		for _, d := range created {
			_ = os.Remove(d) // fails, as it should, on a directory no longer empty
		}
	}, nil
}

// writeReports writes every report the configuration asks for, each on
// its own: each to its file, the one given as "-" to stdout; one that
// cannot be written is named on errOut and the others are still written.
// It returns how many failed. Each writer's output passes through the
// redactor once more, as a last line of defence. checkReports has checked
// the paths.
func writeReports(cfg runConfig, r report.Result, red *probe.Redactor, console, stdout, errOut io.Writer) (failed int) {
	if cfg.ReportDir != "" {
		if err := os.MkdirAll(cfg.ReportDir, 0o755); err != nil {
			fmt.Fprintf(errOut, "conform run: creating --report-dir: %v\n", err)
		}
	}
	for _, t := range reportFiles(cfg) {
		write := func(w io.Writer) error {
			rw := probe.NewRedactingWriter(w, red)
			if err := t.write(rw, r); err != nil {
				return err
			}
			return rw.Flush()
		}
		if t.path == report.Stdout {
			if err := write(stdout); err != nil {
				fmt.Fprintf(errOut, "conform run: report NOT written to standard output: %v\n", err)
				failed++
				continue
			}
			fmt.Fprintln(console, "report: standard output")
			continue
		}
		if err := report.WriteFile(t.path, write); err != nil {
			fmt.Fprintf(errOut, "conform run: report NOT written: %v\n", err)
			failed++
			continue
		}
		fmt.Fprintf(console, "report: %s\n", t.path)
	}
	if cfg.StepSummary != "" {
		if err := appendStepSummary(cfg.StepSummary, r, red); err != nil {
			fmt.Fprintf(errOut, "conform run: appending to GITHUB_STEP_SUMMARY NOT done: %v\n", err)
			failed++
		}
	}
	return failed
}

// appendStepSummary appends the Markdown summary to $GITHUB_STEP_SUMMARY.
func appendStepSummary(path string, r report.Result, red *probe.Redactor) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	rw := probe.NewRedactingWriter(f, red)
	err = report.Markdown(rw, r)
	if err == nil {
		err = rw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeConfig writes the run's configuration, token values masked, so a
// report directory says how it was produced.
func writeConfig(w io.Writer, r report.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Tool            string            `json:"tool"`
		Version         string            `json:"version"`
		ContractVersion string            `json:"contract_version"`
		Target          report.Target     `json:"target"`
		Config          map[string]string `json:"config"`
	}{r.Tool, r.Version, r.ContractVersion, r.Target, r.Config})
}
