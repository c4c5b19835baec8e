package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
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
// endpoint of the profile, in the class of failed authentication. Each is
// a request a real client could send: its path parameters filled with
// made-up ids of the endpoint's kind (a router with typed parameters would
// answer a literal {id} unlike any real request).
func preflightRequests(p *fixtures.Profile) []probe.Request {
	var reqs []probe.Request
	for _, e := range p.Endpoints {
		path := probe.FillPath(e.Path, func(string) string { return url.PathEscape(e.NewUnknownID(randomUUID, randomInt)) })
		reqs = append(reqs, probe.Request{Method: e.Method, Path: path, Template: e.Path})
	}
	return reqs
}

// randomUUID is a version 4 UUID.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomInt is a large random integer id, for APIs with numeric ids.
func randomInt() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	n := uint64(0)
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return fmt.Sprint(900000000000000 + n%99999999999999)
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
