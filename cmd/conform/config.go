package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
	"github.com/cornect/conform/suite"
)

// runConfig is the configuration of `conform run`. Precedence: flags, then
// environment, then defaults; the profile file describes the target, not
// the run. Tokens come only from the environment or from the output of
// --token-command, never from a flag's value.
type runConfig struct {
	BaseURL        string
	Profile        string
	JUnitReport    string
	JSONReport     string
	HTMLReport     string
	SummaryMD      string
	ReportDir      string
	LabelFilter    string
	Focus          []string
	Skip           []string
	RequestTimeout time.Duration
	SuiteTimeout   time.Duration
	Verbose        bool
	Strict         bool
	NoColor        bool
	CACert         string
	Insecure       bool
	DryRun         bool
	OpenAPI        string
	Concurrency    int // requests in flight at most
	// FailedAuthLimit (--failed-auth-limit) paces the requests that must
	// fail authentication, per minute; 0 takes the profile's.
	FailedAuthLimit int
	AuthCoverage    string // --auth-coverage: spread or full
	// RequireAll (--require-all) fails the run when a MUST check is skipped
	// for a token not set; CI (CI=true in the environment) does too, unless
	// AllowSkips (--allow-skips).
	RequireAll bool
	AllowSkips bool
	// AllowInconclusive (--allow-inconclusive) lets MUST checks that end
	// inconclusive pass under --require-all or in CI.
	AllowInconclusive bool
	CI                bool
	Baseline          baselineFlags // --baseline, --write-baseline (baseline.go)
	// Tokens by role, from CONFORM_TOKEN_<ROLE>, then from TokenCommand
	// for the roles the environment leaves unset; values never printed.
	Tokens map[probe.Role]string
	// TokenCommand (--token-command, CONFORM_TOKEN_COMMAND) prints tokens
	// as a JSON object; run once, by runCmd (tokencommand.go).
	TokenCommand        string
	TokenCommandTimeout time.Duration
	TokensFromCommand   []probe.Role // the roles whose token the command gave
	// StepSummary is $GITHUB_STEP_SUMMARY, where the Markdown summary is appended.
	StepSummary string
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runFlags defines the flags of conform run on a new flag set, their
// defaults taken from getenv, and returns the set and the configuration its
// parsing fills in.
func runFlags(getenv func(string) string) (*flag.FlagSet, *runConfig) {
	c := &runConfig{Tokens: map[probe.Role]string{}}
	fs := newFlagSet("run")
	fs.StringVar(&c.BaseURL, "base-url", getenv("CONFORM_BASE_URL"), "base `URL` of the API under test, e.g. https://staging.example.com/api/v1 (env CONFORM_BASE_URL); empty: the embedded reference server")
	fs.StringVar(&c.Profile, "profile", getenv("CONFORM_PROFILE"), "target profile JSON `FILE` (env CONFORM_PROFILE); empty: the embedded profile of the documented CAPI")
	fs.StringVar(&c.JUnitReport, "junit-report", "", "write a JUnit XML report to this `FILE` (- for standard output)")
	fs.StringVar(&c.JSONReport, "json-report", "", "write a JSON report to this `FILE` (- for standard output)")
	fs.StringVar(&c.HTMLReport, "html-report", "", "write a self-contained HTML report to this `FILE` (- for standard output)")
	fs.StringVar(&c.SummaryMD, "summary-md", "", "write a Markdown summary to this `FILE` (- for standard output)")
	fs.StringVar(&c.ReportDir, "report-dir", "", "write junit.xml, report.json, report.html, summary.md and config.json (token values masked) into this `DIR`")
	fs.StringVar(&c.LabelFilter, "label-filter", "", "run only checks whose labels match this `EXPRESSION`, e.g. 'auth || scope' or '!rate-limit'")
	fs.Var((*stringList)(&c.Focus), "focus", "run only checks whose text matches this `REGEXP` (repeatable)")
	fs.Var((*stringList)(&c.Skip), "skip", "leave out checks whose text matches this `REGEXP` (repeatable)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", 10*time.Second, "timeout of one request, a `DURATION` such as 30s")
	fs.DurationVar(&c.SuiteTimeout, "suite-timeout", 10*time.Minute, "timeout of the whole run, a `DURATION` such as 20m")
	fs.BoolVar(&c.Verbose, "v", false, "verbose: every check and every exchange")
	fs.BoolVar(&c.Strict, "strict", false, "fail the run on SHOULD-level findings too")
	fs.BoolVar(&c.NoColor, "no-color", getenv("NO_COLOR") != "", "no ANSI colours (env NO_COLOR)")
	fs.StringVar(&c.CACert, "ca-cert", getenv("CONFORM_CA_CERT"), "PEM `FILE` of a CA to trust for the target's TLS certificate (env CONFORM_CA_CERT)")
	fs.BoolVar(&c.Insecure, "insecure", false, "skip TLS certificate verification (never against a real deployment)")
	fs.StringVar(&c.OpenAPI, "openapi", getenv("CONFORM_OPENAPI"), "OpenAPI document (`FILE|URL`) whose operations the auth and scope checks sweep (env CONFORM_OPENAPI); empty: the profile's endpoints")
	fs.IntVar(&c.Concurrency, "concurrency", probe.DefaultConcurrency, "requests in flight at most, `N` ≥ 1; --concurrency 2 probes a small worker pool gently")
	fs.IntVar(&c.FailedAuthLimit, "failed-auth-limit", 0, "requests that must fail authentication, `N` a minute at most, all operations together (the docs publish no number; default: the profile's rate_limit.failed_auth_per_minute, else 120)")
	fs.StringVar(&c.AuthCoverage, "auth-coverage", string(suite.AuthSpread), "which operations each auth check probes, `MODE`: spread (each on every profile endpoint, one check per other operation, in turn) or full (every check on every operation)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "print which checks would run or skip, and why, and the operations --openapi would sweep, without sending the target a request")
	fs.BoolVar(&c.RequireAll, "require-all", false, "exit 6 when a MUST check is skipped for a token not set, exit 7 when one ends inconclusive (the default in CI: CI=true)")
	fs.BoolVar(&c.AllowSkips, "allow-skips", false, "let MUST checks skipped for a token not set pass, even in CI")
	fs.BoolVar(&c.AllowInconclusive, "allow-inconclusive", false, "let MUST checks that end inconclusive pass, even in CI (by default there they fail the run, exit 7)")
	fs.StringVar(&c.TokenCommand, "token-command", getenv("CONFORM_TOKEN_COMMAND"), "shell `COMMAND` run once that prints the tokens as a JSON object, {\"CONFORM_TOKEN_READ\": \"cornect_…\", …}; a CONFORM_TOKEN_* variable set in the environment wins over its key (env CONFORM_TOKEN_COMMAND)")
	fs.DurationVar(&c.TokenCommandTimeout, "token-command-timeout", defaultTokenCommandWait, "how long --token-command may take, a `DURATION`")
	c.Baseline.register(fs)
	return fs, c
}

// parseRunConfig reads flags and the environment. The writer is unused:
// errors are returned ready to print, a flag error as one line and a hint.
func parseRunConfig(args []string, getenv func(string) string, _ io.Writer) (runConfig, error) {
	fs, cp := runFlags(getenv)
	err := parseFlags(fs, args)
	c := *cp
	if err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		// Not quoted back: a stray argument is often a pasted token.
		return c, fmt.Errorf("unexpected argument, not shown in case it is a token (tokens come from CONFORM_TOKEN_* variables, never from the command line)")
	}
	for _, role := range probe.Roles() {
		if v := getenv(role.Var()); v != "" {
			c.Tokens[role] = v
		}
	}
	c.StepSummary = getenv("GITHUB_STEP_SUMMARY")
	c.CI = inCI(getenv("CI"))
	return c, c.Validate()
}

// inCI reads $CI as GitHub Actions and GitLab CI set it ("true"); "1" and
// "yes" count too, any other value (or none) does not.
func inCI(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// requireAll says whether MUST checks skipped for a token not set fail the
// run: --require-all, or CI, unless --allow-skips.
func (c runConfig) requireAll() bool { return !c.AllowSkips && (c.RequireAll || c.CI) }

// requireVerified says whether MUST checks that end inconclusive fail the
// run: --require-all, or CI, unless --allow-inconclusive.
func (c runConfig) requireVerified() bool { return !c.AllowInconclusive && (c.RequireAll || c.CI) }

// requiredBy names what set the CI rules, for the line that says a run
// fails by them.
func (c runConfig) requiredBy() string {
	if c.RequireAll {
		return "--require-all"
	}
	return "CI=true"
}

// filters are the run's spec selection.
func (c runConfig) filters() suite.Filters {
	return suite.Filters{LabelFilter: c.LabelFilter, Focus: c.Focus, Skip: c.Skip}
}

// Validate reports every configuration problem at once.
func (c runConfig) Validate() error {
	var errs []error
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--base-url %q: %v", c.BaseURL, err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("--base-url %q: must start with http:// or https://", c.BaseURL))
		case u.Host == "":
			errs = append(errs, fmt.Errorf("--base-url %q: has no host", c.BaseURL))
		case u.User != nil:
			errs = append(errs, fmt.Errorf("--base-url %q: must not hold credentials (not shown); tokens come from CONFORM_TOKEN_* variables", withoutUserinfo(u)))
		case u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, fmt.Errorf("--base-url %q: must not have a query or fragment", c.BaseURL))
		}
	}
	errs = append(errs, c.validateStdout()...)
	if c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--request-timeout must be positive, got %s", c.RequestTimeout))
	}
	if c.SuiteTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--suite-timeout must be positive, got %s", c.SuiteTimeout))
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("--concurrency must be at least 1, got %d", c.Concurrency))
	}
	if c.FailedAuthLimit < 0 || c.FailedAuthLimit > fixtures.MaxLimitPerMinute {
		errs = append(errs, fmt.Errorf("--failed-auth-limit must be between 1 and %d requests a minute, got %d", fixtures.MaxLimitPerMinute, c.FailedAuthLimit))
	}
	if c.AuthCoverage != "" && c.AuthCoverage != string(suite.AuthSpread) && c.AuthCoverage != string(suite.AuthFull) {
		errs = append(errs, fmt.Errorf("--auth-coverage must be %s or %s, got %q", suite.AuthSpread, suite.AuthFull, c.AuthCoverage))
	}
	if c.LabelFilter != "" {
		if _, err := types.ParseLabelFilter(c.LabelFilter); err != nil {
			errs = append(errs, fmt.Errorf("--label-filter %q: %s", c.LabelFilter, plainText(err.Error())))
		}
	}
	for _, f := range c.Focus {
		if _, err := regexp.Compile(f); err != nil {
			errs = append(errs, fmt.Errorf("--focus %q: %v", f, err))
		}
	}
	for _, f := range c.Skip {
		if _, err := regexp.Compile(f); err != nil {
			errs = append(errs, fmt.Errorf("--skip %q: %v", f, err))
		}
	}
	errs = append(errs, c.validateTokens())
	if c.TokenCommand != "" && c.TokenCommandTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--token-command-timeout must be positive, got %s", c.TokenCommandTimeout))
	}
	if c.BaseURL == "" && c.TokenCommand != "" {
		errs = append(errs, errors.New("--token-command needs a --base-url (the embedded reference mints its own tokens)"))
	}
	if c.RequireAll && c.AllowSkips {
		errs = append(errs, errors.New("--require-all and --allow-skips contradict each other; give one"))
	}
	if c.BaseURL == "" && (c.CACert != "" || c.Insecure) {
		errs = append(errs, errors.New("--ca-cert and --insecure need a --base-url (the embedded reference speaks plain HTTP)"))
	}
	return errors.Join(errs...)
}

// validateTokens reports every token value the redactor could not be
// trusted with, naming its variable, never its value.
func (c runConfig) validateTokens() error {
	var errs []error
	for _, role := range probe.Roles() {
		v := c.Tokens[role]
		if strings.IndexFunc(v, unicode.IsSpace) >= 0 || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			errs = append(errs, fmt.Errorf("%s holds white space or a control character (a trailing newline from a secret store?); the value is not shown", role.Var()))
		}
		if why := tooWeakToRedact(v); why != "" {
			errs = append(errs, fmt.Errorf("%s: %s, too little to tell it from ordinary text (redacting it would mask that text in every output); the value is not shown", role.Var(), why))
		}
	}
	return errors.Join(errs...)
}

// tooWeakToRedact says why a token value is too short or too plain for the
// redactor, which replaces each occurrence of it (and of its secret after
// cornect_) in every output, or "" when it is not. Tokens from real
// deployments and from the reference (cornect_ and 32 random characters)
// are far past these bounds.
func tooWeakToRedact(v string) string {
	const minLen, minSecret, minDistinct = 16, 12, 6
	if v == "" {
		return ""
	}
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	secret, hasPrefix := strings.CutPrefix(v, "cornect_")
	switch {
	case utf8.RuneCountInString(v) < minLen:
		return fmt.Sprintf("the value is shorter than %d characters", minLen)
	case hasPrefix && utf8.RuneCountInString(secret) < minSecret:
		return fmt.Sprintf("its secret after cornect_ is shorter than %d characters", minSecret)
	case len(distinct) < minDistinct:
		return fmt.Sprintf("it has fewer than %d different characters", minDistinct)
	}
	return ""
}

// withoutUserinfo shows a URL without its user and password: url.Redacted
// masks only the password, and a token is as likely to be given as the user.
func withoutUserinfo(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// Redact returns the configuration for reports, token values masked.
func (c runConfig) Redact() map[string]string {
	m := map[string]string{
		"base_url":          c.BaseURL,
		"profile":           c.Profile,
		"label_filter":      c.LabelFilter,
		"focus":             strings.Join(c.Focus, ","),
		"skip":              strings.Join(c.Skip, ","),
		"request_timeout":   c.RequestTimeout.String(),
		"suite_timeout":     c.SuiteTimeout.String(),
		"strict":            fmt.Sprint(c.Strict),
		"ca_cert":           c.CACert,
		"insecure":          fmt.Sprint(c.Insecure),
		"openapi":           c.OpenAPI,
		"concurrency":       fmt.Sprint(c.Concurrency),
		"failed_auth_limit": fmt.Sprint(c.FailedAuthLimit),
		"auth_coverage":     c.AuthCoverage,
		"require_all":       fmt.Sprint(c.requireAll()),
		"require_verified":  fmt.Sprint(c.requireVerified()),
		// The command is not shown: its arguments may hold a secret of
		// the store it asks.
		"token_command": map[bool]string{true: "set (not shown)", false: ""}[c.TokenCommand != ""],
	}
	for _, role := range probe.Roles() {
		v := "not set"
		if c.Tokens[role] != "" {
			v = "set (value hidden)"
		}
		m[role.Var()] = v
	}
	return m
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// plainText drops terminal colours and the link a library adds to its error.
func plainText(s string) string {
	s = ansiEscape.ReplaceAllString(s, "")
	s, _, _ = strings.Cut(s, "Learn more at:")
	return strings.TrimSpace(s)
}

// validateStdout checks the uses of "-": one report at most may be written
// to standard output, and a directory or the baseline file cannot be.
func (c runConfig) validateStdout() []error {
	var errs, named []string
	for _, f := range []struct{ flag, value string }{
		{"--junit-report", c.JUnitReport}, {"--json-report", c.JSONReport},
		{"--html-report", c.HTMLReport}, {"--summary-md", c.SummaryMD},
	} {
		if f.value == report.Stdout {
			named = append(named, f.flag)
		}
	}
	if len(named) > 1 {
		errs = append(errs, fmt.Sprintf("%s are all - (standard output): only one report may be written there; give the others a path", strings.Join(named, " and ")))
	}
	if c.ReportDir == report.Stdout {
		errs = append(errs, "--report-dir - : a directory cannot be standard output; give one report as - (--json-report -) or a directory path")
	}
	if c.Baseline.Write == report.Stdout {
		errs = append(errs, "--write-baseline - : the baseline is a file to keep beside the code; give its path")
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = errors.New(e)
	}
	return out
}

// stdoutReport says whether a report goes to standard output ("-"), which
// then holds that report alone: the console goes to standard error.
func (c runConfig) stdoutReport() bool {
	for _, p := range []string{c.JUnitReport, c.JSONReport, c.HTMLReport, c.SummaryMD} {
		if p == report.Stdout {
			return true
		}
	}
	return false
}
