package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
)

// shutdownGrace bounds how long serve waits for in-flight requests on exit.
const shutdownGrace = 5 * time.Second

// nameFlags is a repeatable flag collecting names.
type nameFlags []string

func (n *nameFlags) String() string     { return strings.Join(*n, ",") }
func (n *nameFlags) Set(v string) error { *n = append(*n, v); return nil }

// serveOptions are the flags of conform serve.
type serveOptions struct {
	addr               string
	faults, variations nameFlags
	window             time.Duration
	list               bool
}

func serveFlags() (*flag.FlagSet, *serveOptions) {
	o := &serveOptions{}
	fs := newFlagSet("serve")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`ADDRESS` to listen on; port 0 picks a free one")
	fs.Var(&o.faults, "break", "switch on a deliberate fault by `NAME` (repeatable; see --list-faults)")
	fs.Var(&o.variations, "vary", "switch on a conforming variation by `NAME` (repeatable; see --list-faults)")
	fs.DurationVar(&o.window, "rate-window", time.Minute, "the period of every documented \"N/min\" rate limit, a `DURATION`")
	fs.BoolVar(&o.list, "list-faults", false, "list the faults and variations, then exit")
	return fs, o
}

// serveCmd is `conform serve`: the reference CAPI on a local port, with its
// throwaway tokens printed as shell lines, until ctx is cancelled.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := serveFlags()
	if err := parseFlags(fs, args); err != nil {
		return commandExit(err, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conform serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if o.list {
		listFaults(stdout, outputWidth(stdout, os.Getenv))
		return exitOK
	}
	if err := reference.CheckFaults(o.faults); err != nil {
		fmt.Fprintf(stderr, "conform serve: --break: %v\n", err)
		return exitUsage
	}
	if err := reference.CheckVariations(o.variations); err != nil {
		fmt.Fprintf(stderr, "conform serve: --vary: %v\n", err)
		return exitUsage
	}
	if o.window <= 0 {
		fmt.Fprintf(stderr, "conform serve: --rate-window must be positive, got %v\n", o.window)
		return exitUsage
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "conform serve: cannot listen on %q: %v\n", o.addr, err)
		return exitUsage
	}
	ref := reference.New(
		reference.WithRateWindow(o.window),
		reference.WithFaults(o.faults...),
		reference.WithVariations(o.variations...),
	)
	srv := &http.Server{Handler: ref, ReadHeaderTimeout: 10 * time.Second}

	// Token values are printed on purpose: they are throwaway secrets of a
	// local sandbox, minted for this process and useless elsewhere.
	fmt.Fprintf(stdout, "export CONFORM_BASE_URL=http://%s/api/v1\n", displayAddr(ln.Addr()))
	tokens := ref.Tokens()
	for _, role := range reference.TokenRoles() {
		fmt.Fprintf(stdout, "export %s=%s\n", probe.Role(role).Var(), tokens[role])
	}
	fmt.Fprintln(stdout, "# reference CAPI serving: paste the lines above into a shell, then run `conform run`; Ctrl-C stops it")
	if len(o.faults) > 0 || len(o.variations) > 0 {
		fmt.Fprintf(stderr, "conform serve: faults %v, variations %v\n", []string(o.faults), []string(o.variations))
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "conform serve: %v\n", err)
		return exitInternal
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "conform serve: requests still running after %v, closing them: %v\n", shutdownGrace, err)
		_ = srv.Close()
	}
	return exitOK
}

// displayAddr is the address clients should use: a wildcard listen address
// is reachable on loopback.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// listFaults prints the faults and variations, a name and its description
// on each line, the descriptions wrapped to width columns under a hanging
// indent (width 0: no wrapping, one line each, for grep).
func listFaults(w io.Writer, width int) {
	var rows [][2]string
	for _, f := range reference.Faults() {
		rows = append(rows, [2]string{f.Name, f.Description + " (breaks: " + f.Breaks + ")"})
	}
	faults := len(rows)
	for _, v := range reference.Variations() {
		rows = append(rows, [2]string{v.Name, v.Description})
	}
	nameWidth := 0
	for _, r := range rows {
		nameWidth = max(nameWidth, utf8.RuneCountInString(r[0]))
	}
	// "  name  description": the description starts at indent, or on the
	// next line, indented less, when the names leave it too little room.
	indent := 2 + nameWidth + 2
	const minText = 30
	below := width > 0 && width-indent < minText
	if below {
		indent = 6
	}
	heading := func(text string) {
		for _, l := range wrapText(text, width) {
			fmt.Fprintln(w, l)
		}
	}
	heading("faults (--break NAME): deliberate deviations the suite must catch")
	for i, r := range rows {
		if i == faults {
			fmt.Fprintln(w)
			heading("variations (--vary NAME): conforming differences the suite must accept")
		}
		lines := wrapText(r[1], width-indent)
		if below {
			fmt.Fprintf(w, "  %s\n", r[0])
		} else {
			fmt.Fprintf(w, "  %-*s  %s\n", nameWidth, r[0], lines[0])
			lines = lines[1:]
		}
		for _, l := range lines {
			fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", indent), l)
		}
	}
}

// wrapText breaks text into lines of at most width characters at spaces
// (a word longer than width is cut into pieces that fit); width ≤ 0 keeps
// it one line.
func wrapText(text string, width int) []string {
	words := strings.Fields(text)
	if width <= 0 || len(words) == 0 {
		return []string{strings.Join(words, " ")}
	}
	var fitting []string
	for _, word := range words {
		for r := []rune(word); len(r) > 0; {
			n := min(len(r), width)
			fitting = append(fitting, string(r[:n]))
			r = r[n:]
		}
	}
	words = fitting
	var lines []string
	line := words[0]
	for _, word := range words[1:] {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		line += " " + word
	}
	return append(lines, line)
}

// outputWidth is the width to wrap what goes to w: the terminal's when w
// is one, else $COLUMNS when it holds a width, else 0 (no wrapping: output
// piped to a file or grep keeps one line per entry).
func outputWidth(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 0
}
