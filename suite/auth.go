package suite

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// formatVariant is one Authorization header that is not a cornect_ bearer token.
type formatVariant struct {
	name   string
	header string
}

// tokenState is a token role and the 401 code the Errors page gives it.
type tokenState struct {
	id, role, code string
}

// describeAuth registers the 401 checks of the Errors page: each provokes
// its code on every operation. The whole family is sent as one batch.
func describeAuth() {
	formats := []formatVariant{
		{"Basic scheme", "Basic Y29uZm9ybTpjb25mb3Jt"},
		{"Bearer without credentials", "Bearer"},
		{"bearer token without the cornect_ prefix", "Bearer " + randomHex(16)},
		{"cornect_ token without a scheme", "cornect_" + randomHex(16)},
		{"empty header value", ""},
	}
	states := []tokenState{
		{"AUTH-REVOKED", RoleRevoked, "INVALID_TOKEN"},
		{"AUTH-EXPIRED", RoleExpired, "TOKEN_EXPIRED"},
		{"AUTH-UNBOUND", RoleUnbound, "TOKEN_NOT_WORKSPACE_BOUND"},
		{"AUTH-NON-MEMBER", RoleNonMember, "NOT_WORKSPACE_MEMBER"},
	}
	unknown := "Bearer cornect_" + randomHex(16)

	Describe("authentication", Ordered, func() {
		var got map[string][]probe.Exchange
		BeforeAll(func(ctx SpecContext) {
			var b batch
			if wants("AUTH-MISSING", "") {
				b.add("AUTH-MISSING", everyOperation(nil, probe.Credential{})...)
			}
			for _, f := range formats {
				if wants("AUTH-FORMAT", f.name) {
					b.add(f.name, everyOperation(probe.Header(f.header), probe.Credential{})...)
				}
			}
			if wants("AUTH-UNKNOWN", "") {
				b.add("AUTH-UNKNOWN", everyOperation(probe.Header(unknown), probe.Credential{})...)
			}
			for _, s := range states {
				if hasToken(s.role) && wants(s.id, "") {
					cred := target.cfg.Tokens[s.role]
					b.add(s.id, everyOperation(bearer(cred), cred)...)
				}
			}
			got = b.send(ctx)
		})
		judged := func(key string, e match.ErrorExpectation) {
			record(got[key]...)
			judge(got[key], match.BeError(e))
		}

		check("AUTH-MISSING", func(ctx SpecContext) {
			judged("AUTH-MISSING", match.ErrorExpectation{Status: 401, Code: "MISSING_AUTH_HEADER"})
		})

		var entries []TableEntry
		for _, f := range formats {
			entries = append(entries, Entry(f.name, f.name))
		}
		checkTable("AUTH-FORMAT",
			func(ctx SpecContext, name string) {
				judged(name, match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN_FORMAT"})
			},
			entries...,
		)

		check("AUTH-UNKNOWN", func(ctx SpecContext) {
			judged("AUTH-UNKNOWN", match.ErrorExpectation{Status: 401, Code: "INVALID_TOKEN"})
		})

		for _, s := range states {
			check(s.id, func(ctx SpecContext) {
				token(s.role) // skips, naming the variable, when it is not set
				judged(s.id, match.ErrorExpectation{Status: 401, Code: s.code})
			})
		}
	})
}
