//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// killProcessGroup makes cmd the leader of a process group of its own and
// has its cancellation kill the whole group: a shell killed alone leaves
// the commands it started holding its pipes.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
