package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/suite"
)

// dryRun prints the plan of a run: which checks would run, which would skip
// and why, which the filters leave out. It sends nothing.
func dryRun(cfg runConfig, prof *fixtures.Profile, stdout, stderr io.Writer) int {
	set := func(role string) bool { return cfg.Tokens[role] != "" }
	target := cfg.BaseURL
	if target == "" {
		target = "the embedded reference server (it mints every token)"
		set = func(string) bool { return true }
	}
	plan, err := suite.Plan(prof, set, cfg.LabelFilter, cfg.Focus, cfg.Skip)
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "dry run: nothing is sent\ntarget:  %s\nprofile: %s\n\n", target, prof.Source())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	run, skip, out := 0, 0, 0
	for _, p := range plan {
		verdict := "would run"
		switch {
		case !p.Selected:
			verdict, out = "not selected", out+1
		case p.Skip != "":
			verdict, skip = "would skip: "+p.Skip, skip+1
		default:
			run++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Check.ID, p.Check.Level, verdict)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d would run, %d would skip, %d not selected\n", run, skip, out)
	if run+skip == 0 {
		fmt.Fprintln(stderr, "conform run: no check was selected (see --label-filter and --focus)")
		return exitUsage
	}
	return exitOK
}
