package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cornect/conform/internal/version"
)

func versionFlags() *flag.FlagSet { return newFlagSet("version") }

// versionCmd is `conform version` (and `conform --version`): the version of
// this build, the same string its reports and User-Agent carry, and the
// contract its checks come from.
func versionCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := versionFlags()
	if err := parseFlags(fs, args); err != nil {
		return commandExit(err, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conform version: takes no arguments, got %q\n", fs.Args())
		return exitUsage
	}
	fmt.Fprintf(stdout, "conform %s\ncontract: %s\n", version.Build(), version.Contract)
	return exitOK
}
