//go:build !unix

package main

import "os/exec"

// killProcessGroup leaves cmd's cancellation as it is (the process alone is
// killed); cmd.WaitDelay bounds the wait for its pipes.
func killProcessGroup(*exec.Cmd) {}
