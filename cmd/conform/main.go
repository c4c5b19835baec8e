// Command conform checks an implementation of the Cornect API against the
// documented error contract.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// memoryLimit is the heap conform aims to stay under (runtime/debug's soft
// limit makes the collector work harder as the heap nears it): a run keeps
// little, and garbage from large responses is not left to pile up.
const memoryLimit = 40 << 20

func main() {
	debug.SetMemoryLimit(memoryLimit)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
