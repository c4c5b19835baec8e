package openapi

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// Sweep is what --openapi makes of a document: the operations the sweeps
// cover, and what it left out or overrode, which the run's notes say. The
// document adds operations to the contract; it never takes one away nor
// changes what the contract requires of one.
type Sweep struct {
	// Location names the document (a URL's password masked).
	Location string
	// BasePath is the base URL's path, "/" for the host's root.
	BasePath string
	// Ops are the operations to sweep: the profile's endpoint for every
	// operation the profile knows (as the document lists it or not), the
	// document's for the others.
	Ops []fixtures.Endpoint

	// documented maps an operation of Ops to the document's METHOD and full
	// path of it; an operation of the profile the document lacks is not in it.
	documented map[string]string
	contract   map[string]bool // the operations of Ops that are the profile's

	outside       []string // METHOD full path: outside the base path, never probed
	public        []string // METHOD full path: declared public (security [] on the operation, or the profile's public list)
	noSecurity    []string // METHOD full path: swept though the document requires no token there
	disagreements []string // one line per known operation the document describes otherwise
	missing       []string // the profile's operations the document lacks, swept all the same
}

// Discover reads the OpenAPI document at location (a file, or a URL
// fetched with tlsCfg and the environment's proxy: the document is often
// on the target) and works out the sweep over the API at baseURL (Merge).
func Discover(ctx context.Context, location, baseURL string, tlsCfg *tls.Config, prof *fixtures.Profile) (*Sweep, error) {
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsCfg},
	}
	all, err := Load(ctx, location, client, DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(location); err == nil && u.User != nil {
		location = u.Redacted() // as Load names it: reports never show a password
	}
	return Merge(all, location, baseURL, prof)
}

// Merge works out the sweep over the API at baseURL from the operations
// of the document at location, all of them.
//
// Only operations under the base URL's path are the API's: a document
// without servers (FastAPI's) lists every route of the app from the host's
// root, /healthz and /api/v1/credits alike. An operation the profile knows
// (the same method, and the same path up to the names of its parameters:
// /companies/{company_id} is /companies/{id}) is the profile's: the profile
// is the contract, so its template, scope and limit hold, and whatever the
// document says otherwise is a disagreement for the notes. The document's
// other operations are swept as it describes them, but for those it says
// anyone may call (as OpenAPI reads security: an operation's own, else the
// document's, and none at all means no requirement).
func Merge(all []Operation, location, baseURL string, prof *fixtures.Profile) (*Sweep, error) {
	basePath := "/"
	if u, err := url.Parse(baseURL); err == nil && u.Path != "" {
		basePath = u.Path
	}
	inside, outside := Within(all, basePath)
	s := &Sweep{Location: location, BasePath: basePath, documented: map[string]string{}, contract: map[string]bool{}}
	for _, op := range outside {
		s.outside = append(s.outside, probe.OperationKey(op.Method, op.FullPath()))
	}
	known := map[string]fixtures.Endpoint{}
	for _, e := range prof.Endpoints {
		known[shapeKey(e.Method, e.Path)] = e
	}
	declaredPublic := map[string]bool{}
	for _, p := range prof.Public {
		method, path, _ := strings.Cut(p, " ")
		declaredPublic[shapeKey(strings.ToUpper(method), path)] = true
	}
	for _, op := range inside {
		if p, ok := known[shapeKey(op.Method, op.Path)]; ok {
			s.addContract(p, op)
		} else {
			s.addDocumented(op, declaredPublic[shapeKey(op.Method, op.Path)])
		}
	}
	switch {
	case len(inside) == 0:
		return nil, fmt.Errorf("openapi document %q: no operation of it is under the base URL's path %s (it has %s: %s); is it the document of this API, and are its servers right?",
			location, basePath, operations(len(all)), strings.Join(firstFew(s.outside, 3), ", "))
	case len(s.Ops) == 0:
		return nil, fmt.Errorf("openapi document %q: every operation under %s is declared public, so there is nothing to sweep", location, basePath)
	}
	for _, e := range prof.Endpoints {
		if !s.contract[e.Key()] {
			s.missing, s.contract[e.Key()] = append(s.missing, e.Key()), true
			s.Ops = append(s.Ops, e)
		}
	}
	return s, nil
}

// addContract sweeps the profile's endpoint p, which the document lists as op.
func (s *Sweep) addContract(p fixtures.Endpoint, op Operation) {
	if _, dup := s.documented[p.Key()]; dup {
		return // the same operation twice, its parameters named apart
	}
	full := probe.OperationKey(op.Method, op.FullPath())
	s.documented[p.Key()], s.contract[p.Key()] = full, true
	s.Ops = append(s.Ops, contractOperation(p, op))
	if d := disagreement(p, op, full); d != "" {
		s.disagreements = append(s.disagreements, d)
	}
}

// addDocumented sweeps op, which the profile does not know, as the
// document describes it. The contract wins: every operation under the base
// path needs a token unless it is declared public (declared: the profile's
// public list names it). A route without a security dependency looks, in
// FastAPI's document, exactly like one that forgot it; Django REST
// framework's has no security anywhere.
func (s *Sweep) addDocumented(op Operation, declared bool) {
	full := probe.OperationKey(op.Method, op.FullPath())
	switch {
	case op.DeclaredPublic || declared:
		s.public = append(s.public, full)
		return
	case op.Public:
		s.noSecurity = append(s.noSecurity, full)
		op.Scope = ScopeUnknown
	}
	e := fixtures.Endpoint{
		ID:             op.OperationID,
		Method:         op.Method,
		Path:           op.Path,
		Scope:          op.Scope,
		LimitPerMinute: op.LimitPerMinute,
		Body:           op.Body,
		Doc:            s.Location,
	}
	if e.ID == "" {
		e.ID = e.Key()
	}
	// A limit neither the document nor the profile gives stays 0: the
	// run paces it at the undocumented limit.
	if op.HasBody && e.Body == nil {
		e.Body = []byte("{}")
	}
	s.documented[e.Key()] = full
	s.Ops = append(s.Ops, e)
}

// shapeKey names an operation by its method and the shape of its path:
// the parameters by position, not by name.
func shapeKey(method, template string) string {
	return probe.OperationKey(method, probe.FillPath(template, func(string) string { return "{}" }))
}

// contractOperation is the profile's endpoint p for the document's
// operation op: the document fills in only a body the profile lacks.
func contractOperation(p fixtures.Endpoint, op Operation) fixtures.Endpoint {
	e := p
	if e.Body == nil && op.Body != nil {
		e.Body = op.Body
	}
	if e.Body == nil && op.HasBody {
		e.Body = []byte("{}")
	}
	return e
}

// disagreement is the line for the notes when the document describes an
// operation of the contract otherwise (the scope it needs, whether it needs
// a token, its limit), or "". A document silent on one (HTTPBearer without
// scopes, no limit) does not disagree.
func disagreement(p fixtures.Endpoint, op Operation, full string) string {
	var doc, contract []string
	switch {
	case op.Public && op.NoSecurity:
		doc, contract = append(doc, "no token needed (no security requirement)"), append(contract, "scope "+p.Scope)
	case op.Public:
		doc, contract = append(doc, "no token needed (security: [])"), append(contract, "scope "+p.Scope)
	case (op.Scope == ScopeRead || op.Scope == ScopeReadWrite) && op.Scope != p.Scope:
		doc, contract = append(doc, "scope "+op.Scope), append(contract, "scope "+p.Scope)
	}
	if op.LimitPerMinute != 0 && op.LimitPerMinute != p.LimitPerMinute {
		doc = append(doc, fmt.Sprintf("%d requests a minute", op.LimitPerMinute))
		contract = append(contract, fmt.Sprintf("%d requests a minute", p.LimitPerMinute))
	}
	if len(doc) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%s in the OpenAPI document): the document says %s, the contract %s; checked as the contract says",
		p.Key(), full, strings.Join(doc, " and "), strings.Join(contract, " and "))
}

// Notes are the run's notes on the sweep: what was left out, and why.
func (s *Sweep) Notes() []string {
	var notes []string
	if len(s.outside) > 0 {
		notes = append(notes, fmt.Sprintf("%s of the OpenAPI document outside the API's base path %s: out of scope, never probed: %s",
			operations(len(s.outside)), s.BasePath, strings.Join(s.outside, ", ")))
	}
	if len(s.public) > 0 {
		notes = append(notes, fmt.Sprintf("%s declared public (security [] on the operation, or the profile's public list), not swept: %s",
			operations(len(s.public)), strings.Join(s.public, ", ")))
	}
	if len(s.noSecurity) > 0 {
		notes = append(notes, fmt.Sprintf("%s with no security requirement in the OpenAPI document, swept all the same: the contract wants a token on every request, and a route that forgot its auth dependency looks just like this (declare one public with security [] on the operation, or in the profile's public list): %s",
			operations(len(s.noSecurity)), strings.Join(s.noSecurity, ", ")))
	}
	notes = append(notes, s.disagreements...)
	if len(s.missing) > 0 {
		notes = append(notes, fmt.Sprintf("%s of the contract not in the OpenAPI document, swept all the same: %s",
			operations(len(s.missing)), strings.Join(s.missing, ", ")))
	}
	return notes
}

// operations counts operations in words: "1 operation", "2 operations".
func operations(n int) string {
	if n == 1 {
		return "1 operation"
	}
	return fmt.Sprintf("%d operations", n)
}

// SweepListed is how many operations of each kind a dry run lists before it
// counts the rest, unless verbose: a document of thousands would bury the
// plan under its lines.
const SweepListed = 200

// Print shows the sweep for --dry-run, an operation a line: each one swept
// (with the scope it is checked for and where that comes from), each out of
// scope or public, and each disagreement with the contract.
func (s *Sweep) Print(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "openapi: %s, under the base path %s\n", s.Location, s.BasePath)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	more := func(n int, what string) {
		if n > 0 {
			fmt.Fprintf(tw, "…\tand %d more %s (-v lists every one)\n", n, what)
		}
	}
	listed := 0
	for _, e := range s.Ops {
		contract := s.contract[e.Key()]
		if _, documented := s.documented[e.Key()]; !documented {
			contract = true
		}
		if !contract && !verbose && listed >= SweepListed {
			continue // the contract's own are always listed
		}
		if !contract {
			listed++
		}
		scope := "scope " + e.Scope
		if e.Scope == ScopeUnknown {
			scope = "scope unknown (auth checks only)"
		}
		var from string
		switch doc, ok := s.documented[e.Key()]; {
		case !ok:
			from = "the contract's; not in the document"
		case s.contract[e.Key()]:
			from = "the contract's; " + doc + " in the document"
		default:
			from = "the document's " + doc
		}
		fmt.Fprintf(tw, "would sweep\t%s\t%s\t%s\n", e.Key(), scope, from)
	}
	if !verbose {
		more(len(s.documented)-len(s.contract)-listed, "operations of the document to sweep") // documented holds the contract's found in it
	}
	list := func(ops []string, line func(op string), what string) {
		for i, op := range ops {
			if !verbose && i == SweepListed {
				more(len(ops)-i, what)
				return
			}
			line(op)
		}
	}
	list(s.outside, func(op string) {
		fmt.Fprintf(tw, "out of scope\t%s\t\toutside the base path %s\n", op, s.BasePath)
	}, "out of scope")
	list(s.public, func(op string) {
		fmt.Fprintf(tw, "public\t%s\t\tdeclared public: security [] on the operation, or the profile's public list\n", op)
	}, "declared public")
	tw.Flush()
	for _, d := range s.disagreements {
		fmt.Fprintf(w, "disagrees: %s\n", d)
	}
}

// firstFew is at most n of items, and "…" when there were more.
func firstFew(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(items[:n:n], "…")
}
