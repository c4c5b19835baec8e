package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/suite"
)

// listedCheck is one catalogue entry as `conform list --json` prints it.
type listedCheck struct {
	ID       string   `json:"id"`
	Level    string   `json:"level"`
	Title    string   `json:"title"`
	Sentence string   `json:"sentence"`
	Source   string   `json:"source"`
	Labels   []string `json:"labels"`
	Since    string   `json:"since"`
	Needs    []string `json:"needs_tokens"`
}

// listOptions are the flags of conform list.
type listOptions struct{ json, markdown bool }

func listFlags() (*flag.FlagSet, *listOptions) {
	o := &listOptions{}
	fs := newFlagSet("list")
	fs.BoolVar(&o.json, "json", false, "print JSON for machines")
	fs.BoolVar(&o.markdown, "markdown", false, "print the Markdown table docs/checks.md holds")
	return fs, o
}

// listCmd is `conform list`: the check catalogue as a table, JSON or Markdown.
func listCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := listFlags()
	if err := parseFlags(fs, args); err != nil {
		return commandExit(err, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conform list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var err error
	switch {
	case o.json:
		err = listJSON(stdout)
	case o.markdown:
		err = listMarkdown(stdout)
	default:
		err = listTable(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "conform list: %v\n", err)
		return exitInternal
	}
	return exitOK
}

func catalogue() []listedCheck {
	// The tokens a check needs, as the default profile's plan has them
	// (the rate-limit checks need the token the profile bursts with).
	plan, _ := suite.NewPlan(suite.PlanConfig{Profile: fixtures.Default()})
	needsOf := map[string][]suite.Need{}
	for _, p := range plan.Specs() {
		if _, ok := needsOf[p.ID]; !ok {
			needsOf[p.ID] = p.Needs
		}
	}
	var out []listedCheck
	for _, c := range suite.Catalogue() {
		var needs []string
		for _, n := range needsOf[c.ID] {
			var vars []string
			for _, role := range n {
				vars = append(vars, role.Var())
			}
			needs = append(needs, strings.Join(vars, " or "))
		}
		out = append(out, listedCheck{c.ID, string(c.Level), c.Title, c.Sentence, c.Source, c.Labels, c.Since, needs})
	}
	return out
}

func listJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(catalogue())
}

func listTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tLABELS\tSINCE\tCHECK\tSOURCE")
	for _, c := range catalogue() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Level, strings.Join(c.Labels, ","), c.Since, c.Title, c.Source)
	}
	return tw.Flush()
}

func listMarkdown(w io.Writer) error {
	fmt.Fprintln(w, "| ID | Level | Requirement | Source | Labels | Since |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, c := range catalogue() {
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s |\n", c.ID, c.Level,
			strings.ReplaceAll(c.Sentence, "|", `\|`), sourceLink(c.Source), strings.Join(c.Labels, ", "), c.Since)
	}
	return nil
}

// sourceLink is a source as Markdown: each doc page of it (sources are
// separated by "; ") a link named by its last path element; a source that
// is no URL (an RFC section) stays text.
func sourceLink(src string) string {
	parts := strings.Split(src, "; ")
	for i, p := range parts {
		if strings.HasPrefix(p, "https://") {
			parts[i] = fmt.Sprintf("[%s](%s)", p[strings.LastIndex(strings.TrimRight(p, "/"), "/")+1:], p)
		}
	}
	return strings.Join(parts, "; ")
}
