package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
)

// defaultOperationLimit paces an operation whose per-token limit neither
// the OpenAPI document nor the profile gives: the lowest documented limit of
// a query endpoint, so conform errs on the slow side.
const defaultOperationLimit = 30

// discoverOperations reads the OpenAPI document at location and turns every
// operation that needs authentication into an endpoint for the sweeps. The
// profile fills in what the document lacks (a body, a limit) for operations
// it also knows. Public operations are not swept, and are named in notes.
func discoverOperations(ctx context.Context, location, baseURL string, tlsCfg *tls.Config, prof *fixtures.Profile) ([]fixtures.Endpoint, []string, error) {
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// The proxy of the probes (HTTPS_PROXY …): the document is often on the target.
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsCfg},
	}
	ops, err := openapi.Load(ctx, location, client, openapi.DefaultMaxBytes)
	if err != nil {
		return nil, nil, err
	}
	if u, err := url.Parse(baseURL); err == nil {
		ops = openapi.Rebase(ops, u.Path)
	}
	known := map[string]fixtures.Endpoint{}
	for _, e := range prof.Endpoints {
		known[e.Method+" "+e.Path] = e
	}
	var out []fixtures.Endpoint
	var public, noSecurity []string
	for _, op := range ops {
		key := op.Method + " " + op.Path
		if op.Public {
			full := op.Method + " " + strings.TrimSuffix(op.ServerPath, "/") + op.Path
			if op.NoSecurity {
				noSecurity = append(noSecurity, full)
			} else {
				public = append(public, full)
			}
			continue
		}
		e := fixtures.Endpoint{
			ID:             op.OperationID,
			Method:         op.Method,
			Path:           op.Path,
			Scope:          op.Scope,
			LimitPerMinute: op.LimitPerMinute,
			Body:           op.Body,
			Doc:            location,
		}
		if e.ID == "" {
			e.ID = key
		}
		if p, ok := known[key]; ok {
			if e.Scope == openapi.ScopeUnknown {
				e.Scope = p.Scope // a document with HTTPBearer and no scopes: the profile knows them
			}
			if e.LimitPerMinute == 0 {
				e.LimitPerMinute = p.LimitPerMinute
			}
			if e.Body == nil {
				e.Body = p.Body
			}
			e.Doc = p.Doc
			e.UnknownID = p.UnknownID
		}
		if e.LimitPerMinute == 0 {
			e.LimitPerMinute = defaultOperationLimit
		}
		if op.HasBody && e.Body == nil {
			e.Body = []byte("{}")
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("openapi document %q: no operation requires authentication, so there is nothing to sweep", location)
	}
	var notes []string
	if n := len(public) + len(noSecurity); n > 0 {
		var why []string
		if len(noSecurity) > 0 {
			why = append(why, strings.Join(noSecurity, ", ")+" (no security requirement: neither the operation nor the document has one)")
		}
		if len(public) > 0 {
			why = append(why, strings.Join(public, ", ")+" (declared public: security [] or {})")
		}
		notes = append(notes, fmt.Sprintf("%d operations are public per the OpenAPI document and were not swept: %s", n, strings.Join(why, "; ")))
	}
	return out, notes, nil
}

// operationLimits adds the operations' limits to the profile's, for pacing.
func operationLimits(prof *fixtures.Profile, ops []fixtures.Endpoint) map[string]int {
	limits := prof.Limits()
	for _, e := range ops {
		if _, ok := limits[e.Method+" "+e.Path]; !ok {
			limits[e.Method+" "+e.Path] = e.LimitPerMinute
		}
	}
	return limits
}
