package suite

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// oracleEnv carries the filters to TestGinkgoOracle in a child process.
const oracleEnv = "CONFORM_GINKGO_ORACLE"

// allTokens are made-up credentials for every role, so no spec lacks one.
func allTokens() map[probe.Role]probe.Credential {
	values := map[probe.Role]string{}
	for _, r := range probe.Roles() {
		values[r] = "cornect_madeup" + string(r) + "0123456789"
	}
	byRole, _ := probe.Credentials(values)
	return byRole
}

// TestTheSelectionIsGinkgos asks Ginkgo itself, in a dry run of the whole
// tree, which specs its filters select, and compares with the plan's one
// decision. The filters avoid a leading ^, where conform deliberately
// selects more (see Filters).
func TestTheSelectionIsGinkgos(t *testing.T) {
	cases := []Filters{
		{Focus: []string{"authentication"}},
		{Focus: []string{"AUTH-MISSING"}},
		{Focus: []string{"Basic scheme"}},
		{Focus: []string{"invalid bodies"}, Skip: []string{"malformed"}},
		{Focus: []string{"POST /exports"}},
		{Skip: []string{"rate limit"}},
		{LabelFilter: "scope && !credits"},
		{LabelFilter: "charges"},
		{LabelFilter: "auth || http", Focus: []string{"401"}},
		{Focus: []string{"AUTH-FORMAT", "NOTFOUND"}, Skip: []string{"empty header"}},
	}
	for _, f := range cases {
		name, _ := json.Marshal(f)
		t.Run(string(name), func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "selected.json")
			cmd := exec.Command(os.Args[0], "-test.run=^TestGinkgoOracle$")
			cmd.Env = append(os.Environ(), oracleEnv+"="+string(name), "CONFORM_ORACLE_OUT="+out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the oracle failed: %v\n%s", err, b)
			}
			var ginkgo []string
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &ginkgo); err != nil {
				t.Fatal(err)
			}
			plan, err := NewPlan(PlanConfig{Profile: fixtures.Default(), Tokens: allTokens(), Filters: f})
			if err != nil {
				t.Fatal(err)
			}
			var ours []string
			for _, p := range plan.Specs() {
				if p.Selected {
					ours = append(ours, p.Text)
				}
			}
			slices.Sort(ours)
			slices.Sort(ginkgo)
			if len(ours) == 0 {
				t.Fatal("the case selects nothing: pick filters that select something")
			}
			if !slices.Equal(ours, ginkgo) {
				t.Errorf("the plan selects\n  %q\nGinkgo selects\n  %q", ours, ginkgo)
			}
		})
	}
}

// TestGinkgoOracle runs only in a child process of TestTheSelectionIsGinkgos:
// the whole tree registered, Ginkgo's own filters, a dry run, and the
// full text of every spec Ginkgo would run written out.
func TestGinkgoOracle(t *testing.T) {
	spec := os.Getenv(oracleEnv)
	if spec == "" {
		t.Skip("runs as a child process of TestTheSelectionIsGinkgos")
	}
	var f Filters
	if err := json.Unmarshal([]byte(spec), &f); err != nil {
		t.Fatal(err)
	}
	r, err := newRun(config{PlanConfig: PlanConfig{Profile: fixtures.Default(), Tokens: allTokens()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.specs {
		s.selected = true // Ginkgo decides here
	}
	var selected []string
	Describe(topContainer, Ordered, func() {
		ReportAfterEach(func(rep SpecReport) {
			if rep.State == types.SpecStatePassed {
				selected = append(selected, suiteDescription+" "+rep.FullText())
			}
		})
		r.registerTree()
	})
	suiteCfg, reporterCfg := GinkgoConfiguration()
	suiteCfg.DryRun = true
	suiteCfg.LabelFilter, suiteCfg.FocusStrings, suiteCfg.SkipStrings = f.LabelFilter, f.Focus, f.Skip
	RunSpecs(t, suiteDescription, suiteCfg, reporterCfg)
	b, _ := json.Marshal(selected)
	if err := os.WriteFile(os.Getenv("CONFORM_ORACLE_OUT"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
