package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cornect/conform/internal/probe"
)

// The conventions every command shares, in one place:
//
//   - help goes to stdout and exits 0 (conform -h | less), whether asked as
//     conform -h, conform help CMD or conform CMD -h; realMain answers it from
//     the command's flag set before the command runs;
//   - a command line conform cannot parse gets one line saying what is wrong
//     and one line saying where the flags are listed, on stderr, exit 2;
//   - flags are shown as --flag (one or two dashes both work);
//   - a near miss of a command or a flag gets "did you mean …?".

// newFlagSet is an empty flag set for a command that prints nothing itself:
// its help and its errors are written by this file.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("conform "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagError is a command line the flag package refused, ready to print:
// the error, then the hint.
type flagError struct {
	cmd string // "conform run"
	msg string
}

func (e *flagError) Error() string {
	return e.msg + "\n" + fmt.Sprintf("run '%s -h' for the flags", e.cmd)
}

// parseFlags parses args into fs. It returns nil, flag.ErrHelp (realMain
// has printed the help already) or a *flagError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := longFlagInMessage.ReplaceAllStringFunc(err.Error(), func(m string) string {
		sub := longFlagInMessage.FindStringSubmatch(m)
		return sub[1] + dashed(sub[2])
	})
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := closest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", dashed(s))
		}
	}
	// A mistyped flag is often a pasted token: never echo one.
	return &flagError{cmd: fs.Name(), msg: probe.NewShapeRedactor().String(msg)}
}

// longFlagInMessage finds the flag a flag-package error names (it always
// writes one dash), to show it as the help does.
var longFlagInMessage = regexp.MustCompile(`(defined: |argument: |for flag |for )-([A-Za-z0-9][A-Za-z0-9_.-]*)`)

// commandExit turns an error of parseFlags into the command's exit code,
// printing a usage error on stderr.
func commandExit(err error, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: %v\n", flagErrorCommand(err), err)
	return exitUsage
}

func flagErrorCommand(err error) string {
	var fe *flagError
	if errors.As(err, &fe) {
		return fe.cmd
	}
	return "conform"
}

// dashed is how help and errors show a flag: --long, -v.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// helpRequested says whether args ask fs for its help (-h, -help, --help
// where a flag may stand; not as the value of a flag, nor after --).
func helpRequested(fs *flag.FlagSet, args []string) bool {
	return errors.Is(fs.Parse(args), flag.ErrHelp)
}

// usage is conform's own help.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: conform <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "conform checks an implementation of the Cornect API against its documented error contract.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	width := 0
	for _, name := range commandNames() {
		width = max(width, len(name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-*s %s\n", width, "help", "print this help, or a command's: conform help run")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "run 'conform <command> -h' for a command's flags; conform --version prints the version")
}

// commandHelp is the help of one command: synopsis, summary, flags, and
// what the command adds (conform run: tokens, environment, exit codes).
func commandHelp(w io.Writer, c command) {
	fs := c.flags()
	synopsis := "conform " + c.name
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		synopsis += " [flags]"
	}
	fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis, c.summary)
	if hasFlags {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "flags:")
		printFlags(w, fs)
	}
	if c.moreHelp != nil {
		c.moreHelp(w)
	}
}

// printFlags lists a flag set as --name VALUE, its usage indented below.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		value, text := flag.UnquoteUsage(f)
		line := "  " + dashed(f.Name)
		if value != "" {
			line += " " + strings.ToUpper(value)
		}
		switch f.DefValue {
		case "", "false", "0", "[]":
		default:
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, text)
	})
}

// tokenHelp says what token each CONFORM_TOKEN_* variable holds, in the
// words of the README's list of tokens.
var tokenHelp = map[probe.Role]string{
	probe.RoleRead:      "scope read",
	probe.RoleReadWrite: "scope read_write, workspace with credits",
	probe.RoleExpired:   "past its expiry date",
	probe.RoleRevoked:   "revoked",
	probe.RoleUnbound:   "legacy token without a workspace",
	probe.RoleNonMember: "owner removed from the workspace",
	probe.RoleNoCredits: "read_write, in ANOTHER workspace with zero credits",
}

// runMoreHelp is what conform run -h shows after the flags.
func runMoreHelp(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "tokens, from the environment or --token-command (never a flag's value); a token not set skips the checks that need it:")
	for _, role := range probe.Roles() {
		fmt.Fprintf(w, "  %-26s %s\n", role.Var(), tokenHelp[role])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "environment:")
	fmt.Fprintf(w, "  %-26s %s\n", "CONFORM_BASE_URL", "--base-url; likewise CONFORM_PROFILE, CONFORM_OPENAPI, CONFORM_CA_CERT (flags win)")
	fmt.Fprintf(w, "  %-26s %s\n", "CONFORM_TOKEN_COMMAND", "--token-command: prints the tokens as a JSON object; a variable set above wins over its key")
	fmt.Fprintf(w, "  %-26s %s\n", "NO_COLOR", "--no-color")
	fmt.Fprintf(w, "  %-26s %s\n", "CI", "true (as GitHub Actions and GitLab CI set it): as --require-all, MUST checks skipped for a token not set fail the run")
	fmt.Fprintf(w, "  %-26s %s\n", "GITHUB_STEP_SUMMARY", "the Markdown summary is appended to this file (GitHub Actions sets it)")
	fmt.Fprintf(w, "  %-26s %s\n", "HTTPS_PROXY, HTTP_PROXY", "proxy for the target (TLS stays end to end through HTTPS_PROXY)")
	fmt.Fprintf(w, "  %-26s %s\n", "NO_PROXY", "hosts reached directly; loopback targets never use a proxy")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exit codes:")
	for _, e := range exitCodes() {
		fmt.Fprintf(w, "  %d  %s: %s\n", e.Code, e.Meaning, e.Detail)
	}
}

// helpCmd is `conform help [COMMAND]`.
func helpCmd(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0 || (len(args) == 1 && args[0] == "help"):
		usage(stdout)
		return exitOK
	case len(args) > 1:
		fmt.Fprintf(stderr, "conform help: takes one command, got %d arguments\nrun 'conform -h' for the commands\n", len(args))
		return exitUsage
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		return unknownCommand(args[0], stderr)
	}
	commandHelp(stdout, c)
	return exitOK
}

// unknownCommand answers a command conform does not have: one line, with
// the nearest command when one is close, and the hint.
func unknownCommand(name string, stderr io.Writer) int {
	// Shown through the shape redactor: a stray argument may be a pasted token.
	msg := fmt.Sprintf("conform: unknown command %q", name)
	if strings.HasPrefix(name, "-") {
		msg = fmt.Sprintf("conform: unknown flag %q (flags come after the command: conform run --base-url …)", name)
	} else if s := closest(name, commandNames()); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	fmt.Fprintln(stderr, probe.NewShapeRedactor().String(msg))
	fmt.Fprintln(stderr, "run 'conform -h' for the commands")
	return exitUsage
}

func commandNames() []string {
	names := []string{"help"}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// closest is the candidate nearest to name, when it is near enough to be
// what was meant: at most one edit (two from eight characters on), or name
// is the start of it. "" when none is.
func closest(name string, candidates []string) string {
	if len(name) < 2 {
		return ""
	}
	limit := 1
	if len(name) >= 8 {
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	if len(name) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(c, name) {
				return c
			}
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of two neighbours, each counting one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
