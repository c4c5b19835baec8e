package match

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread (lock it first): unlike
// the wall clock, it does not grow while other work holds the CPU. It is
// CLOCK_THREAD_CPUTIME_ID, the scheduler's count to the nanosecond:
// getrusage's per-thread times are adjusted from sampled ticks and, held
// monotonic, lagged by milliseconds, as much as a short scan takes.
func threadCPU() time.Duration {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
