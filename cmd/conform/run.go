package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/userfile"
	"github.com/cornect/conform/internal/version"
	"github.com/cornect/conform/suite"
)

// runCmd is `conform run`: preflight, the suite, the reports, the verdict.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Until the tokens are known, anything shaped like one is masked: a
	// usage error may quote a token pasted in the wrong place.
	early := probe.NewRedactingWriter(stderr, probe.NewShapeRedactor())
	defer early.Flush()
	cfg, err := parseRunConfig(args, os.Getenv, early)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(early, "conform run: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if err := checkReports(cfg); err != nil {
		fmt.Fprintf(early, "conform run: %v\n", err)
		return exitUsage
	}
	prof := fixtures.Default()
	if cfg.Profile != "" {
		if prof, err = fixtures.Load(cfg.Profile); err != nil {
			fmt.Fprintf(early, "conform run: %v\n", err)
			return exitUsage
		}
	}
	bl, err := prepareBaseline(cfg, prof)
	if err != nil {
		fmt.Fprintf(early, "conform run: %v\n", err)
		return exitUsage
	}
	if cfg.DryRun {
		return dryRun(cfg, prof, stdout, early)
	}
	if plan, err := suite.Plan(suite.Config{Profile: prof, Filters: cfg.filters()}); err != nil || !slices.ContainsFunc(plan, func(p suite.Planned) bool { return p.Selected }) {
		if err == nil {
			err = suite.ErrNothingSelected
		}
		fmt.Fprintf(early, "conform run: %v; nothing was sent\n", err)
		return exitUsage
	}
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		fmt.Fprintf(early, "conform run: %v\n", err)
		return exitUsage
	}

	target := report.Target{BaseURL: cfg.BaseURL, Profile: prof.Source()}
	tokens := cfg.Tokens
	if cfg.BaseURL == "" {
		ref, err := startReference(ctx, prof.BasePath)
		if err != nil {
			fmt.Fprintf(stderr, "conform run: starting the embedded reference server: %v\n", err)
			return exitInternal
		}
		defer ref.stop()
		target.BaseURL, target.Reference, tokens = ref.baseURL, true, ref.tokens
	}

	byRole, creds := probe.Credentials(tokens)
	// Everything printed from here on passes through the redactor.
	redactor := probe.NewRedactor(creds...)
	out := probe.NewRedactingWriter(stdout, redactor)
	errOut := probe.NewRedactingWriter(stderr, redactor)
	defer out.Flush()
	defer errOut.Flush()
	term := report.NewTerminalWriter(out) // for what quotes the target raw: -v and the progress lines
	defer term.Flush()

	var notes []string
	var ops []fixtures.Endpoint
	if cfg.OpenAPI != "" {
		var opNotes []string
		ops, opNotes, err = discoverOperations(ctx, cfg.OpenAPI, target.BaseURL, tlsCfg, prof)
		if err != nil {
			fmt.Fprintf(errOut, "conform run: --openapi: %v\n", err)
			return exitUsage
		}
		notes = append(notes, opNotes...)
	}
	client, err := probe.New(probe.Options{
		BaseURL:     target.BaseURL,
		Timeout:     cfg.RequestTimeout,
		TLSConfig:   tlsCfg,
		Credentials: creds,
		Limits:      operationLimits(prof, ops),
		UserAgent:   "conform/" + version.Build(),
		Logf: func(format string, args ...any) {
			// Each wait, as it happens, for -v; the reports get a summary.
			if cfg.Verbose {
				fmt.Fprintln(term, "  … "+fmt.Sprintf(format, args...))
			}
		},
	})
	if err != nil {
		fmt.Fprintf(errOut, "conform run: %v\n", err)
		return exitUsage
	}

	printHeader(out, cfg, target, byRole)
	if ops != nil {
		fmt.Fprintf(out, "sweeping %d operations from the OpenAPI document %s\n\n", len(ops), cfg.OpenAPI)
	}
	if code, msg := preflight(ctx, client, prof); code != exitOK {
		fmt.Fprintf(errOut, "conform run: %s\n", msg)
		return code
	}

	if !flag.Parsed() {
		// Ginkgo registers its flags on the default set; parse it (empty) so
		// its configuration is final before suite.Run overrides it.
		_ = flag.CommandLine.Parse(nil)
	}
	started := time.Now()
	var ginkgoOut io.Writer
	if cfg.Verbose {
		ginkgoOut = term
	}
	outcome, err := suite.Run(ctx, suite.Config{
		Client:       client,
		Profile:      prof,
		Operations:   ops,
		Tokens:       byRole,
		Strict:       cfg.Strict,
		Filters:      cfg.filters(),
		SuiteTimeout: cfg.SuiteTimeout,
		GinkgoOutput: ginkgoOut,
		Verbose:      cfg.Verbose,
		Progress:     func(c report.Check) { printProgress(term, c) },
	})
	if errors.Is(err, suite.ErrNothingSelected) {
		// Nothing ran: no report, since an empty one would read as a pass.
		fmt.Fprintf(errOut, "conform run: %v; no request sent, no report written\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(errOut, "conform run: %v\n", err)
		return exitInternal
	}
	notes = append(notes, waitNotes(client.Stats(), outcome.Checks)...)
	result := report.Result{
		Tool:            "conform",
		Version:         version.Suite,
		ContractVersion: version.Contract,
		Target:          target,
		Config:          reportedConfig(cfg, tokens),
		StartedAt:       started.UTC(),
		Duration:        time.Since(started),
		Strict:          cfg.Strict,
		Checks:          outcome.Checks,
		Stats:           client.Stats(),
		Notes:           notes,
		Incomplete:      outcome.Incomplete,
	}
	bl.attach(&result)
	fmt.Fprintln(out)
	if err := report.Console(out, result, report.ConsoleOptions{Color: !cfg.NoColor && isTerminal(stdout), Verbose: cfg.Verbose}); err != nil {
		fmt.Fprintf(errOut, "conform run: writing the summary: %v\n", err)
	}
	if err := writeReports(cfg, result, redactor, out); err != nil {
		fmt.Fprintf(errOut, "conform run: %v\n", err)
		return exitUsage
	}
	return bl.finish(result, redactor, out, errOut, verdictExit(result, errOut))
}

// roleTokens reads the reference's tokens by role.
func roleTokens(byName map[string]string) map[probe.Role]string {
	out := map[probe.Role]string{}
	for name, v := range byName {
		out[probe.Role(name)] = v
	}
	return out
}

// embeddedReference is the reference server of a run without --base-url.
type embeddedReference struct {
	baseURL string
	tokens  map[probe.Role]string
	stop    func()
}

// startReference serves the reference CAPI on a loopback port for this run.
func startReference(ctx context.Context, basePath string) (*embeddedReference, error) {
	srv := reference.New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &embeddedReference{
		baseURL: "http://" + ln.Addr().String() + basePath,
		tokens:  roleTokens(srv.Tokens()),
		stop: func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = hs.Shutdown(sctx)
		},
	}, nil
}

func tlsConfig(cfg runConfig) (*tls.Config, error) {
	if cfg.CACert == "" && !cfg.Insecure {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CACert != "" {
		pem, err := userfile.Read(cfg.CACert, 1<<20) // a CA bundle takes a few hundred KiB
		if err != nil {
			return nil, fmt.Errorf("reading --ca-cert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %q: no PEM certificate found", cfg.CACert)
		}
		tc.RootCAs = pool
	}
	tc.InsecureSkipVerify = cfg.Insecure
	return tc, nil
}

func printHeader(w io.Writer, cfg runConfig, t report.Target, tokens map[probe.Role]probe.Credential) {
	fmt.Fprintf(w, "conform %s — error contract of %s\n", version.Suite, version.Contract)
	if t.Reference {
		fmt.Fprintf(w, "target:  %s\n", t.BaseURL)
		fmt.Fprintln(w, "         the EMBEDDED REFERENCE SERVER, started for this run (no --base-url or CONFORM_BASE_URL given)")
		if len(cfg.Tokens) > 0 {
			fmt.Fprintln(w, "         CONFORM_TOKEN_* variables are ignored: the reference mints its own tokens")
		}
	} else {
		fmt.Fprintf(w, "target:  %s\n", t.BaseURL)
	}
	fmt.Fprintf(w, "profile: %s\n", t.Profile)
	var set, missing []string
	for _, role := range probe.Roles() {
		if _, ok := tokens[role]; ok {
			set = append(set, string(role))
		} else {
			missing = append(missing, role.Var())
		}
	}
	fmt.Fprintf(w, "tokens:  %d of %d set", len(set), len(probe.Roles()))
	if len(missing) > 0 {
		fmt.Fprintf(w, "; missing %s (their checks are skipped)", strings.Join(missing, ", "))
	}
	fmt.Fprintln(w)
	if cfg.Insecure {
		fmt.Fprintln(w, "WARNING: --insecure: the target's TLS certificate is NOT verified; tokens could be sent to an impostor")
	}
	fmt.Fprintln(w)
}

// verdictExit is the run's verdict as an exit code, with a line on stderr
// for the outcomes that are not a plain pass or fail.
func verdictExit(r report.Result, errOut io.Writer) int {
	c := r.Count()
	switch {
	case c.Errors > 0:
		for _, ch := range r.Checks {
			if ch.Status == report.Error {
				fmt.Fprintf(errOut, "conform run: internal error of conform (please report it): %s: %s\n", ch.Name(), ch.Headline())
				break
			}
		}
		return exitInternal
	case r.Incomplete != "":
		fmt.Fprintf(errOut, "conform run: the run stopped early (%s); the checks after that point did not run\n", r.Incomplete)
		return exitIncomplete
	case !r.Conformant():
		return exitViolations
	}
	return exitOK
}

func printProgress(w io.Writer, c report.Check) {
	mark := map[report.Status]string{
		report.Passed: "✓", report.Failed: "✗", report.Skipped: "–", report.Warning: "!",
		report.Inconclusive: "?", report.NotRun: "–", report.Error: "‼",
	}[c.Status]
	line := fmt.Sprintf("  %s %s %s", mark, c.Name(), c.Title)
	switch c.Status {
	case report.Skipped, report.Inconclusive, report.NotRun, report.Error:
		line += " (" + string(c.Status) + ": " + c.Headline() + ")"
	}
	fmt.Fprintln(w, line)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// waitNotes sums up the waiting a run did to respect the target's limits.
func waitNotes(st probe.Stats, checks []report.Check) []string {
	var notes []string
	if st.Retries > 0 {
		notes = append(notes, fmt.Sprintf("waited out %d 429s the suite did not provoke (%s of Retry-After): the target's limits are tighter than conform's pace, or other traffic shares them",
			st.Retries, st.RetryWaited.Round(time.Second)))
	}
	if st.PaceWaited > 0 {
		notes = append(notes, fmt.Sprintf("paced itself for %s to stay within the documented per-token limits", st.PaceWaited.Round(time.Second)))
	}
	throttled := 0
	for _, c := range checks {
		for _, ex := range c.Exchanges {
			if ex.Throttled {
				throttled++
			}
		}
	}
	if throttled > 0 {
		notes = append(notes, fmt.Sprintf("%d requests still got 429 when conform stopped waiting; the checks that needed them are skipped as inconclusive", throttled))
	}
	return notes
}

// reportedConfig is the run's configuration for reports, with the tokens
// the run really used (the reference mints its own), values masked.
func reportedConfig(cfg runConfig, used map[probe.Role]string) map[string]string {
	cfg.Tokens = used
	return cfg.Redact()
}
