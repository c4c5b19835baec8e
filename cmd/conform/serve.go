package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

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
		listFaults(stdout)
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

func listFaults(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "faults (--break NAME): deliberate deviations the suite must catch")
	for _, f := range reference.Faults() {
		fmt.Fprintf(tw, "  %s\t%s\t(breaks: %s)\n", f.Name, f.Description, f.Breaks)
	}
	fmt.Fprintln(tw, "")
	fmt.Fprintln(tw, "variations (--vary NAME): conforming differences the suite must accept")
	for _, v := range reference.Variations() {
		fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.Description)
	}
	_ = tw.Flush()
}
