package suite

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// The plan is decided once, before anything is sent: which specs exist for
// this profile, which the filters select, and which of those lack a token.
// The same decision drives what the batches send, what --dry-run prints,
// what Ginkgo is given to run and what the reports list.

// Need is one token a spec needs: any one of the roles will do.
type Need []probe.Role

// missing names the variables to set for the needs that no set token
// meets, or "" when every need is met.
func missing(needs []Need, set func(probe.Role) bool) string {
	var out []string
	for _, n := range needs {
		if slices.ContainsFunc(n, set) {
			continue
		}
		var vars []string
		for _, role := range n {
			vars = append(vars, role.Var())
		}
		out = append(out, strings.Join(vars, " or "))
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, " and ") + " not set; export it to run this check"
}

// Filters select specs as Ginkgo does: --label-filter on the union of the
// labels of a spec and its containers, --focus and --skip as regular
// expressions on its full text (the suite's description, every container's
// text and its own). One addition: an expression also matches the spec's
// own text, from its check ID on ("AUTH-FORMAT INVALID_TOKEN_FORMAT 401 …
// Basic scheme"), so `^AUTH-FORMAT` selects that check, where in Ginkgo a
// `^` could only ever match the suite's description.
type Filters struct {
	LabelFilter string
	Focus       []string
	Skip        []string
}

// selection is Filters compiled.
type selection struct {
	labels      types.LabelFilter
	focus, skip *regexp.Regexp
}

// compile checks the filters. Ginkgo joins the focus (and the skip)
// expressions with "|" into one expression; so does this.
func (f Filters) compile() (selection, error) {
	sel := selection{labels: func([]string) bool { return true }}
	if f.LabelFilter != "" {
		lf, err := types.ParseLabelFilter(f.LabelFilter)
		if err != nil {
			return sel, fmt.Errorf("--label-filter %q: %w", f.LabelFilter, err)
		}
		sel.labels = lf
	}
	var err error
	if len(f.Focus) > 0 {
		if sel.focus, err = regexp.Compile(strings.Join(f.Focus, "|")); err != nil {
			return sel, fmt.Errorf("--focus: %w", err)
		}
	}
	if len(f.Skip) > 0 {
		if sel.skip, err = regexp.Compile(strings.Join(f.Skip, "|")); err != nil {
			return sel, fmt.Errorf("--skip: %w", err)
		}
	}
	return sel, nil
}

// selects applies the filters to a spec's full text, own text and labels.
func (sel selection) selects(fullText, ownText string, labels []string) bool {
	if !sel.labels(labels) {
		return false
	}
	matches := func(re *regexp.Regexp) bool { return re.MatchString(fullText) || re.MatchString(ownText) }
	if sel.focus != nil && !matches(sel.focus) {
		return false
	}
	return sel.skip == nil || !matches(sel.skip)
}

// suiteDescription is what Ginkgo's RunSpecs is given; the top container
// holds every family.
const (
	suiteDescription = "conform"
	topContainer     = "CAPI error contract"
)

// Planned is what a run does with one spec.
type Planned struct {
	ID      string
	Variant string
	// Text is the spec's full text as Ginkgo matches --focus and --skip
	// against it.
	Text     string
	Level    report.Level
	Labels   []string
	Selected bool
	// Needs are the tokens it needs.
	Needs []Need
	// Skip says why a selected spec will be skipped (a token is not set);
	// empty when it runs.
	Skip string
}

// Name is the spec's display name, as report.Check.Name gives it.
func (p Planned) Name() string {
	if p.Variant == "" {
		return p.ID
	}
	return p.ID + " [" + p.Variant + "]"
}

// Plan says, without sending a request, what a run of cfg would do with
// every spec. Config.Client may be nil.
func Plan(cfg Config) ([]Planned, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, s := range r.specs {
		out = append(out, Planned{
			ID: s.check.ID, Variant: s.variant, Text: s.fullText(), Level: s.check.Level,
			Labels: s.allLabels(), Selected: s.selected, Needs: s.needs, Skip: s.missing,
		})
	}
	return out, nil
}
