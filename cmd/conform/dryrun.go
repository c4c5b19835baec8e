package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/suite"
)

// dryRun prints the plan of a run: with --openapi, the sweep over the
// document's operations; then every spec, and whether it would run, skip
// (and why) or is not selected, and the requests it would send. It is the
// plan a real run follows, and sends nothing to the target: the one
// request it may send fetches the OpenAPI document from its URL.
func (p *pipeline) dryRun(ctx context.Context) error {
	p.tokens = p.cfg.Tokens
	target, baseURL := p.cfg.BaseURL, p.cfg.BaseURL
	if target == "" {
		target, baseURL = "the embedded reference server (it mints every token)", p.prof.BasePath
		p.tokens = map[probe.Role]string{}
		for _, role := range probe.Roles() {
			p.tokens[role] = "minted"
		}
	}
	p.byRole, _ = probe.Credentials(p.tokens)
	plan, err := p.plan(ctx, baseURL)
	if err != nil {
		return err
	}
	sent := "nothing is sent"
	if openapi.IsURL(p.cfg.OpenAPI) {
		sent = "nothing is sent to the target; the OpenAPI document was fetched"
	}
	fmt.Fprintf(p.stdout, "dry run: %s\ntarget:  %s\nprofile: %s\n\n", sent, target, p.prof.Source())
	if p.sweep != nil {
		p.sweep.Print(p.stdout, p.cfg.Verbose)
		fmt.Fprintln(p.stdout)
	}
	if printPlan(p.stdout, plan) == 0 {
		return stopf(exitUsage, "%v", suite.ErrNothingSelected)
	}
	budget, err := plan.Budget()
	if err != nil {
		return stopf(exitUsage, "%v", err)
	}
	budget = withPreflight(budget, preflightRequests(p.prof))
	printBudget(p.stdout, budget, plan.Paces(), p.cfg.Verbose, p.cfg.SuiteTimeout)
	return nil
}

// printPlan lists every spec of the plan, whether it would run, skip (and
// why) or is not selected, and returns how many are selected.
func printPlan(w io.Writer, plan *suite.Plan) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	run, skip, out := 0, 0, 0
	for _, p := range plan.Specs() {
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
	fmt.Fprintf(w, "\n%d would run, %d would skip, %d not selected\n", run, skip, out)
	return run + skip
}

// withPreflight adds the preflight's requests, sent before any check, to
// the budget of the checks.
func withPreflight(budget []suite.ClassBudget, reqs []probe.Request) []suite.ClassBudget {
	for _, q := range reqs {
		class, limit := probe.Classify(q)
		i := slices.IndexFunc(budget, func(b suite.ClassBudget) bool { return b.Class == class })
		if i < 0 {
			budget = append([]suite.ClassBudget{{Class: class, LimitKey: limit}}, budget...)
			i = 0
		}
		budget[i].Requests++
	}
	return budget
}

// printBudget prints the requests a run sends by class of pacing, and the
// least time each takes within its limit: the run's time floor is the
// longest of them (the classes are paced apart, and overlap). Failed
// authentication and every class with a floor get a line; the others,
// one per token and operation, a line together unless verbose.
func printBudget(w io.Writer, budget []suite.ClassBudget, pace suite.Paces, verbose bool, timeout time.Duration) {
	fmt.Fprintf(w, "\nrequests by class, as against a conforming target:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var floor time.Duration
	floorOf := ""
	total, quiet, quietReqs := 0, 0, 0
	for _, b := range budget {
		limit, source := pace.Of(b.LimitKey)
		period := pace.Period(b.LimitKey)
		f := b.Floor(limit, period)
		if f > floor {
			floor, floorOf = f, b.Class
		}
		total += b.Requests + b.Provoked
		if f == 0 && b.Class != probe.FailedAuthClass && !verbose {
			quiet++
			quietReqs += b.Requests + b.Provoked
			continue
		}
		n := fmt.Sprintf("%d requests", b.Requests)
		if b.Provoked > 0 {
			n += fmt.Sprintf(" + %d past the limit on purpose", b.Provoked)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s (%s)\tfloor %s\n", b.Class, n, probe.Rate(limit, period), source, f.Round(time.Second))
	}
	if quiet > 0 {
		fmt.Fprintf(tw, "  %d classes of a token on an operation\t%d requests\teach within its limit (-v lists them)\tfloor 0s\n", quiet, quietReqs)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d requests; time floor %s", total, floor.Round(time.Second))
	if floorOf != "" {
		fmt.Fprintf(w, ", set by %s", floorOf)
	}
	fmt.Fprintln(w)
	if floor > timeout {
		fmt.Fprintf(w, "the floor is longer than --suite-timeout %s: the run would stop before its end; raise --suite-timeout, or the limit if the target allows more\n", timeout)
	}
}
