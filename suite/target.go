package suite

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// Token roles, each read from CONFORM_TOKEN_<ROLE>.
const (
	RoleRead      = "READ"
	RoleReadWrite = "READ_WRITE"
	RoleExpired   = "EXPIRED"
	RoleRevoked   = "REVOKED"
	RoleUnbound   = "UNBOUND"
	RoleNonMember = "NON_MEMBER"
	RoleNoCredits = "NO_CREDITS"
)

// Roles lists the token roles in the order people read them.
func Roles() []string {
	return []string{RoleRead, RoleReadWrite, RoleExpired, RoleRevoked, RoleUnbound, RoleNonMember, RoleNoCredits}
}

// TokenVar is the environment variable a role's token comes from.
func TokenVar(role string) string { return "CONFORM_TOKEN_" + role }

// Config is the target the specs run against, injected by Run.
type Config struct {
	Client  *probe.Client
	Profile *fixtures.Profile
	// Operations, when set, replace the profile's endpoints in the sweeps
	// (every auth check on every operation, the scope checks on each
	// operation of that scope); --openapi discovers them.
	Operations []fixtures.Endpoint
	// Tokens by role; a role without a token skips the checks that need it.
	Tokens map[string]probe.Credential
	Strict bool
	// Ginkgo selection and limits; zero values keep Ginkgo's configuration.
	LabelFilter  string
	Focus        []string
	Skip         []string
	SuiteTimeout time.Duration
	// GinkgoOutput receives Ginkgo's own reporter (nil discards it).
	GinkgoOutput io.Writer
	Verbose      bool
	// Progress, when set, hears of each check as it finishes.
	Progress func(report.Check)
}

// Outcome is what Run returns: the checks that ran, in run order (those the
// filters left out are not part of it), and whether the
// suite itself broke (a panic in a spec is a defect of conform, not of the target).
type Outcome struct {
	Checks        []report.Check
	InternalError string
	// GinkgoFailed is Ginkgo's own verdict; it also fails on a suite timeout
	// or an empty selection.
	GinkgoFailed bool
	// Incomplete says why the run stopped early (Ctrl-C, --suite-timeout).
	Incomplete string
}

// state is the target of the current run. Ginkgo specs are registered at
// package level and can only reach their target through it; Run sets it
// before RunSpecs and nothing else writes it.
type state struct {
	cfg Config

	mu     sync.Mutex
	checks []report.Check
	broken string
	rotate map[string]int    // round-robin of tokens per endpoint, for pacing
	skips  map[string]string // skip reason per container
	seen   []probe.Exchange  // every exchange of the run, for checks that look across it
	// incomplete says why the run stopped early; the checks after that
	// point are reported as not run, not judged.
	incomplete string
	// stoppedBy is Ginkgo's reason when the run stopped between checks.
	stoppedBy string
	// selection mirrors Ginkgo's filters, so batches send nothing for the
	// checks the filters leave out.
	selection selection
}

var target *state

// failer satisfies GinkgoTestingT for runs outside `go test`.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run runs every selected spec against cfg. It may be called once per process
// (Ginkgo's RunSpecs may run only once).
func Run(cfg Config) (Outcome, error) {
	if cfg.Client == nil || cfg.Profile == nil {
		return Outcome{}, fmt.Errorf("suite: Config needs a Client and a Profile")
	}
	target = &state{cfg: cfg, rotate: map[string]int{}, skips: map[string]string{}}
	defer func() { target = nil }()

	suiteCfg, reporterCfg := GinkgoConfiguration()
	if cfg.LabelFilter != "" {
		suiteCfg.LabelFilter = cfg.LabelFilter
	}
	if len(cfg.Focus) > 0 {
		suiteCfg.FocusStrings = cfg.Focus
	}
	if len(cfg.Skip) > 0 {
		suiteCfg.SkipStrings = cfg.Skip
	}
	if cfg.SuiteTimeout > 0 {
		suiteCfg.Timeout = cfg.SuiteTimeout
	}
	suiteCfg.FailOnEmpty = true
	suiteCfg.RandomizeAllSpecs = false
	sel, err := newSelection(suiteCfg.LabelFilter, suiteCfg.FocusStrings, suiteCfg.SkipStrings)
	if err != nil {
		return Outcome{}, err
	}
	target.selection = sel
	reporterCfg.NoColor = true
	if cfg.Verbose {
		reporterCfg.Verbose = true
	}

	out := cfg.GinkgoOutput
	if out == nil {
		out = io.Discard
	}
	saved := formatter.ColorableStdOut
	formatter.ColorableStdOut = out
	defer func() { formatter.ColorableStdOut = saved }()

	gomega.RegisterFailHandler(Fail)
	f := &failer{}
	RunSpecs(f, "CAPI error contract", suiteCfg, reporterCfg)
	if target.incomplete == "" && target.stoppedBy != "" {
		target.incomplete = target.stoppedBy
	}
	return Outcome{Checks: target.checks, InternalError: target.broken, GinkgoFailed: f.failed, Incomplete: target.incomplete}, nil
}

// The collector: every spec's report becomes one report.Check.
var _ = ReportAfterEach(func(r SpecReport) {
	if target == nil {
		return
	}
	target.mu.Lock()
	stopped := target.incomplete
	target.mu.Unlock()
	if r.State == types.SpecStateSkipped && r.Failure.Message == "" && stopped == "" {
		if cat, variant := identify(r); !target.selection.selects(cat, variant, r.Labels()...) {
			return // left out by --label-filter, --focus or --skip: not part of this run
		}
		stopped = "it was stopped before this check"
	}
	c, internal := toCheck(r)
	target.mu.Lock()
	switch {
	case r.State.Is(types.SpecStateInterrupted | types.SpecStateAborted | types.SpecStateTimedout):
		// Stopped from outside (Ctrl-C, --suite-timeout): no verdict on the
		// target, and the checks after it do not run.
		reason := firstLine(r.Failure.Message)
		if target.incomplete == "" {
			target.incomplete = reason
		}
		c.Status, c.Message = report.Skipped, "not completed: "+reason
		internal = ""
	case c.Status == report.Skipped && r.Failure.Message == "":
		c.Message = "not run: the run stopped early (" + stopped + ")"
	}
	// Ginkgo says only "Skip() was called in BeforeAll" for the specs after
	// the first of an Ordered container; carry the first one's reason over.
	container := strings.Join(r.ContainerHierarchyTexts, "\x00")
	if c.Status == report.Skipped {
		if strings.Contains(c.Message, "Skip() was called in BeforeAll") && target.skips[container] != "" {
			c.Message = target.skips[container]
		} else {
			target.skips[container] = c.Message
		}
	}
	target.checks = append(target.checks, c)
	if internal != "" && target.broken == "" {
		target.broken = internal
	}
	target.mu.Unlock()
	if target.cfg.Progress != nil {
		target.cfg.Progress(c)
	}
})

// When the run was interrupted or timed out between two checks, no check
// says so; the suite's report does.
var _ = ReportAfterSuite("conform: how the run ended", func(r Report) {
	if target == nil {
		return
	}
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.Contains(reason, "Timeout") || strings.Contains(reason, "nterrupt") {
			target.mu.Lock()
			target.stoppedBy = firstLine(reason)
			target.mu.Unlock()
		}
	}
})

// Report entry names used by the specs.
const (
	entryExchange = "conform.exchange"
	entryWarning  = "conform.warning"
	entryCoverage = "conform.coverage"
)

func toCheck(r SpecReport) (report.Check, string) {
	cat, variant := identify(r)
	c := report.Check{
		ID: cat.ID, Variant: variant, Title: cat.Title, Level: cat.Level, Sentence: cat.Sentence,
		Source: cat.Source, Labels: cat.Labels, Since: cat.Since, Duration: r.RunTime,
	}
	var warnings []string
	for _, e := range r.ReportEntries {
		switch e.Name {
		case entryExchange:
			if ex, ok := e.GetRawValue().(probe.Exchange); ok {
				c.Exchanges = append(c.Exchanges, ex)
			}
		case entryWarning:
			warnings = append(warnings, e.StringRepresentation())
		case entryCoverage:
			if ops, ok := e.GetRawValue().([]report.OperationResult); ok {
				c.Operations = append(c.Operations, ops...)
			}
		}
	}
	var internal string
	switch r.State {
	case types.SpecStatePassed:
		c.Status = report.Passed
		if len(warnings) > 0 {
			c.Status, c.Message = report.Warning, strings.Join(warnings, "\n")
		}
	case types.SpecStateSkipped, types.SpecStatePending:
		c.Status, c.Message = report.Skipped, r.Failure.Message
	case types.SpecStatePanicked:
		c.Status = report.Failed
		c.Message = fmt.Sprintf("conform itself failed while running this check (a defect of conform, not of the target): %s\n%v", r.Failure.Message, r.Failure.ForwardedPanic)
		internal = c.Name() + ": " + r.Failure.Message
	default:
		c.Status, c.Message = report.Failed, r.Failure.Message
	}
	return c, internal
}

// identify finds the catalogue entry of a spec: the leaf text or, for table
// entries, the table's text starts with the check ID.
func identify(r SpecReport) (Check, string) {
	for _, c := range Catalogue() {
		if hasIDPrefix(r.LeafNodeText, c.ID) {
			return c, ""
		}
	}
	for i := len(r.ContainerHierarchyTexts) - 1; i >= 0; i-- {
		for _, c := range Catalogue() {
			if hasIDPrefix(r.ContainerHierarchyTexts[i], c.ID) {
				return c, r.LeafNodeText
			}
		}
	}
	return Check{ID: "UNKNOWN", Title: r.FullText(), Level: report.Must}, ""
}

func hasIDPrefix(text, id string) bool {
	return len(text) > len(id) && text[:len(id)] == id && text[len(id)] == ' '
}

// Credentials wraps token values by role (as read from CONFORM_TOKEN_*) into
// credentials: by role for Config.Tokens, and as a list for redaction.
func Credentials(values map[string]string) (map[string]probe.Credential, []probe.Credential) {
	byRole := map[string]probe.Credential{}
	var all []probe.Credential
	for _, role := range Roles() {
		if v := values[role]; v != "" {
			c := probe.NewCredential(TokenVar(role), v)
			byRole[role] = c
			all = append(all, c)
		}
	}
	return byRole, all
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
