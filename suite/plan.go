package suite

import (
	"fmt"
	"strings"

	"github.com/cornect/conform/fixtures"
)

// Requires resolves the roles a check needs against a profile: each element
// is one role, or alternatives joined by "|".
func (c Check) Requires(p *fixtures.Profile) []string {
	out := make([]string, 0, len(c.Needs))
	for _, n := range c.Needs {
		if n == needsRateLimitToken {
			n = p.RateLimit.Token
		}
		out = append(out, n)
	}
	return out
}

// Planned is what a run would do with one check.
type Planned struct {
	Check    Check
	Selected bool   // chosen by --label-filter and --focus
	Skip     string // why it would skip, when selected; "" when it would run
}

// Plan says, without sending a request, which checks a configuration would
// run, which it would skip and why. set reports whether a role's token is set.
func Plan(p *fixtures.Profile, set func(role string) bool, labelFilter string, focus, skip []string) ([]Planned, error) {
	sel, err := newSelection(labelFilter, focus, skip)
	if err != nil {
		return nil, fmt.Errorf("--label-filter, --focus or --skip: %w", err)
	}
	var out []Planned
	for _, c := range Catalogue() {
		pl := Planned{Check: c, Selected: sel.selects(c, "")}
		if pl.Selected {
			pl.Skip = missingTokens(c.Requires(p), set)
		}
		out = append(out, pl)
	}
	return out, nil
}

// missingTokens names the variables to set, or "" when every need is met.
func missingTokens(needs []string, set func(string) bool) string {
	var missing []string
	for _, n := range needs {
		alts := strings.Split(n, "|")
		ok := false
		var vars []string
		for _, a := range alts {
			ok = ok || set(a)
			vars = append(vars, TokenVar(a))
		}
		if !ok {
			missing = append(missing, strings.Join(vars, " or "))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return strings.Join(missing, " and ") + " not set"
}
