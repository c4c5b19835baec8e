package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// preflight sends one unauthenticated request to every endpoint of the
// profile, all at once (within the client's bound on requests in flight),
// before any spec runs. The target is unusable only when no endpoint
// answers HTTP at all (unreachable, TLS), or when every answer is a 404 (a
// base URL without /api/v1, or another service): one clear line and exit 3
// instead of dozens of failures. An endpoint that resets or hangs while
// another answers is the target's fault, left for its checks to report. A
// run stopped meanwhile (Ctrl-C) is incomplete, not unusable.
// preflightRequests are the preflight's: one without credentials to each
// endpoint of the profile, in the class of failed authentication.
func preflightRequests(p *fixtures.Profile) []probe.Request {
	var reqs []probe.Request
	for _, e := range p.Endpoints {
		reqs = append(reqs, probe.Request{Method: e.Method, Path: e.Path, Template: e.Path})
	}
	return reqs
}

func preflight(ctx context.Context, c *probe.Client, p *fixtures.Profile) (int, string) {
	reqs := preflightRequests(p)
	exs := make([]probe.Exchange, len(reqs))
	var wg sync.WaitGroup
	for i, q := range reqs {
		wg.Go(func() { exs[i] = c.Do(ctx, q) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return exitIncomplete, "the run stopped during the preflight, before any check ran (interrupted); there is no verdict"
	}
	var answered []probe.Exchange
	for _, ex := range exs {
		if ex.Status != 0 {
			answered = append(answered, ex)
		}
	}
	if len(answered) == 0 {
		return exitUnreachable, fmt.Sprintf("cannot reach the target %s: %s", c.BaseURL(), exs[0].Err)
	}
	var probes []string
	for _, ex := range answered {
		if ex.Status != 404 {
			return exitOK, ""
		}
		probes = append(probes, ex.Method+" "+ex.URL)
	}
	return exitUnreachable, fmt.Sprintf("every preflight probe hit an unknown route (404 for %s): is %s the API's base URL? It should end with the API's base path (%s)",
		strings.Join(probes, ", "), c.BaseURL(), p.BasePath)
}
