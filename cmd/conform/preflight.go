package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// preflight sends one unauthenticated request to each of the profile's
// first endpoints before any spec runs. A target that cannot be reached, or
// where every probe hits an unknown route (a base URL without /api/v1, or
// another service), is unusable: one clear line and exit 3 instead of dozens
// of failures.
func preflight(ctx context.Context, c *probe.Client, p *fixtures.Profile) (int, string) {
	n := min(2, len(p.Endpoints))
	var exs []probe.Exchange
	for _, e := range p.Endpoints[:n] {
		ex := c.Do(ctx, probe.Request{Method: e.Method, Path: e.Path, Template: e.Path})
		if ex.Status == 0 {
			return exitUnreachable, fmt.Sprintf("cannot reach the target %s: %s", c.BaseURL(), ex.Err)
		}
		exs = append(exs, ex)
	}
	for _, ex := range exs {
		if ex.Status != 404 {
			return exitOK, ""
		}
	}
	var probes []string
	for _, ex := range exs {
		probes = append(probes, ex.Method+" "+ex.URL)
	}
	return exitUnreachable, fmt.Sprintf("every preflight probe hit an unknown route (404 for %s): is %s the API's base URL? It should end with the API's base path (%s)",
		strings.Join(probes, ", "), c.BaseURL(), p.BasePath)
}
