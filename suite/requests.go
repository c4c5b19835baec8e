package suite

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sync"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// Building requests and sending them, for the families of checks.

// hasToken reports whether a role's token was given.
func (r *run) hasToken(role probe.Role) bool {
	c, ok := r.cfg.Tokens[role]
	return ok && c.Present()
}

// hasAnyToken says whether one of the roles' tokens is set.
func (r *run) hasAnyToken(roles ...probe.Role) bool {
	return slices.ContainsFunc(roles, r.hasToken)
}

// token is a role's credential; the plan has made sure it is set.
func (r *run) token(role probe.Role) probe.Credential { return r.cfg.Tokens[role] }

// profile is the target's profile.
func (r *run) profile() *fixtures.Profile { return r.cfg.Profile }

// endpoint finds a profile endpoint the profile itself refers to (validated on load).
func (r *run) endpoint(id string) fixtures.Endpoint {
	e, ok := r.profile().Endpoint(id)
	if !ok {
		panic("suite: profile endpoint " + id + " vanished after validation")
	}
	return e
}

// operations are the operations the sweeps cover: those discovered from an
// OpenAPI document when one was given, else the profile's endpoints.
func (r *run) operations() []fixtures.Endpoint {
	if r.cfg.Operations != nil {
		return r.cfg.Operations
	}
	return r.profile().Endpoints
}

// operationsWithScope lists the operations that need one scope, but those
// found not to be at the base URL.
func (r *run) operationsWithScope(scope string) []fixtures.Endpoint {
	var es []fixtures.Endpoint
	for _, e := range r.operations() {
		if e.Scope == scope && !r.isMissing(e) {
			es = append(es, e)
		}
	}
	return es
}

// request builds a request to e: parameters become fresh ids that do not
// exist, and a POST endpoint carries its valid body (so only the failure
// under test differs). auth nil sends no Authorization header.
func (r *run) request(e fixtures.Endpoint, auth *string, cred probe.Credential) probe.Request {
	return probe.Request{
		Method: e.Method, Path: r.fill(e, func() string { return e.NewUnknownID(r.randomUUID, r.randomInt) }),
		Template: e.Path, Body: e.Body, Authorization: auth, Token: cred,
		Unauthenticated: !cred.Role.Authenticates(),
	}
}

// as builds a request to e with a role's token, the usual way.
func (r *run) as(e fixtures.Endpoint, role probe.Role) probe.Request {
	cred := r.token(role)
	return r.request(e, bearer(cred), cred)
}

// withID fills every parameter of r's path with id.
func (r *run) withID(q probe.Request, e fixtures.Endpoint, id string) probe.Request {
	q.Path = r.fill(e, func() string { return id })
	return q
}

// fill fills e's path parameters with value(), escaped.
func (r *run) fill(e fixtures.Endpoint, value func() string) string {
	return probe.FillPath(e.Path, func(string) string { return url.PathEscape(value()) })
}

// pickToken chooses, round-robin per endpoint, one of the roles that is
// set, so POSTs spread across tokens and stay within each token's limit.
func (r *run) pickToken(e fixtures.Endpoint, roles ...probe.Role) (probe.Role, bool) {
	var avail []probe.Role
	for _, role := range roles {
		if r.hasToken(role) {
			avail = append(avail, role)
		}
	}
	if len(avail) == 0 {
		return "", false
	}
	r.mu.Lock()
	i := r.rotate[e.ID]
	r.rotate[e.ID]++
	r.mu.Unlock()
	return avail[i%len(avail)], true
}

// bearer is the normal Authorization of a credential.
func bearer(c probe.Credential) *string {
	v, _ := probe.Bearer(c)
	return v
}

// writeRoles are the roles whose tokens have the read_write scope.
func writeRoles() []probe.Role { return []probe.Role{probe.RoleReadWrite, probe.RoleNoCredits} }

// readRoles are the roles whose tokens can call read endpoints.
func readRoles() []probe.Role {
	return []probe.Role{probe.RoleRead, probe.RoleReadWrite, probe.RoleNoCredits}
}

// rolesFor are the roles whose tokens may call e.
func rolesFor(e fixtures.Endpoint) []probe.Role {
	if e.Scope == "read_write" {
		return writeRoles()
	}
	return readRoles()
}

// doAll sends requests that do not depend on each other concurrently (within
// the probe's pacing) and returns the exchanges in request order.
func (r *run) doAll(ctx context.Context, reqs ...probe.Request) []probe.Exchange {
	out := make([]probe.Exchange, len(reqs))
	r.doEach(ctx, reqs, func(i int, ex probe.Exchange) { out[i] = ex })
	return out
}

// doEach sends requests that do not depend on each other concurrently and
// hands each exchange to each (from the request's goroutine) as it
// arrives; nothing else keeps it whole, so a sweep of thousands is never
// in memory at once. What the checks that look across the run need of
// each is kept, in request order (seenOf).
func (r *run) doEach(ctx context.Context, reqs []probe.Request, each func(i int, ex probe.Exchange)) {
	seen := make([]seenExchange, len(reqs))
	var served warmDue
	// As many goroutines as the client lets requests fly (--concurrency),
	// not one per request: a sweep of thousands of operations would
	// otherwise park thousands of them.
	sem := make(chan struct{}, r.cfg.Client.Concurrency())
	var wg sync.WaitGroup
	for i, q := range reqs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			ex := r.cfg.Client.Do(ctx, q) // answers at once: cancelled
			seen[i] = r.seenOf(ex)
			each(i, ex)
			continue
		}
		wg.Add(1)
		r.goroutine(func() {
			defer wg.Done()
			defer func() { <-sem }()
			ex := r.cfg.Client.Do(ctx, q)
			seen[i] = r.seenOf(ex)
			r.noteServed(&served, q, ex)
			each(i, ex)
		})
	}
	wg.Wait()
	o := originOf(ctx)
	call := o.calls.Add(1)
	for i := range seen {
		seen[i].at = place{family: o.family, spec: o.spec, call: call, index: i}
	}
	r.mu.Lock()
	r.seen = append(r.seen, seen...)
	r.mu.Unlock()
	// A GET operation served for the first time is probed warm before
	// the send returns, whatever check it was sent for (warm.go).
	r.sendWarm(ctx, &served)
}

// seenExchange is what the run keeps of every exchange for the checks that
// look across it: of a 401 or an answer with Retry-After the headers those
// checks read (and show as evidence), of any other its operation and
// status. A check that needs more of each (SECURITY-NO-LEAK) watches every
// exchange whole as it arrives (spec.watch) and keeps what it needs.
type seenExchange struct {
	ex probe.Exchange
	at place // where in the plan it was sent (seenUpTo)
}

func (r *run) seenOf(ex probe.Exchange) seenExchange {
	for _, s := range r.specs {
		if s.watch != nil && s.selected && s.missing == "" {
			s.watch(ex)
		}
	}
	var kept probe.Exchange
	switch {
	case ex.Status == 401 || len(ex.Header.Values("Retry-After")) > 0:
		// AUTH-CHALLENGE and HTTP-RETRY-AFTER-SYNTAX read these headers,
		// and show them as evidence.
		kept = ex.HeadersOnly("WWW-Authenticate", "Retry-After")
	default:
		// Of an exchange no check across the run reads, what counts it:
		// its operation, and whether it was answered.
		kept = probe.Exchange{Seq: ex.Seq, Method: ex.Method, Path: ex.Path, Status: ex.Status, Throttled: ex.Throttled, Overloaded: ex.Overloaded, Summarized: true}
	}
	return seenExchange{ex: kept}
}

// do sends one request.
func (r *run) do(ctx context.Context, q probe.Request) probe.Exchange {
	return r.doAll(ctx, q)[0]
}

// send sends requests as the spec's own evidence.
func (s *spec) send(ctx context.Context, reqs ...probe.Request) []probe.Exchange {
	exs := s.run.doAll(ctx, reqs...)
	s.record(exs...)
	return exs
}

// seenUpTo returns what the run kept (seenOf) of every exchange sent for
// the specs up to s in plan order, s included, in plan order: what a run
// that sent them one family after another would have seen by then. The
// families that overlap s in time (schedule.go) are no part of it, so
// which of them happened to answer first never changes its verdict.
func (r *run) seenUpTo(s *spec) []seenExchange {
	upTo := r.placeOf(s)
	r.mu.Lock()
	seen := slices.Clone(r.seen)
	r.mu.Unlock()
	seen = slices.DeleteFunc(seen, func(e seenExchange) bool { return upTo.before(e.at) })
	slices.SortStableFunc(seen, func(a, b seenExchange) int { return a.at.compare(b.at) })
	return seen
}

// randomHex returns n random bytes in hex, from the run's source.
func (r *run) randomHex(n int) string {
	return hex.EncodeToString(r.randomBytes(r.random, n))
}

// randomBytes reads n bytes of src, one reader at a time: families that
// overlap draw from the same sources.
func (r *run) randomBytes(src io.Reader, n int) []byte {
	b := make([]byte, n)
	r.randomMu.Lock()
	defer r.randomMu.Unlock()
	if _, err := io.ReadFull(src, b); err != nil {
		panic(fmt.Sprintf("suite: reading random bytes: %v", err))
	}
	return b
}

// randomUUID returns a version 4 UUID: syntactically valid, and unknown.
// The ids come from a source of their own (run.ids): families that
// overlap draw them in the order they run, and the tokens and routes
// drawn from the run's source stay what a seeded run repeats.
func (r *run) randomUUID() string {
	b := r.randomBytes(r.ids, 16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomInt returns a large random integer id, for APIs with numeric ids.
func (r *run) randomInt() string {
	b := r.randomBytes(r.ids, 6)
	n := uint64(0)
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return fmt.Sprint(900000000000000 + n%99999999999999)
}
