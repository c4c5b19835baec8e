package main

import "github.com/cornect/conform/internal/exitcode"

// Exit codes of conform, named here as the commands use them; the values
// and their meanings live in internal/exitcode.
const (
	exitOK                   = exitcode.OK
	exitViolations           = exitcode.Violations
	exitUsage                = exitcode.Usage
	exitUnreachable          = exitcode.Unreachable
	exitInternal             = exitcode.Internal
	exitIncomplete           = exitcode.Incomplete
	exitRequiredSkipped      = exitcode.RequiredSkipped
	exitRequiredInconclusive = exitcode.RequiredInconclusive
	exitReportFailed         = exitcode.ReportFailed
)

// exitCode is one exit code as people and the reusable workflow name it.
type exitCode = exitcode.Code

// exitCodes lists every exit code of conform run, in order.
func exitCodes() []exitCode { return exitcode.All() }
