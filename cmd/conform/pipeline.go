package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/version"
	"github.com/cornect/conform/suite"
)

// A run, from a parsed configuration to its result: what it checks
// (profile, TLS, baseline, tokens), its target (the base URL, or the
// embedded reference), its plan (decided once, the OpenAPI sweep's
// operations added), the client, the preflight, the suite, and the result
// with its verdict. Each stage is a method of pipeline; a stage that stops
// the run returns a stop, which says the exit code and the one line why.

// pipeline is one `conform run` under way.
type pipeline struct {
	cfg               runConfig
	stdout, reportOut io.Writer // the console's stream, and the one a report given as "-" goes to
	stderr            io.Writer
	early             *probe.RedactingWriter // stderr until the tokens are known: anything shaped like one masked

	prof   *fixtures.Profile
	tlsCfg *tls.Config
	bl     *baselineRun

	target   report.Target
	tokens   map[probe.Role]string // the tokens the run uses (the reference mints its own)
	byRole   map[probe.Role]probe.Credential
	redactor *probe.Redactor
	out      *probe.RedactingWriter // the console, tokens masked
	errOut   *probe.RedactingWriter // stderr, tokens masked
	term     *report.TerminalWriter // for what quotes the target raw: -v and the progress lines
	sweep    *openapi.Sweep         // with --openapi

	closers []func() // run last first when the run is over
}

// stop ends a run before its result: exit code, and the line that says why.
type stop struct {
	code int
	msg  string
}

func (s *stop) Error() string { return s.msg }

func stopf(code int, format string, args ...any) *stop {
	return &stop{code, fmt.Sprintf(format, args...)}
}

// newPipeline is a run of cfg. A report given as "-" has standard output
// to itself; the console then goes to standard error.
func newPipeline(cfg runConfig, stdout, stderr io.Writer, early *probe.RedactingWriter) *pipeline {
	p := &pipeline{cfg: cfg, stdout: stdout, reportOut: stdout, stderr: stderr, early: early}
	if cfg.stdoutReport() {
		p.stdout = stderr
	}
	return p
}

// close undoes what the run set up (the reference, the writers' buffers).
func (p *pipeline) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

// errw is where the run's errors go: masking the tokens once they are known.
func (p *pipeline) errw() io.Writer {
	if p.errOut != nil {
		return p.errOut
	}
	return p.early
}

// execute runs the pipeline. It returns the run's result, its verdict
// decided; or nil and why the run stopped before one; or nil and nil for
// a dry run that printed its plan.
func (p *pipeline) execute(ctx context.Context) (*report.Result, error) {
	if err := p.prepare(ctx); err != nil {
		return nil, err
	}
	if p.cfg.DryRun {
		// Nothing is kept but the plan, even of a document of thousands of operations.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(dryRunMemoryLimit))
		return nil, p.dryRun(ctx)
	}
	if err := p.startTarget(ctx); err != nil {
		return nil, err
	}
	plan, err := p.plan(ctx, p.target.BaseURL)
	if err != nil {
		return nil, err
	}
	return p.run(ctx, plan)
}

// prepare reads what the run checks before it knows its target: the
// reports' paths, the profile, TLS, the baseline, the tokens of
// --token-command. Every problem here is the user's: exit 2.
func (p *pipeline) prepare(ctx context.Context) error {
	cfg := &p.cfg
	if err := checkReports(*cfg, p.reportOut, p.stderr); err != nil {
		return stopf(exitUsage, "%v", err)
	}
	var err error
	p.prof = fixtures.Default()
	if cfg.Profile != "" {
		if p.prof, err = fixtures.Load(cfg.Profile); err != nil {
			return stopf(exitUsage, "%v", err)
		}
	}
	if p.tlsCfg, err = tlsConfig(*cfg); err != nil {
		return stopf(exitUsage, "%v", err)
	}
	if p.bl, err = prepareBaseline(*cfg, p.prof); err != nil {
		return stopf(exitUsage, "%v", err)
	}
	if cfg.TokensFromCommand, err = tokensWithCommand(ctx, cfg); err != nil {
		return stopf(exitUsage, "%v", err)
	}
	return nil
}

// startTarget settles the target and its tokens (the embedded reference
// when no base URL is given, started here), and masks the tokens in
// everything printed from here on.
func (p *pipeline) startTarget(ctx context.Context) error {
	p.target = report.Target{BaseURL: p.cfg.BaseURL, Profile: p.prof.Source()}
	p.tokens = p.cfg.Tokens
	if p.cfg.BaseURL == "" {
		ref, err := startReference(ctx, p.prof.BasePath)
		if err != nil {
			return stopf(exitInternal, "starting the embedded reference server: %v", err)
		}
		p.closers = append(p.closers, ref.stop)
		p.target.BaseURL, p.target.Reference, p.tokens = ref.baseURL, true, ref.tokens
	} else {
		limit := debug.SetMemoryLimit(runMemoryLimit)
		p.closers = append(p.closers, func() { debug.SetMemoryLimit(limit) })
	}
	var creds []probe.Credential
	p.byRole, creds = probe.Credentials(p.tokens)
	p.redactor = probe.NewRedactor(creds...)
	p.out = probe.NewRedactingWriter(p.stdout, p.redactor)
	p.errOut = probe.NewRedactingWriter(p.stderr, p.redactor)
	p.term = report.NewTerminalWriter(p.out)
	p.closers = append(p.closers, func() { p.out.Flush() }, func() { p.errOut.Flush() }, func() { p.term.Flush() })
	return nil
}

// plan decides the run's plan for the tokens of the run, once; with
// --openapi, the document is read only once the filters are known to
// select something, and its operations join the plan.
func (p *pipeline) plan(ctx context.Context, baseURL string) (*suite.Plan, error) {
	plan, err := suite.NewPlan(suite.PlanConfig{
		Profile: p.prof, Tokens: p.byRole, Filters: p.cfg.filters(),
		AuthCoverage: suite.AuthCoverage(p.cfg.AuthCoverage), FailedAuthLimit: p.cfg.FailedAuthLimit,
	})
	switch {
	case err != nil:
		return nil, stopf(exitUsage, "%v", err)
	case plan.Selected() == 0 && !p.cfg.DryRun: // a dry run shows what the filters left out
		return nil, stopf(exitUsage, "%v; nothing was sent", suite.ErrNothingSelected)
	case p.cfg.OpenAPI == "":
		return plan, nil
	}
	if p.sweep, err = openapi.Discover(ctx, p.cfg.OpenAPI, baseURL, p.tlsCfg, p.prof); err != nil {
		if ctx.Err() != nil { // Ctrl-C while the document was read
			return nil, stopf(exitIncomplete, "stopped while reading the OpenAPI document; nothing was sent to the target")
		}
		return nil, stopf(exitUsage, "--openapi: %v", err)
	}
	return plan.WithOperations(p.sweep.Ops), nil
}

// run sends the plan's probes: the client, the preflight, the suite. Long
// waits show on stderr; what goes to stdout while the run lasts passes
// above the progress line.
func (p *pipeline) run(ctx context.Context, plan *suite.Plan) (*report.Result, error) {
	progress := report.NewWaitProgress(p.stderr, isTerminal(p.stderr), plan.Selected(), p.redactor.String)
	defer progress.Close()
	live := progress.Above(p.term)
	client, err := plan.NewClient(probe.Options{
		BaseURL: p.target.BaseURL, Timeout: p.cfg.RequestTimeout, TLSConfig: p.tlsCfg,
		UserAgent: "conform/" + version.Build(), Concurrency: p.cfg.Concurrency, Clock: clockFrom(ctx),
		Logf: func(format string, args ...any) {
			// Each wait, as it happens, for -v; the reports get a summary.
			if p.cfg.Verbose {
				fmt.Fprintln(live, "  … "+fmt.Sprintf(format, args...))
			}
		},
		OnWait: progress.ProbeWait,
	})
	if err != nil {
		return nil, stopf(exitUsage, "%v", err)
	}
	printHeader(p.out, p.cfg, p.target, p.byRole)
	if p.sweep != nil {
		fmt.Fprintf(p.out, "sweeping %d operations from the OpenAPI document %s\n\n", len(p.sweep.Ops), p.sweep.Location)
	}
	if code, msg := preflight(ctx, client, p.prof); code != exitOK {
		return nil, stopf(code, "%s", msg)
	}
	if !flag.Parsed() {
		// Ginkgo registers its flags on the default set; parse it (empty) so
		// its configuration is final before suite.Run overrides it.
		_ = flag.CommandLine.Parse(nil)
	}
	shown := liveVerdicts{}
	opts := suite.Options{
		Client: client, Strict: p.cfg.Strict, SuiteTimeout: p.cfg.SuiteTimeout, Verbose: p.cfg.Verbose,
		Progress: func(c report.Check) {
			progress.CheckDone()
			if p.cfg.Verbose {
				// Each check as it ends, for -v; the summary says the rest.
				printProgress(live, c)
				shown.note(c)
			}
		},
		Clock: waitClock{Clock: clockFrom(ctx), p: progress},
	}
	if p.cfg.Verbose {
		opts.GinkgoOutput = live
	}
	started := time.Now()
	outcome, err := suite.Run(ctx, plan, opts)
	if p.cfg.Verbose && err == nil {
		shown.printRevised(live, outcome.Checks)
	}
	progress.Close()
	if errors.Is(err, suite.ErrNothingSelected) {
		// Nothing ran: no report, since an empty one would read as a pass.
		return nil, stopf(exitUsage, "%v; no request sent, no report written", err)
	}
	if err != nil {
		return nil, stopf(exitInternal, "%v", err)
	}
	return p.result(plan, client, outcome, started), nil
}

// result is the run's result, its verdict decided (report.Decide) once
// the baseline has said which failures it knew.
func (p *pipeline) result(plan *suite.Plan, client *probe.Client, outcome suite.Outcome, started time.Time) *report.Result {
	var notes []string
	if p.sweep != nil {
		notes = p.sweep.Notes()
	}
	if len(outcome.NotFound) > 0 {
		notes = append(notes, fmt.Sprintf("coverage: %d operations of the OpenAPI document answered 404 to every authentication probe, so they are not at the base URL and were left out of the auth checks: %s",
			len(outcome.NotFound), strings.Join(outcome.NotFound, ", ")))
	}
	notes = append(notes, waitNotes(client.Stats(), outcome.Checks)...)
	notes = append(notes, wireNotes(client.Stats(), outcome.Checks)...)
	result := report.Result{
		Tool:            "conform",
		Version:         version.Build(),
		ContractVersion: version.Contract,
		Target:          p.target,
		Config:          reportedConfig(p.cfg, p.tokens),
		StartedAt:       started.UTC(),
		Duration:        time.Since(started),
		Strict:          p.cfg.Strict,
		Checks:          outcome.Checks,
		Stats:           client.Stats(),
		Notes:           notes,
		Incomplete:      outcome.Incomplete,
		TargetLost:      outcome.TargetLost,
		RequireAll:      p.cfg.requireAll(),
		RequireVerified: p.cfg.requireVerified(),
		RequiredBy:      p.cfg.requiredBy(),
	}
	_, result.UnsetTokens = requiredSkipped(result.Checks, plan.Specs(), p.byRole)
	p.bl.attach(&result)
	result.Verdict = report.Decide(result)
	return &result
}

// finish prints the summary, writes the reports and the baseline, and
// says why the run did not pass; the exit code is the verdict's, or
// exitReportFailed when a report could not be written.
func (p *pipeline) finish(result report.Result) int {
	if p.cfg.Verbose {
		fmt.Fprintln(p.out)
	}
	// The header went out when the run started (printHeader).
	if err := report.Console(p.out, result, report.ConsoleOptions{Color: !p.cfg.NoColor && isTerminal(p.stdout), Verbose: p.cfg.Verbose, NoHeader: true}); err != nil {
		fmt.Fprintf(p.errOut, "conform run: writing the summary: %v\n", err)
	}
	failed := writeReports(p.cfg, result, p.redactor, p.out, p.reportOut, p.errOut)
	if !p.bl.finish(result, p.redactor, p.out, p.errOut) {
		failed++
	}
	for _, l := range result.Verdict.Why {
		fmt.Fprintf(p.errOut, "conform run: %s\n", l)
	}
	if failed > 0 {
		fmt.Fprintf(p.errOut, "conform run: %s could not be written (see above); the verdict stands: %s\n", report.Plural(failed, "report"), result.Verdict.Headline)
		return exitReportFailed
	}
	return result.Verdict.ExitCode
}
