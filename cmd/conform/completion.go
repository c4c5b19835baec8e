package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cornect/conform/internal/reference"
	"github.com/cornect/conform/suite"
)

// completionShells are the shells conform completion writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionFlags() *flag.FlagSet { return newFlagSet("completion") }

// completionCmd is `conform completion bash|zsh|fish`: a completion script
// on stdout, made from the commands' own flag sets, so it names every flag
// there is and no other.
func completionCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := completionFlags()
	if err := parseFlags(fs, args); err != nil {
		return commandExit(err, stderr)
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "conform completion: name one shell: %s\nrun 'conform completion -h' for how to load it\n", strings.Join(completionShells, ", "))
		return exitUsage
	}
	spec := completionSpec()
	switch fs.Arg(0) {
	case "bash":
		writeBashCompletion(stdout, spec)
	case "zsh":
		writeZshCompletion(stdout, spec)
	case "fish":
		writeFishCompletion(stdout, spec)
	default:
		fmt.Fprintf(stderr, "conform completion: no completion for %q; the shells are %s\n", probeSafe(fs.Arg(0)), strings.Join(completionShells, ", "))
		return exitUsage
	}
	return exitOK
}

func completionMoreHelp(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "shells: bash, zsh, fish. To load the completion:")
	fmt.Fprintln(w, "  bash   source <(conform completion bash)        (in ~/.bashrc)")
	fmt.Fprintln(w, "  zsh    conform completion zsh > \"${fpath[1]}/_conform\"   (then a new shell; compinit must run)")
	fmt.Fprintln(w, "  fish   conform completion fish > ~/.config/fish/completions/conform.fish")
}

// probeSafe is an argument fit to quote back: a stray argument may be a
// pasted token.
func probeSafe(s string) string {
	if len(s) > 40 || strings.Contains(s, "cornect_") {
		return "that argument"
	}
	return s
}

// valueKind is what a flag's value is, for completion.
type valueKind int

const (
	valueNone  valueKind = iota // a boolean flag
	valueFree                   // any text: nothing to offer
	valueFile                   // a file name
	valueDir                    // a directory
	valueWords                  // one of words
)

type flagSpec struct {
	name  string
	usage string // its first clause, for the shells that show one
	kind  valueKind
	words []string
}

type commandSpec struct {
	name, summary string
	flags         []flagSpec
	args          []string // words as arguments (conform help CMD, conform completion SHELL)
}

// completionSpec describes every command and flag for the scripts.
func completionSpec() []commandSpec {
	var cmds []commandSpec
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	for _, c := range commands() {
		cs := commandSpec{name: c.name, summary: c.summary}
		c.flags().VisitAll(func(f *flag.Flag) {
			cs.flags = append(cs.flags, specOf(c.name, f))
		})
		if c.name == "completion" {
			cs.args = completionShells
		}
		cmds = append(cmds, cs)
	}
	cmds = append(cmds, commandSpec{name: "help", summary: "print the help of conform or of a command", args: names})
	return cmds
}

func specOf(cmd string, f *flag.Flag) flagSpec {
	value, usage := flag.UnquoteUsage(f)
	usage, _, _ = strings.Cut(usage, ";")
	usage, _, _ = strings.Cut(usage, " (")
	s := flagSpec{name: f.Name, usage: strings.TrimSpace(usage), kind: valueFree}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		s.kind = valueNone
		return s
	}
	switch {
	case cmd == "serve" && f.Name == "break":
		s.kind = valueWords
		for _, x := range reference.Faults() {
			s.words = append(s.words, x.Name)
		}
	case cmd == "serve" && f.Name == "vary":
		s.kind = valueWords
		for _, x := range reference.Variations() {
			s.words = append(s.words, x.Name)
		}
	case f.Name == "auth-coverage":
		s.kind, s.words = valueWords, []string{string(suite.AuthSpread), string(suite.AuthFull)}
	case value == "DIR":
		s.kind = valueDir
	case value == "FILE" || value == "FILE|URL":
		s.kind = valueFile
	}
	sort.Strings(s.words)
	return s
}

func writeBashCompletion(w io.Writer, cmds []commandSpec) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprint(w, `# bash completion for conform: source <(conform completion bash)
_conform() {
  local cur prev cmd
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ ${COMP_CWORD} -eq 1 ]]; then
`)
	fmt.Fprintf(w, "    mapfile -t COMPREPLY < <(compgen -W %s -- \"${cur}\")\n    return 0\n  fi\n", shellQuote(strings.Join(names, " ")))
	// A flag may be written with one dash or two.
	fmt.Fprint(w, "  cmd=\"${COMP_WORDS[1]}\"\n  prev=\"${prev#-}\"\n  prev=\"${prev#-}\"\n  case \"${cmd} ${prev}\" in\n")
	for _, c := range cmds {
		for _, f := range c.flags {
			var action string
			switch f.kind {
			case valueNone:
				continue
			case valueFree:
				action = "return 0"
			case valueFile:
				action = `mapfile -t COMPREPLY < <(compgen -f -- "${cur}"); return 0`
			case valueDir:
				action = `mapfile -t COMPREPLY < <(compgen -d -- "${cur}"); return 0`
			case valueWords:
				action = fmt.Sprintf(`mapfile -t COMPREPLY < <(compgen -W %s -- "${cur}"); return 0`, shellQuote(strings.Join(f.words, " ")))
			}
			fmt.Fprintf(w, "    %s) %s ;;\n", shellQuote(c.name+" "+f.name), action)
		}
	}
	fmt.Fprint(w, "  esac\n  case \"${cmd}\" in\n")
	for _, c := range cmds {
		words := c.args
		for _, f := range c.flags {
			words = append(words, dashed(f.name))
		}
		fmt.Fprintf(w, "    %s) mapfile -t COMPREPLY < <(compgen -W %s -- \"${cur}\") ;;\n", shellQuote(c.name), shellQuote(strings.Join(words, " ")))
	}
	fmt.Fprint(w, "  esac\n  return 0\n}\ncomplete -F _conform conform\n")
}

func writeZshCompletion(w io.Writer, cmds []commandSpec) {
	fmt.Fprint(w, "#compdef conform\n# zsh completion for conform: conform completion zsh > \"${fpath[1]}/_conform\"\n\n_conform() {\n  local -a commands\n  commands=(\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s\n", shellQuote(zshEscape(c.name)+":"+zshEscape(c.summary)))
	}
	fmt.Fprint(w, "  )\n  if (( CURRENT == 2 )); then\n    _describe -t commands 'conform command' commands\n    return\n  fi\n  local cmd=${words[2]}\n  shift words\n  (( CURRENT-- ))\n  case $cmd in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s)\n      _arguments", c.name)
		for _, f := range c.flags {
			spec := dashed(f.name) + "[" + zshEscape(f.usage) + "]"
			switch f.kind {
			case valueFree:
				spec += ":" + f.name + ": "
			case valueFile:
				spec += ":" + f.name + ":_files"
			case valueDir:
				spec += ":" + f.name + ":_files -/"
			case valueWords:
				spec += ":" + f.name + ":(" + strings.Join(f.words, " ") + ")"
			}
			fmt.Fprintf(w, " \\\n        %s", shellQuote(spec))
		}
		if len(c.args) > 0 {
			fmt.Fprintf(w, " \\\n        %s", shellQuote("1:"+c.name+":("+strings.Join(c.args, " ")+")"))
		}
		fmt.Fprint(w, "\n      ;;\n")
	}
	fmt.Fprint(w, "  esac\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n  _conform \"$@\"\nelse\n  compdef _conform conform\nfi\n")
}

func writeFishCompletion(w io.Writer, cmds []commandSpec) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprint(w, "# fish completion for conform: conform completion fish > ~/.config/fish/completions/conform.fish\ncomplete -c conform -f\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c conform -n %s -a %s -d %s\n", shellQuote("not __fish_seen_subcommand_from "+strings.Join(names, " ")), c.name, shellQuote(c.summary))
	}
	for _, c := range cmds {
		cond := shellQuote("__fish_seen_subcommand_from " + c.name)
		if len(c.args) > 0 {
			fmt.Fprintf(w, "complete -c conform -n %s -a %s\n", cond, shellQuote(strings.Join(c.args, " ")))
		}
		for _, f := range c.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			line := fmt.Sprintf("complete -c conform -n %s %s", cond, opt)
			switch f.kind {
			case valueFree:
				line += " -x"
			case valueFile:
				line += " -r -F"
			case valueDir:
				line += " -x -a '(__fish_complete_directories)'"
			case valueWords:
				line += " -x -a " + shellQuote(strings.Join(f.words, " "))
			}
			fmt.Fprintf(w, "%s -d %s\n", line, shellQuote(f.usage))
		}
	}
}

// shellQuote quotes s for bash, zsh and fish alike: single quotes, a single
// quote inside closing them for a double-quoted one ('"'"'), since all
// three join quoted strings that touch.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// zshEscape escapes what _arguments and _describe read as syntax.
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}
