package main

import (
	"context"
	"os"
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
