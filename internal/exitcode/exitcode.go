// Package exitcode holds the exit codes of conform. They are part of its
// interface: CI jobs branch on them, the reusable workflow maps each to a
// one-word verdict, and the README's table lists them. The run's verdict
// (internal/report's Verdict) carries one of them as its exit code.
package exitcode

// The exit codes of conform.
const (
	OK          = 0 // the target conforms (or the command succeeded)
	Violations  = 1 // the target violates the contract
	Usage       = 2 // bad flags, profile or configuration; nothing was judged
	Unreachable = 3 // the target cannot be used: unreachable before the run, or it stopped answering during it
	Internal    = 4 // a defect of conform itself
	Incomplete  = 5 // the run stopped early (Ctrl-C, --suite-timeout): no verdict
	// RequiredSkipped: in CI (CI=true) or with --require-all, MUST checks
	// were skipped because a token was not set, so a green run would hide
	// what it never checked.
	RequiredSkipped = 6
	// RequiredInconclusive: in CI or with --require-all, MUST checks ended
	// inconclusive (the target could not be brought to answer them), so a
	// green run would certify what was never judged.
	RequiredInconclusive = 7
	// ReportFailed: the run was judged, but a report could not be written;
	// the others were.
	ReportFailed = 8
)

// Code is one exit code as people and the reusable workflow name it.
type Code struct {
	Code    int
	Verdict string // the workflow's verdict output: one word
	Meaning string // the workflow's job summary: "conform exited 1: contract violations."
	Detail  string // what `conform run -h` adds
}

// All lists every exit code of conform run, in order.
func All() []Code {
	return []Code{
		{OK, "conformant", "conformant", "every selected MUST check passed (and every SHOULD check under --strict)"},
		{Violations, "not-conformant", "contract violations", "a check failed (with --baseline, in a way the baseline does not list); the reports name each violation"},
		{Usage, "usage-error", "usage or configuration error", "bad flags, profile, token value or an empty selection; nothing was judged"},
		{Unreachable, "target-unusable", "target unusable", "unreachable, TLS, every probe on an unknown route, or the target stopped answering during the run (the checks it left unjudged are not failures)"},
		{Internal, "internal-error", "internal error of conform", "a defect of conform itself; please report it"},
		{Incomplete, "incomplete", "incomplete, stopped early", "Ctrl-C or --suite-timeout stopped the run, so there is no verdict; checks not run are reported as not run, never as failures"},
		{RequiredSkipped, "required-checks-skipped", "required checks skipped", "in CI (CI=true) or with --require-all, MUST checks were skipped for a token not set; set the variables stderr names, or pass --allow-skips"},
		{RequiredInconclusive, "required-checks-inconclusive", "required checks inconclusive", "in CI (CI=true) or with --require-all, MUST checks ended inconclusive (stderr names them and why); rerun, or pass --allow-inconclusive"},
		{ReportFailed, "report-not-written", "a report could not be written", "the run was judged, but a report (or the baseline) could not be written; stderr names it, the other reports were written"},
	}
}
