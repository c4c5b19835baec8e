// Command peakrss runs a command and writes its peak resident memory, in
// bytes, to the file named by $PEAKRSS_OUT; it exits with the command's
// exit code (128 + the signal's number for a command a signal ended), and
// passes SIGINT and SIGTERM on to it.
//
// conform's tests measure the memory of a conform process through it. On
// Linux a child's peak counts its parent's at the fork, so a conform
// started by the test process itself would carry that process's peak: a
// few tens of MiB, and hundreds under the race detector. This launcher
// weighs a few MiB and is never built with the race detector.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 2 || os.Getenv("PEAKRSS_OUT") == "" {
		fmt.Fprintln(os.Stderr, "usage: PEAKRSS_OUT=FILE peakrss COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// KiB on Linux
		_ = os.WriteFile(os.Getenv("PEAKRSS_OUT"), []byte(strconv.FormatInt(int64(ru.Maxrss)*1024, 10)), 0o644)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
