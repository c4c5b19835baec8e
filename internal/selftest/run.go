package selftest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
)

// Options configure Run.
type Options struct {
	// Executable is the conform binary each suite run re-executes.
	Executable string
	// Parallel bounds the suite runs at once; 0 is DefaultParallel.
	Parallel int
	// Env is the environment of each run, before conform's own variables
	// (CONFORM_*, GITHUB_STEP_SUMMARY) are dropped from it and the
	// reference's tokens are added; nil is os.Environ().
	Env []string
	// RunTimeout bounds one suite run; 0 is 3 minutes.
	RunTimeout time.Duration
	// OnEntry, when set, gets each entry's result as soon as it and every
	// entry above it in the table are judged: in table order.
	OnEntry func(EntryResult)
	// table replaces Table(), for tests.
	table []Entry
}

// SuiteRun is one suite run of an entry.
type SuiteRun struct {
	Strict    bool          `json:"strict"`
	Exit      int           `json:"exit"`
	Checks    int           `json:"checks"`
	Failed    []string      `json:"failed"`
	Warned    []string      `json:"warned"`
	NoVerdict []string      `json:"no_verdict"` // skipped, inconclusive, not run or error
	Duration  time.Duration `json:"duration_ns"`
	// Problem says why the run has no report to judge: conform did not
	// start, stopped early or exited with neither 0 nor 1.
	Problem string `json:"problem,omitempty"`
}

// EntryResult is an entry with its runs and verdict.
type EntryResult struct {
	Entry
	OK bool `json:"ok"`
	// CaughtBy are the checks of Catch that caught the deviation.
	CaughtBy []string `json:"caught_by,omitempty"`
	// AlsoFailed are the checks that failed beyond Catch.
	AlsoFailed []string `json:"also_failed,omitempty"`
	// Problems say what the runs showed that the entry does not allow.
	Problems []string   `json:"problems,omitempty"`
	Runs     []SuiteRun `json:"runs"`
}

// Result is a whole self-test.
type Result struct {
	OK       bool          `json:"ok"`
	Parallel int           `json:"parallel"`
	Runs     int           `json:"runs"`
	Duration time.Duration `json:"duration_ns"`
	Entries  []EntryResult `json:"entries"`
	// Stopped says why the self-test stopped before its end (the context
	// was cancelled); empty when it ran every entry.
	Stopped string `json:"stopped,omitempty"`
}

// Tally counts the entries of a kind and those that are OK.
func (r Result) Tally(k Kind) (ok, total int) {
	for _, e := range r.Entries {
		if e.Kind == k {
			total++
			if e.OK {
				ok++
			}
		}
	}
	return ok, total
}

// job is one suite run to do.
type job struct {
	entry  int // index in the table
	run    int // index in the entry's runs
	strict bool
}

type done struct {
	job
	res SuiteRun
}

// Run runs the suite against a reference per entry of the table, at most
// opts.Parallel runs at a time, and judges each entry.
func Run(ctx context.Context, opts Options) (Result, error) {
	table := opts.table
	if table == nil {
		table = Table()
	}
	if opts.Executable == "" {
		return Result{}, errors.New("selftest: no conform executable to run")
	}
	opts = opts.withDefaults()
	dir, err := os.MkdirTemp("", "conform-selftest-")
	if err != nil {
		return Result{}, fmt.Errorf("selftest: %w", err)
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	jobs := schedule(table)
	results := make([][]SuiteRun, len(table))
	pending := make([]int, len(table))
	for i, e := range table {
		results[i] = make([]SuiteRun, len(e.Runs()))
		pending[i] = len(e.Runs())
	}
	finished := runJobs(ctx, opts, table, jobs, dir)

	out := Result{Parallel: opts.Parallel, Runs: len(jobs), Entries: make([]EntryResult, 0, len(table))}
	control := slices.IndexFunc(table, func(e Entry) bool { return e.Kind == Control })
	next := 0 // the next entry to judge, in table order
	for d := range finished {
		results[d.entry][d.run] = d.res
		pending[d.entry]--
		for next < len(table) && pending[next] == 0 && (control < 0 || pending[control] == 0) {
			var ref *SuiteRun
			if control >= 0 {
				ref = &results[control][0]
			}
			er := judge(table[next], results[next], ref)
			out.Entries = append(out.Entries, er)
			if opts.OnEntry != nil {
				opts.OnEntry(er)
			}
			next++
		}
	}
	out.Duration = time.Since(start)
	switch {
	case ctx.Err() != nil:
		out.Stopped = "stopped: " + ctx.Err().Error()
	case next < len(table):
		out.Stopped = "stopped before every run was done"
	}
	out.OK = out.Stopped == "" && !slices.ContainsFunc(out.Entries, func(e EntryResult) bool { return !e.OK })
	return out, nil
}

// withDefaults fills in what opts leaves unset.
func (opts Options) withDefaults() Options {
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel()
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = 3 * time.Minute
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	return opts
}

// runJobs runs the jobs opts.Parallel at a time, each run's JSON report in
// dir, and sends each result as it is done; the channel closes once every
// job ran or ctx ended.
func runJobs(ctx context.Context, opts Options, table []Entry, jobs []job, dir string) <-chan done {
	work := make(chan job)
	finished := make(chan done)
	var wg sync.WaitGroup
	for range min(opts.Parallel, len(jobs)) {
		wg.Go(func() {
			for j := range work {
				path := filepath.Join(dir, fmt.Sprintf("%d-%d.json", j.entry, j.run))
				finished <- done{j, runOne(ctx, opts, table[j.entry], j.strict, path)}
			}
		})
	}
	go func() {
		defer close(work)
		for _, j := range jobs {
			select {
			case work <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(finished)
	}()
	return finished
}

// schedule orders the runs: the plain reference first (every variation is
// judged against it), then the entries with a shortened window (the
// longest runs), then the table's order.
func schedule(table []Entry) []job {
	order := make([]int, len(table))
	for i := range order {
		order[i] = i
	}
	rank := func(e Entry) int {
		switch {
		case e.Kind == Control:
			return 0
		case e.Window > 0:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank(table[a]) - rank(table[b]) })
	var jobs []job
	for _, i := range order {
		for r, strict := range table[i].Runs() {
			jobs = append(jobs, job{entry: i, run: r, strict: strict})
		}
	}
	return jobs
}

// DefaultParallel is how many suite runs go at once by default: twice the
// cores, since a run spends most of its time waiting (on Retry-After, on
// its pacing) — a whole selftest uses a few seconds of CPU.
func DefaultParallel() int { return 2 * runtime.GOMAXPROCS(0) }

// runOne serves a fresh reference for the entry on loopback and runs
// conform against it once, reading the run's JSON report.
func runOne(ctx context.Context, opts Options, e Entry, strict bool, reportPath string) (res SuiteRun) {
	res = SuiteRun{Strict: strict, Exit: -1}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	if err := ctx.Err(); err != nil {
		res.Problem = "not run: " + err.Error()
		return res
	}
	ref := reference.New(e.Options()...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		res.Problem = "cannot listen on loopback: " + err.Error()
		return res
	}
	srv := &http.Server{Handler: ref, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	args := []string{"run", "--base-url", "http://" + ln.Addr().String() + "/api/v1", "--json-report", reportPath, "--no-color"}
	if e.Window > 0 {
		profile := strings.TrimSuffix(reportPath, ".json") + "-profile.json"
		if err := writeWindowProfile(profile, e.Window); err != nil {
			res.Problem = "cannot write the profile of the shortened window: " + err.Error()
			return res
		}
		args = append(args, "--profile", profile)
	}
	if strict {
		args = append(args, "--strict")
	}
	rctx, cancel := context.WithTimeout(ctx, opts.RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, opts.Executable, args...)
	cmd.Env = childEnv(opts.Env, ref.Tokens())
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Exit = ee.ExitCode()
	case err != nil:
		res.Problem = "cannot run conform: " + err.Error()
		return res
	default:
		res.Exit = 0
	}
	if rctx.Err() != nil {
		res.Problem = "stopped: " + rctx.Err().Error()
		return res
	}
	if res.Exit != 0 && res.Exit != 1 {
		res.Problem = fmt.Sprintf("conform exited %d: %s", res.Exit, firstLine(stderr.String()))
		return res
	}
	if err := res.readReport(reportPath); err != nil {
		res.Problem = err.Error()
	}
	return res
}

// readReport fills in the run's checks, failures, warnings and checks
// without a verdict from its JSON report.
func (res *SuiteRun) readReport(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("no JSON report: %w", err)
	}
	// Only the checks' names and statuses are judged: their evidence, most
	// of the report, is not decoded.
	var r struct {
		Checks []checkStatus `json:"checks"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("the JSON report does not decode: %w", err)
	}
	res.Checks = len(r.Checks)
	res.Failed, res.Warned, res.NoVerdict = []string{}, []string{}, []string{}
	for _, c := range r.Checks {
		switch c.Status {
		case report.Failed:
			res.Failed = append(res.Failed, c.name())
		case report.Warning:
			res.Warned = append(res.Warned, c.name())
		case report.Skipped, report.Inconclusive, report.NotRun, report.Error:
			res.NoVerdict = append(res.NoVerdict, c.name())
		}
	}
	return nil
}

// checkStatus is what the self-test reads of a report.Check.
type checkStatus struct {
	ID      string        `json:"id"`
	Variant string        `json:"variant"`
	Status  report.Status `json:"status"`
}

func (c checkStatus) name() string { return report.Check{ID: c.ID, Variant: c.Variant}.Name() }

// writeWindowProfile writes the embedded profile with the rate window w
// (rate_limit.refill_seconds): the reference of the run serves the same
// limits per w, and the run paces itself as a client of that target would.
func writeWindowProfile(path string, w time.Duration) error {
	dec := json.NewDecoder(bytes.NewReader(fixtures.DefaultJSON()))
	dec.UseNumber()
	var p map[string]any
	if err := dec.Decode(&p); err != nil {
		return err
	}
	rl, ok := p["rate_limit"].(map[string]any)
	if !ok {
		return errors.New("the embedded profile has no rate_limit object")
	}
	rl["refill_seconds"] = int(w / time.Second)
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// childEnv is base without the variables conform run reads (a user's
// CONFORM_PROFILE or GITHUB_STEP_SUMMARY would change or leak into every
// run), with the reference's tokens.
func childEnv(base []string, tokens map[string]string) []string {
	var env []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CONFORM_") || name == "GITHUB_STEP_SUMMARY" || name == "NO_COLOR" {
			continue
		}
		env = append(env, kv)
	}
	roles := make([]string, 0, len(tokens))
	for role := range tokens {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	for _, role := range roles {
		env = append(env, probe.Role(role).Var()+"="+tokens[role])
	}
	return env
}

// limitedBuffer keeps the first 8 KiB written to it: enough for conform's
// one-line errors, bounded whatever a broken child prints.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 8<<10 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if s == "" {
		return "no message"
	}
	return s
}

// judge decides an entry from its runs; control is the plain reference's
// run, which a variation's number of checks must match.
func judge(e Entry, runs []SuiteRun, control *SuiteRun) EntryResult {
	er := EntryResult{Entry: e, Runs: runs}
	problem := func(format string, args ...any) { er.Problems = append(er.Problems, fmt.Sprintf(format, args...)) }
	for _, r := range runs {
		if r.Problem != "" {
			problem("%s run: %s", mode(r.Strict), r.Problem)
		}
	}
	if len(er.Problems) > 0 {
		return er
	}
	switch e.Kind {
	case Deviation:
		r := runs[0]
		if r.Exit != 1 {
			problem("the run exited %d, want 1", r.Exit)
		}
		er.CaughtBy, er.AlsoFailed = split(e.Catch, r.Failed)
		if missed := missing(e.Catch, r.Failed); len(missed) > 0 {
			problem("%s did not fail (failed: %s)", strings.Join(missed, ", "), listOrNone(r.Failed))
		}
		if e.Alone && len(er.AlsoFailed) > 0 {
			problem("%s failed too: this fault unchecks one rule, so only the probe that isolates it may fail", strings.Join(er.AlsoFailed, ", "))
		}
	case ShouldDeviation:
		lenient, strict := runs[0], runs[1]
		want := e.Catch[0]
		if lenient.Exit != 0 || !slices.Contains(lenient.Warned, want) || len(lenient.Failed) > 0 {
			problem("default run: exit %d, warnings %s, failures %s; want exit 0 with a warning in %s", lenient.Exit, listOrNone(lenient.Warned), listOrNone(lenient.Failed), want)
		}
		if strict.Exit != 1 || !slices.Contains(strict.Failed, want) {
			problem("--strict run: exit %d, failures %s; want exit 1 failing %s", strict.Exit, listOrNone(strict.Failed), want)
		}
		er.CaughtBy, er.AlsoFailed = split(e.Catch, strict.Failed)
	case Variation, Control:
		r := runs[0]
		if r.Exit != 0 || len(r.Failed) > 0 || len(r.Warned) > 0 {
			problem("exit %d, failures %s, warnings %s; want exit 0 with neither", r.Exit, listOrNone(r.Failed), listOrNone(r.Warned))
		}
		if want := e.NoVerdict; !sameSet(r.NoVerdict, want) {
			problem("no verdict for %s, want %s: a variation must not leave checks unjudged unnoticed", listOrNone(r.NoVerdict), listOrNone(want))
		}
		switch {
		case r.Checks == 0:
			problem("the run reported no check")
		case e.Kind == Variation && control != nil && control.Problem == "" && r.Checks != control.Checks:
			problem("%d checks, the plain reference's run has %d", r.Checks, control.Checks)
		}
	}
	er.OK = len(er.Problems) == 0
	return er
}

func mode(strict bool) string {
	if strict {
		return "--strict"
	}
	return "default"
}

// split is want's checks that are in got, and got's that are not in want.
func split(want, got []string) (in, beyond []string) {
	for _, w := range want {
		if slices.Contains(got, w) {
			in = append(in, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			beyond = append(beyond, g)
		}
	}
	return in, beyond
}

func missing(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
