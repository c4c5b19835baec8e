package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cornect/conform/internal/version"
)

// versionCmd is `conform version`: the version of this build, the suite
// version its checks carry, and the contract.
func versionCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "conform version: takes no arguments, got %q\n", args)
		return exitUsage
	}
	fmt.Fprintf(stdout, "conform %s\nsuite: %s\ncontract: %s\n", version.Build(), version.Suite, version.Contract)
	return exitOK
}
