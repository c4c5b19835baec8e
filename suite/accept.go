package suite

import (
	"bytes"
	"encoding/json"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// acceptForm is one Accept a real client sends.
type acceptForm struct {
	name   string // the variant's text
	accept string // "" with omit
	omit   bool
}

// browserAccept is what Chrome and Firefox send for a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// acceptForms are the Accept headers of common clients: none (Go's
// net/http, many SDKs), */* (curl, fetch, Python requests), JSON (a
// careful SDK), a browser's (a developer pasting a URL).
var acceptForms = []acceptForm{
	{name: "no Accept", omit: true},
	{name: "Accept: */*", accept: "*/*"},
	{name: "Accept: application/json", accept: "application/json"},
	{name: "a browser's Accept", accept: browserAccept},
}

// acceptFamily registers ENVELOPE-ANY-ACCEPT: the Errors page's "every
// error response" has no Accept condition, so one 401, one 404 and one
// 422 are provoked under each Accept form, one variant each, and must
// carry the JSON envelope whatever the client accepts. Twelve requests:
// four fail authentication, eight go with CONFORM_TOKEN_READ to read
// operations.
func (r *run) acceptFamily() *family {
	var specs []*spec
	credits := r.endpoint(r.profile().Credits.BalanceEndpoint)
	// The 404 comes from an operation the read token may call, so that
	// nothing but the missing resource refuses it.
	var notFound *fixtures.Endpoint
	for _, key := range r.profile().NotFound {
		if e := r.endpoint(key); e.Scope == "read" {
			notFound = &e
			break
		}
	}
	// The 422 comes from a read operation's body that is well-formed JSON,
	// an array if there is one: the plainest rule (the body is an object),
	// which every server checks before any field's.
	var invalid *fixtures.InvalidBody
	for _, b := range r.profile().InvalidBodies {
		if e := r.endpoint(b.Endpoint); e.Scope == "read" && json.Valid(b.Bytes()) {
			if invalid == nil || (!isArray(invalid.Bytes()) && isArray(b.Bytes())) {
				invalid = &b
			}
		}
	}
	add := func(form acceptForm, what string, expect match.ErrorExpectation, build func() probe.Request, needs ...Need) {
		probes := func() []probe.Request {
			q := build()
			q.Accept, q.OmitAccept = form.accept, form.omit
			return []probe.Request{q}
		}
		each := func() types.GomegaMatcher { return match.BeError(expect) }
		specs = append(specs, arrivingCheck("ENVELOPE-ANY-ACCEPT", what+" with "+form.name, probes, each, "", needs...))
	}
	for _, form := range acceptForms {
		add(form, "401", match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"}, func() probe.Request {
			return r.request(credits, nil, probe.Credential{})
		})
		if notFound != nil {
			e := *notFound
			add(form, "404", match.ErrorExpectation{Status: 404}, func() probe.Request { return r.as(e, probe.RoleRead) }, Need{probe.RoleRead})
		}
		if invalid != nil {
			b := *invalid
			e := r.endpoint(b.Endpoint)
			statuses := b.Expected()
			add(form, "422", match.ErrorExpectation{Status: statuses[0], OrStatus: statuses[1:]}, func() probe.Request {
				q := r.as(e, probe.RoleRead)
				q.Body = b.Bytes()
				return q
			}, Need{probe.RoleRead})
		}
	}
	return newFamily("any Accept", specs...)
}

func isArray(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("["))
}
