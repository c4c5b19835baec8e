package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/suite"
)

// dryRun prints the plan of a run: with --openapi, the sweep over the
// document's operations; then every spec, and whether it would run, skip
// (and why) or is not selected. It is the plan a real run follows, and
// sends nothing to the target: the one request it may send fetches the
// OpenAPI document from its URL.
func dryRun(ctx context.Context, cfg runConfig, prof *fixtures.Profile, tlsCfg *tls.Config, stdout, stderr io.Writer) int {
	tokens := cfg.Tokens
	target, baseURL := cfg.BaseURL, cfg.BaseURL
	if target == "" {
		target, baseURL = "the embedded reference server (it mints every token)", prof.BasePath
		tokens = map[probe.Role]string{}
		for _, role := range probe.Roles() {
			tokens[role] = "minted"
		}
	}
	byRole, _ := probe.Credentials(tokens)
	planned := suite.Config{Profile: prof, Tokens: byRole, Filters: cfg.filters()}
	plan, err := suite.Plan(planned)
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	var sw *sweep
	if cfg.OpenAPI != "" { // after the filters are known good: a bad one fetches nothing
		if sw, err = discoverOperations(ctx, cfg.OpenAPI, baseURL, tlsCfg, prof); err != nil {
			fmt.Fprintf(stderr, "conform run: --openapi: %v\n", err)
			return exitUsage
		}
		planned.Operations = sw.ops
		if plan, err = suite.Plan(planned); err != nil {
			fmt.Fprintf(stderr, "conform run: %v\n", err)
			return exitUsage
		}
	}
	sent := "nothing is sent"
	if openapi.IsURL(cfg.OpenAPI) {
		sent = "nothing is sent to the target; the OpenAPI document was fetched"
	}
	fmt.Fprintf(stdout, "dry run: %s\ntarget:  %s\nprofile: %s\n\n", sent, target, prof.Source())
	if sw != nil {
		sw.print(stdout)
		fmt.Fprintln(stdout)
	}
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
