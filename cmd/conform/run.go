package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/internal/userfile"
	"github.com/cornect/conform/internal/version"
	"github.com/cornect/conform/suite"
)

// runMemoryLimit is the heap a run aims to stay under (runtime/debug's
// soft limit makes the collector work harder as the heap nears it): a run
// keeps little, and garbage from large responses must not pile up. Only
// for a run against a target: the embedded reference's data set needs
// more, and serve and selftest keep references of their own. A dry run
// keeps only its plan.
const runMemoryLimit = 40 << 20

// dryRunMemoryLimit is the heap a dry run aims to stay under. It keeps the
// model of the OpenAPI document while it works out the sweep, which for a
// document at openapi.MaxOperations is most of it: at runMemoryLimit the
// collector would run all the time (10 s for such a dry run, 4 s here).
const dryRunMemoryLimit = 64 << 20

// runCmd is `conform run`: it parses the flags and runs the pipeline,
// whose result carries the verdict; the exit code is the verdict's.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Until the tokens are known, anything shaped like one is masked: a
	// usage error may quote a token pasted in the wrong place.
	early := probe.NewRedactingWriter(stderr, probe.NewShapeRedactor())
	defer early.Flush()
	cfg, err := parseRunConfig(args, getenvFrom(ctx), early)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(early, "conform run: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	p := newPipeline(cfg, stdout, stderr, early)
	defer p.close()
	result, err := p.execute(ctx)
	var stopped *stop
	switch {
	case errors.As(err, &stopped):
		fmt.Fprintf(p.errw(), "conform run: %s\n", stopped.msg)
		return stopped.code
	case err != nil: // every stage says how it stops; this is a defect of conform
		fmt.Fprintf(p.errw(), "conform run: %v\n", err)
		return exitInternal
	case result == nil: // a dry run
		return exitOK
	}
	return p.finish(*result)
}

// embeddedReference is the reference server of a run without --base-url.
type embeddedReference struct {
	baseURL string
	tokens  map[probe.Role]string
	stop    func()
}

// startReference serves the reference CAPI on a loopback port for this run.
func startReference(ctx context.Context, basePath string) (*embeddedReference, error) {
	srv := reference.New(reference.WithClock(clockFrom(ctx)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &embeddedReference{
		baseURL: "http://" + ln.Addr().String() + basePath,
		tokens:  probe.RoleValues(srv.Tokens()),
		// Every request of the run has had its answer when stop is called:
		// there is nothing to drain. (Shutdown would wait for connections the
		// transport dialed and never used, which net/http counts as busy for
		// their first 5 seconds.)
		stop: func() { _ = hs.Close() },
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
	fmt.Fprintf(w, "conform %s — error contract of %s\n", version.Build(), version.Contract)
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
	if n := len(cfg.TokensFromCommand); n > 0 && !t.Reference {
		fmt.Fprintf(w, " (%d by --token-command)", n)
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "; missing %s (their checks are skipped)", strings.Join(missing, ", "))
	}
	fmt.Fprintln(w)
	if cfg.Insecure {
		fmt.Fprintln(w, "WARNING: --insecure: the target's TLS certificate is NOT verified; tokens could be sent to an impostor")
	}
	fmt.Fprintln(w)
}

// requiredSkipped counts the MUST checks the run skipped for a token not
// set, and names the variables that would let them run, in the order of
// the roles: each need a check did not meet ("CONFORM_TOKEN_EXPIRED", or
// "CONFORM_TOKEN_READ_WRITE or CONFORM_TOKEN_NO_CREDITS" where either does).
func requiredSkipped(checks []report.Check, plan []suite.Planned, tokens map[probe.Role]probe.Credential) (int, []string) {
	needs := map[string][]suite.Need{}
	for _, p := range plan {
		needs[p.Name()] = p.Needs
	}
	n := 0
	unmet := map[string]bool{}
	for _, c := range checks {
		if c.Level != report.Must || c.Status != report.Skipped || c.Skip != report.SkipMissingToken {
			continue
		}
		n++
		for _, need := range needs[c.Name()] {
			if slices.ContainsFunc(need, func(r probe.Role) bool { _, ok := tokens[r]; return ok }) {
				continue
			}
			var vs []string
			for _, r := range need {
				vs = append(vs, r.Var())
			}
			unmet[strings.Join(vs, " or ")] = true
		}
	}
	rank := map[string]int{}
	for i, role := range probe.Roles() {
		rank[role.Var()] = i
	}
	vars := slices.Collect(maps.Keys(unmet))
	slices.SortFunc(vars, func(a, b string) int {
		fa, _, _ := strings.Cut(a, " ")
		fb, _, _ := strings.Cut(b, " ")
		if d := rank[fa] - rank[fb]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return n, vars
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

// liveVerdicts are the verdicts -v printed as each check ended. Some are
// judged again once the run ends: the warm probes that came back after
// their auth check (a shared cache that served a 200 late in the run) and
// the operations found broken across the run. The live lines said the
// first verdict; printRevised says the final one of those that changed, so
// a check shown ✓ while the run went never ends a failure unsaid.
type liveVerdicts struct {
	mu     sync.Mutex
	status map[string]report.Status
}

func (l *liveVerdicts) note(c report.Check) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.status == nil {
		l.status = map[string]report.Status{}
	}
	l.status[c.Name()] = c.Status
}

// printRevised prints, under one heading, each check whose final verdict
// is not the one its live line showed.
func (l *liveVerdicts) printRevised(w io.Writer, checks []report.Check) {
	l.mu.Lock()
	defer l.mu.Unlock()
	heading := false
	for _, c := range checks {
		was, ok := l.status[c.Name()]
		if !ok || was == c.Status {
			continue
		}
		if !heading {
			fmt.Fprintln(w, "  judged again once the run ended (warm probes, broken operations):")
			heading = true
		}
		printProgress(w, c)
	}
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
		notes = append(notes, fmt.Sprintf("waited out %s the suite did not provoke (%s of wall time on Retry-After): the target's limits are tighter than conform's pace, or other traffic shares them",
			report.Plural(int(st.Retries), "429"), st.RetryWall.Round(time.Second)))
	}
	if st.PaceWaited > 0 {
		notes = append(notes, fmt.Sprintf("paced itself for %s to stay within its limits (documented per token, assumed for failed authentication and undocumented operations)", st.PaceWaited.Round(time.Second)))
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
		notes = append(notes, fmt.Sprintf("%s still got 429 when conform stopped waiting; the checks that needed them are inconclusive", report.Plural(throttled, "request")))
	}
	return notes
}

// reportedConfig is the run's configuration for reports, with the tokens
// the run really used (the reference mints its own), values masked.
func reportedConfig(cfg runConfig, used map[probe.Role]string) map[string]string {
	cfg.Tokens = used
	return cfg.Redact()
}

// waitClock is the run's clock (suite.Options.Clock) with its waits shown:
// RATE-LIMIT-RECOVERY sits out the Retry-After of the 429 it provoked.
type waitClock struct {
	suite.Clock
	p *report.WaitProgress
}

func (c waitClock) Sleep(ctx context.Context, d time.Duration) error {
	c.p.Wait(d, "recovery", "RATE-LIMIT-RECOVERY sits out the Retry-After of the 429 it provoked")
	return c.Clock.Sleep(ctx, d)
}
