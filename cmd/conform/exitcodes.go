package main

// Exit codes of conform. They are part of its interface: CI jobs branch on them.
const (
	exitOK          = 0 // the target conforms (or the command succeeded)
	exitViolations  = 1 // the target violates the contract
	exitUsage       = 2 // bad flags, profile or configuration
	exitUnreachable = 3 // the target cannot be used (connection refused, TLS, wrong service)
	exitInternal    = 4 // a defect of conform itself
	exitIncomplete  = 5 // the run stopped early (Ctrl-C, --suite-timeout): no verdict
)
