package suite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// check registers one spec for a catalogue entry, with its labels.
func check(id string, body func(ctx SpecContext)) bool {
	c := lookup(id)
	return It(c.Text(), Label(c.Labels...), body)
}

// checkTable registers a table whose entries are variants of one check.
func checkTable(id string, body any, entries ...TableEntry) bool {
	c := lookup(id)
	args := []any{Label(c.Labels...), body}
	for _, e := range entries {
		args = append(args, e)
	}
	return DescribeTable(c.Text(), args...)
}

// token returns the credential of a role, or skips the spec naming the
// variable to set.
func token(role string) probe.Credential {
	c, ok := target.cfg.Tokens[role]
	if !ok || !c.Present() {
		Skip(fmt.Sprintf("%s is not set; export it to run this check", TokenVar(role)))
	}
	return c
}

// hasToken reports whether a role's token was given.
func hasToken(role string) bool {
	c, ok := target.cfg.Tokens[role]
	return ok && c.Present()
}

// profile is the target's profile.
func profile() *fixtures.Profile { return target.cfg.Profile }

// endpoint finds a profile endpoint the profile itself refers to (validated on load).
func endpoint(id string) fixtures.Endpoint {
	e, ok := profile().Endpoint(id)
	if !ok {
		panic("suite: profile endpoint " + id + " vanished after validation")
	}
	return e
}

// request builds a request to e: parameters become fresh random ids, and a
// POST endpoint carries its valid body (so only the failure under test differs).
func request(e fixtures.Endpoint, auth *string, cred probe.Credential) probe.Request {
	path := e.Path
	for _, p := range fixtures.Params(e.Path) {
		path = strings.ReplaceAll(path, "{"+p+"}", url.PathEscape(e.NewUnknownID(randomUUID, randomInt)))
	}
	return probe.Request{
		Method: e.Method, Path: path, Template: e.Path, Body: e.Body, Authorization: auth, Token: cred,
		Unauthenticated: !authenticates(cred),
	}
}

// authenticates says whether a credential is one of the valid tokens; the
// others (expired, revoked, …) fail authentication, and the target limits
// them per client address, not per token.
func authenticates(c probe.Credential) bool {
	for _, role := range readRoles() {
		if c.Present() && c.Var == TokenVar(role) {
			return true
		}
	}
	return false
}

// withID fills every parameter of e's path with id.
func withID(r probe.Request, e fixtures.Endpoint, id string) probe.Request {
	r.Path = e.Path
	for _, p := range fixtures.Params(e.Path) {
		r.Path = strings.ReplaceAll(r.Path, "{"+p+"}", url.PathEscape(id))
	}
	return r
}

// bearer is the normal Authorization of a credential.
func bearer(c probe.Credential) *string {
	v, _ := probe.Bearer(c)
	return v
}

// operations are the operations the sweeps cover: those discovered from an
// OpenAPI document when one was given, else the profile's endpoints.
func operations() []fixtures.Endpoint {
	if target.cfg.Operations != nil {
		return target.cfg.Operations
	}
	return profile().Endpoints
}

// everyOperation builds one request per operation.
func everyOperation(auth *string, cred probe.Credential) []probe.Request {
	var rs []probe.Request
	for _, e := range operations() {
		rs = append(rs, request(e, auth, cred))
	}
	return rs
}

// operationsWithScope lists the operations that need one scope.
func operationsWithScope(scope string) []fixtures.Endpoint {
	var es []fixtures.Endpoint
	for _, e := range operations() {
		if e.Scope == scope {
			es = append(es, e)
		}
	}
	return es
}

// pickToken chooses, round-robin per endpoint, one of the roles that is set,
// so POSTs spread across tokens and stay within each token's limit.
func pickToken(e fixtures.Endpoint, roles ...string) (probe.Credential, bool) {
	var avail []string
	for _, r := range roles {
		if hasToken(r) {
			avail = append(avail, r)
		}
	}
	if len(avail) == 0 {
		return probe.Credential{}, false
	}
	target.mu.Lock()
	i := target.rotate[e.ID]
	target.rotate[e.ID]++
	target.mu.Unlock()
	return target.cfg.Tokens[avail[i%len(avail)]], true
}

// writeRoles are the roles whose tokens have the read_write scope.
func writeRoles() []string { return []string{RoleReadWrite, RoleNoCredits} }

// readRoles are the roles whose tokens can call read endpoints.
func readRoles() []string { return []string{RoleRead, RoleReadWrite, RoleNoCredits} }

// sendConcurrency bounds the requests one spec has in flight.
const sendConcurrency = 16

// send fires the requests concurrently (they do not depend on each other),
// records every exchange as evidence of the running spec, and returns them in
// request order.
func send(ctx context.Context, reqs ...probe.Request) []probe.Exchange {
	out := doAll(ctx, reqs...)
	record(out...)
	return out
}

// doAll fires the requests concurrently without recording them.
func doAll(ctx context.Context, reqs ...probe.Request) []probe.Exchange {
	out := make([]probe.Exchange, len(reqs))
	sem := make(chan struct{}, sendConcurrency)
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = target.cfg.Client.Do(ctx, r)
		}()
	}
	wg.Wait()
	target.mu.Lock()
	target.seen = append(target.seen, out...)
	target.mu.Unlock()
	return out
}

// sendOne sends a single request and records it.
func sendOne(ctx context.Context, r probe.Request) probe.Exchange {
	return send(ctx, r)[0]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// randomUUID returns a version 4 UUID: syntactically valid, and unknown.
func randomUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// do sends one request without recording it, for setup in BeforeAll; the
// specs that judge it record it themselves.
func do(ctx context.Context, r probe.Request) probe.Exchange {
	return doAll(ctx, r)[0]
}

// seen returns every exchange of the run so far.
func seen() []probe.Exchange {
	target.mu.Lock()
	defer target.mu.Unlock()
	return append([]probe.Exchange(nil), target.seen...)
}

// record attaches exchanges to the running spec as its evidence.
func record(exs ...probe.Exchange) {
	for _, ex := range exs {
		AddReportEntry(entryExchange, ex, ReportEntryVisibilityNever)
	}
}

// randomInt returns a large random integer id, for APIs with numeric ids.
func randomInt() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	n := uint64(0)
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return fmt.Sprint(900000000000000 + n%99999999999999)
}
