// Command conform checks an implementation of the Cornect API against the
// documented error contract.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cornect/conform/internal/report"
)

func main() {
	// First: a signal from here on is conform's to handle.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go onSignals(sigs, cancel, report.AbandonWrites, os.Stderr, os.Exit)
	os.Exit(realMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// onSignals stops the run at the first signal (the run then ends as
// incomplete, exit 5, with its reports), and ends the process at once at
// the second, exit 5 too: the reports already written are kept, and the
// one being written, if any, is removed rather than left half-written.
func onSignals(sigs <-chan os.Signal, cancel, abandonWrites func(), stderr io.Writer, exit func(int)) {
	<-sigs
	cancel()
	<-sigs
	abandonWrites()
	fmt.Fprintln(stderr, "conform: interrupted again: stopping at once; reports already written are kept, none is left half-written")
	exit(exitIncomplete)
}
