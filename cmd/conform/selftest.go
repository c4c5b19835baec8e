package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cornect/conform/internal/selftest"
)

// selftestOptions are the flags of conform selftest.
type selftestOptions struct {
	json     bool
	parallel int
}

func selftestFlags() (*flag.FlagSet, *selftestOptions) {
	o := &selftestOptions{}
	fs := newFlagSet("selftest")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON, for machines")
	fs.IntVar(&o.parallel, "parallel", selftest.DefaultParallel(), "at most `N` suite runs at a time (default twice the cores: the runs mostly wait)")
	return fs, o
}

// selftestCmd is `conform selftest`: the deviation matrix on this machine.
// Every deliberate fault and every conforming variation of the embedded
// reference gets a reference of its own on loopback, served by this
// process, and a run of this very binary against it (Ginkgo runs a suite
// once per process). Exit 0 only when every deviation is caught by the
// check meant to catch it and every variation passes.
func selftestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := selftestFlags()
	if err := parseFlags(fs, args); err != nil {
		return commandExit(err, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conform selftest: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if o.parallel < 1 {
		fmt.Fprintf(stderr, "conform selftest: --parallel must be at least 1, got %d\n", o.parallel)
		return exitUsage
	}
	if problems := selftest.CheckTable(); len(problems) > 0 {
		fmt.Fprintf(stderr, "conform selftest: the table does not fit the reference (a defect of conform): %s\n", problems[0])
		return exitInternal
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "conform selftest: cannot find the conform binary to run: %v\n", err)
		return exitInternal
	}
	table := selftest.Table()
	opts := selftest.Options{Executable: exe, Parallel: o.parallel}
	var text *selftest.TextWriter
	if !o.json {
		text = selftest.NewTextWriter(stdout, table)
		text.Header(table, o.parallel)
		opts.OnEntry = func(er selftest.EntryResult) { text.Entry(er) }
	}
	res, err := selftest.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "conform selftest: %v\n", err)
		return exitInternal
	}
	if o.json {
		err = selftest.JSON(stdout, res)
	} else {
		err = text.Summary(res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "conform selftest: writing the result: %v\n", err)
		return exitInternal
	}
	switch {
	case res.Stopped != "":
		return exitIncomplete
	case !res.OK:
		return exitViolations
	}
	return exitOK
}
