package main

import (
	"context"
	"flag"
	"io"
)

// command is one subcommand: it parses its own flags from args and returns an exit code.
type command struct {
	name    string
	summary string
	// flags returns a fresh set of the command's flags, for its help; the
	// values it parses into are thrown away.
	flags func() *flag.FlagSet
	// moreHelp, when set, prints what the help shows after the flags.
	moreHelp func(w io.Writer)
	run      func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run the conformance suite against a base URL (or the embedded reference)", runHelpFlags, runMoreHelp, runCmd},
		{"serve", "run the reference CAPI server with test tokens", func() *flag.FlagSet { fs, _ := serveFlags(); return fs }, nil, serveCmd},
		{"list", "print the check catalogue (--json, --markdown)", func() *flag.FlagSet { fs, _ := listFlags(); return fs }, nil, listCmd},
		{"selftest", "prove the suite here: every deviation of the reference caught, every variation passed", func() *flag.FlagSet { fs, _ := selftestFlags(); return fs }, nil, selftestCmd},
		{"version", "print conform's version and the contract version it checks", versionFlags, nil, versionCmd},
		{"completion", "print a completion script for bash, zsh or fish", completionFlags, completionMoreHelp, completionCmd},
	}
}

// runHelpFlags are conform run's flags as the help shows them: their
// defaults without the environment, which the help describes apart.
func runHelpFlags() *flag.FlagSet {
	fs, _ := runFlags(func(string) string { return "" })
	return fs
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "help":
		return helpCmd(args[1:], stdout, stderr)
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		return unknownCommand(args[0], stderr)
	}
	if helpRequested(c.flags(), args[1:]) {
		commandHelp(stdout, c)
		return exitOK
	}
	return c.run(ctx, args[1:], stdout, stderr)
}
