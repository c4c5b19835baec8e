package reference

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// The fixed ids of the sandbox's workspaces: A (tokens READ, READ_WRITE and
// the broken ones) and B (NO_CREDITS).
const (
	workspaceAID = "8f859ec5-ea60-47cc-a763-72bcfbe48694"
	workspaceBID = "656c75ad-b0fe-4b86-b2f1-9afa135fed26"
)

// workspaceAGrant is workspace A's starting balance: enough for a capped
// export and then some.
const workspaceAGrant = 50000

// seed builds the sandbox world as of now: tokens, two workspaces with their
// credit history, saved lists, and workspace B's past export.
func (s *Server) seed(now time.Time) {
	day := 24 * time.Hour
	valid := now.Add(365 * day)
	s.tokens = map[string]*token{}
	for _, t := range []token{
		{role: RoleRead, scope: scopeRead, workspaceID: workspaceAID, expiresAt: valid},
		{role: RoleReadWrite, scope: scopeReadWrite, workspaceID: workspaceAID, expiresAt: valid},
		{role: RoleExpired, scope: scopeReadWrite, workspaceID: workspaceAID, expiresAt: now.Add(-day)},
		{role: RoleRevoked, scope: scopeReadWrite, workspaceID: workspaceAID, expiresAt: valid, revoked: true},
		{role: RoleUnbound, scope: scopeReadWrite, expiresAt: valid},
		{role: RoleNonMember, scope: scopeReadWrite, workspaceID: workspaceAID, expiresAt: valid, ownerRemoved: true},
		{role: RoleNoCredits, scope: scopeReadWrite, workspaceID: workspaceBID, expiresAt: valid},
	} {
		s.tokens[newSecret()] = &t
	}

	a := newWorkspace(workspaceAID)
	a.record(nameUUID("transaction/A/grant"), workspaceAGrant, reasonGrant, "grant:welcome", now.Add(-30*day))

	// B bought exactly the credits for one export of the Austrian companies
	// and spent them: balance 0, and those companies re-export for free.
	b := newWorkspace(workspaceBID)
	past := &export{
		id: nameUUID("export/B/austria"), workspaceID: workspaceBID, name: "Austrian companies",
		format: formatCSV, sourceType: sourceSearch, createdAt: now.Add(-10 * day),
		companies: s.data.search(searchFilters{countries: []string{"Austria"}}),
	}
	b.record(nameUUID("transaction/B/grant"), len(past.companies), reasonGrant, "grant:welcome", now.Add(-20*day))
	b.record(nameUUID("transaction/B/export"), -len(past.companies), reasonExportCharge, "export:"+past.id+":create", past.createdAt)
	for _, c := range past.companies {
		b.unlocked[c.index] = true
	}
	s.workspaces = map[string]*workspace{a.id: a, b.id: b}
	s.exports = map[string]*export{past.id: past}

	s.lists = map[string]*list{}
	for _, l := range []*list{
		{id: ListTargetAccounts, workspaceID: workspaceAID, companies: s.pick(40, func(c *company) bool {
			return c.Country == "Germany" && c.Industry == "Software"
		})},
		{id: ListConferenceLeads, workspaceID: workspaceAID, companies: s.pick(250, func(c *company) bool {
			return c.index%50 == 7
		})},
		{id: ListOtherWorkspace, workspaceID: workspaceBID, companies: s.pick(30, func(c *company) bool {
			return c.Country == "Austria"
		})},
	} {
		s.lists[l.id] = l
	}
}

// The saved lists of the sandbox, for exports with source_type list. Any
// other list_id, or a list of another workspace, is a 404.
const (
	ListTargetAccounts  = "4f3b9ca5-7ed8-413b-8029-029e66c5f036" // workspace A, 40 companies
	ListConferenceLeads = "f39e0053-f841-4b34-8980-7c66eef6328b" // workspace A, 250 companies
	ListOtherWorkspace  = "3cbe154b-ae8b-4327-9301-ef02ff683c7a" // workspace B, 30 companies
)

// pick returns the first n companies that satisfy keep.
func (s *Server) pick(n int, keep func(*company) bool) []*company {
	var out []*company
	for _, c := range s.data.all {
		if len(out) == n {
			break
		}
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// newSecret returns a fresh token value: cornect_ and 32 URL-safe characters.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "cornect_" + base64.RawURLEncoding.EncodeToString(b)
}
