package suite

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cornect/conform/fixtures"
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

// PlanConfig is what a plan is made of.
type PlanConfig struct {
	Profile *fixtures.Profile
	// Operations, when set, replace the profile's endpoints in the sweeps
	// (every auth check on every operation, the scope checks on each
	// operation of that scope); --openapi discovers them.
	Operations []fixtures.Endpoint
	// Tokens by role; a role without a token skips the specs that need it.
	Tokens map[probe.Role]probe.Credential
	// AuthCoverage says which operations each authentication check
	// probes; "" is AuthSpread.
	AuthCoverage AuthCoverage
	Filters      Filters
	// FailedAuthLimit is the pace, per minute, of the requests that must
	// fail authentication (--failed-auth-limit); 0 is the profile's.
	FailedAuthLimit int
}

// Plan is what a run does, decided once, before anything is sent: every
// spec of the profile, whether the filters select it and whether it lacks
// a token. It is a value: the run (Run), the dry run (Specs), the request
// budget (Budget) and the client's pacing (NewClient) all read the same
// one, and none of them changes it.
//
// The decisions do not depend on the operations (a check sweeps them in
// one spec): WithOperations gives the plan the operations an OpenAPI
// document adds once it is read, after the filters were found to select
// something.
type Plan struct {
	cfg   PlanConfig
	specs []Planned
}

// NewPlan decides what a run of cfg would do with every spec, without
// sending a request.
func NewPlan(cfg PlanConfig) (*Plan, error) {
	sel, err := cfg.Filters.compile()
	if err != nil {
		return nil, err
	}
	r, err := newRun(config{PlanConfig: cfg})
	if err != nil {
		return nil, err
	}
	p := &Plan{cfg: cfg}
	for _, s := range r.specs {
		text := s.fullText()
		p.specs = append(p.specs, Planned{
			ID: s.check.ID, Variant: s.variant, Text: text, Level: s.check.Level,
			Labels: s.allLabels(), Selected: sel.selects(text, s.ownText(), s.allLabels()),
			Needs: s.needs, Skip: missing(s.needs, r.hasToken),
		})
	}
	return p, nil
}

// Specs are every spec of the plan, in run order.
func (p *Plan) Specs() []Planned { return slices.Clone(p.specs) }

// Selected counts the specs the filters select, skipped for a token or not.
func (p *Plan) Selected() int {
	n := 0
	for _, s := range p.specs {
		if s.Selected {
			n++
		}
	}
	return n
}

// Profile is the plan's profile.
func (p *Plan) Profile() *fixtures.Profile { return p.cfg.Profile }

// Operations are the operations the sweeps cover: those of WithOperations
// (or PlanConfig.Operations), else the profile's endpoints.
func (p *Plan) Operations() []fixtures.Endpoint {
	if p.cfg.Operations != nil {
		return p.cfg.Operations
	}
	return p.cfg.Profile.Endpoints
}

// WithOperations is the plan with ops as the operations the sweeps cover;
// its decisions are p's.
func (p *Plan) WithOperations(ops []fixtures.Endpoint) *Plan {
	q := *p
	q.cfg.Operations = ops
	return &q
}

// build is a run of the plan with opts: its specs built afresh (they hold
// what one run sends and sees) and given the plan's decisions.
func (p *Plan) build(opts Options) (*run, error) {
	r, err := newRun(config{PlanConfig: p.cfg, Options: opts})
	if err != nil {
		return nil, err
	}
	if len(r.specs) != len(p.specs) {
		return nil, fmt.Errorf("suite: the plan has %d specs, its run %d", len(p.specs), len(r.specs))
	}
	for i, s := range r.specs {
		if s.fullText() != p.specs[i].Text {
			return nil, fmt.Errorf("suite: spec %d of the run is %q, the plan's %q", i, s.fullText(), p.specs[i].Text)
		}
		s.selected, s.missing = p.specs[i].Selected, p.specs[i].Skip
	}
	r.plan = p
	return r, nil
}
