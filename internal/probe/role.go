package probe

// Role is the state of a token the suite presents, read from
// CONFORM_TOKEN_<ROLE>.
type Role string

// The token roles.
const (
	RoleRead      Role = "READ"
	RoleReadWrite Role = "READ_WRITE"
	RoleExpired   Role = "EXPIRED"
	RoleRevoked   Role = "REVOKED"
	RoleUnbound   Role = "UNBOUND"
	RoleNonMember Role = "NON_MEMBER"
	RoleNoCredits Role = "NO_CREDITS"
)

// Roles lists the token roles in the order people read them.
func Roles() []Role {
	return []Role{RoleRead, RoleReadWrite, RoleExpired, RoleRevoked, RoleUnbound, RoleNonMember, RoleNoCredits}
}

// Var is the environment variable a role's token comes from.
func (r Role) Var() string { return "CONFORM_TOKEN_" + string(r) }

// Authenticates says whether a token of the role is valid: the others
// (expired, revoked, …) fail authentication, and targets limit them per
// client address, not per token.
func (r Role) Authenticates() bool {
	return r == RoleRead || r == RoleReadWrite || r == RoleNoCredits
}

// Credential wraps the token value of a role.
func (r Role) Credential(value string) Credential {
	c := NewCredential(r.Var(), value)
	c.Role = r
	return c
}

// Credentials wraps token values by role (as read from CONFORM_TOKEN_*):
// by role for a run, and as a list for redaction.
func Credentials(values map[Role]string) (map[Role]Credential, []Credential) {
	byRole := map[Role]Credential{}
	var all []Credential
	for _, role := range Roles() {
		if v := values[role]; v != "" {
			c := role.Credential(v)
			byRole[role] = c
			all = append(all, c)
		}
	}
	return byRole, all
}

// RoleValues are token values by role from values keyed by the roles'
// names, as the reference server hands out the tokens it mints.
func RoleValues(byName map[string]string) map[Role]string {
	out := make(map[Role]string, len(byName))
	for name, v := range byName {
		out[Role(name)] = v
	}
	return out
}
