package main

import (
	"context"
	"os"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/suite"
)

// getenvKey carries the environment conform run reads, in its context.
type getenvKey struct{}

// withGetenv returns ctx under which conform run reads its environment
// (CONFORM_*, CI, NO_COLOR, GITHUB_STEP_SUMMARY) through getenv rather than
// the process's: how conform's tests run it in process, each run with an
// environment of its own.
func withGetenv(ctx context.Context, getenv func(string) string) context.Context {
	return context.WithValue(ctx, getenvKey{}, getenv)
}

// getenvFrom is the environment of ctx: withGetenv's, or the process's.
func getenvFrom(ctx context.Context) func(string) string {
	if getenv, ok := ctx.Value(getenvKey{}).(func(string) string); ok {
		return getenv
	}
	return os.Getenv
}

// clockKey carries the time conform run waits on, in its context.
type clockKey struct{}

// withClock returns ctx under which conform run reads the time and waits
// on clock: the suite's waits (Retry-After before RATE-LIMIT-RECOVERY),
// the client's (pacing, Retry-After, the backoff from overloaded answers)
// and the embedded reference's time. How conform's tests run it in process
// against a target that shares one clock with it, so that no wait costs
// real time; a run of the binary always waits on the real time.
func withClock(ctx context.Context, clock probe.Clock) context.Context {
	return context.WithValue(ctx, clockKey{}, clock)
}

// clockFrom is the time of ctx: withClock's, or the real time.
func clockFrom(ctx context.Context) probe.Clock {
	if clock, ok := ctx.Value(clockKey{}).(probe.Clock); ok {
		return clock
	}
	return suite.RealClock{}
}
