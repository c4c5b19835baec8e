package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/suite"
)

// dryRun prints the plan of a run: every spec, and whether it would run,
// skip (and why) or is not selected. It is the plan a real run follows,
// and sends nothing.
func dryRun(cfg runConfig, prof *fixtures.Profile, stdout, stderr io.Writer) int {
	tokens := cfg.Tokens
	target := cfg.BaseURL
	if target == "" {
		target = "the embedded reference server (it mints every token)"
		tokens = map[probe.Role]string{}
		for _, role := range probe.Roles() {
			tokens[role] = "minted"
		}
	}
	byRole, _ := probe.Credentials(tokens)
	plan, err := suite.Plan(suite.Config{Profile: prof, Tokens: byRole, Filters: cfg.filters()})
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "dry run: nothing is sent\ntarget:  %s\nprofile: %s\n\n", target, prof.Source())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	run, skip, out := 0, 0, 0
	for _, p := range plan {
		verdict, why := "would run", ""
		switch {
		case !p.Selected:
			verdict, out = "not selected", out+1
		case p.Skip != "":
			verdict, why, skip = "would skip", p.Skip, skip+1
		default:
			run++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", verdict, p.Level, p.Name(), why)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d would run, %d would skip, %d not selected\n", run, skip, out)
	if run+skip == 0 {
		fmt.Fprintf(stderr, "conform run: %v\n", suite.ErrNothingSelected)
		return exitUsage
	}
	return exitOK
}
