package main

// Exit codes of conform. They are part of its interface: CI jobs branch on them.
const (
	exitOK          = 0 // the target conforms (or the command succeeded)
	exitViolations  = 1 // the target violates the contract
	exitUsage       = 2 // bad flags, profile or configuration
	exitUnreachable = 3 // the target cannot be used (connection refused, TLS, wrong service)
	exitInternal    = 4 // a defect of conform itself
	exitIncomplete  = 5 // the run stopped early (Ctrl-C, --suite-timeout): no verdict
	// exitRequiredSkipped: in CI (CI=true) or with --require-all, MUST
	// checks were skipped because a token was not set, so a green run
	// would hide what it never checked.
	exitRequiredSkipped = 6
)

// exitCode is one exit code as people and the reusable workflow name it.
type exitCode struct {
	code    int
	verdict string // the workflow's verdict output: one word
	meaning string // the workflow's job summary: "conform exited 1: contract violations."
	detail  string // what `conform run -h` adds
}

// exitCodes lists every exit code of conform run, in order.
func exitCodes() []exitCode {
	return []exitCode{
		{exitOK, "conformant", "conformant", "every selected MUST check passed (and every SHOULD check under --strict)"},
		{exitViolations, "not-conformant", "contract violations", "a check failed (with --baseline, in a way the baseline does not list); the reports name each violation"},
		{exitUsage, "usage-error", "usage or configuration error", "bad flags, profile, token value or an empty selection; nothing was judged"},
		{exitUnreachable, "target-unusable", "target unusable", "unreachable, TLS, or every probe on an unknown route"},
		{exitInternal, "internal-error", "internal error of conform", "a defect of conform itself; please report it"},
		{exitIncomplete, "incomplete", "incomplete, stopped early", "Ctrl-C or --suite-timeout stopped the run, so there is no verdict; checks not run are reported as not run, never as failures"},
		{exitRequiredSkipped, "required-checks-skipped", "required checks skipped", "in CI (CI=true) or with --require-all, MUST checks were skipped for a token not set; set the variables stderr names, or pass --allow-skips"},
	}
}
