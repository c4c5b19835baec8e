package match

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling thread (lock it first): unlike
// the wall clock, it does not grow while other work holds the CPU.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
