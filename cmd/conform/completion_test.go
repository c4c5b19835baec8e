package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// completionScript is conform completion SHELL's output.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := realMain(context.Background(), []string{"completion", shell}, &stdout, &stderr); code != exitOK {
		t.Fatalf("conform completion %s: exit %d\n%s", shell, code, stderr.String())
	}
	return stdout.String()
}

// completeWith asks a real shell what it completes for line (the cursor at
// its end), with the script loaded, in dir. It skips when the shell is not
// installed, as the JUnit schema test does without xmllint.
func completeWith(t *testing.T, shell, line, dir string) []string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (.ci/run installs it)", shell)
	}
	script := filepath.Join(t.TempDir(), "conform."+shell)
	if err := os.WriteFile(script, []byte(completionScript(t, shell)), 0o644); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch shell {
	case "bash":
		// As bash calls a completion function: the words of the line
		// (the last one empty when the line ends in a space) and the
		// index of the current one.
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		driver := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _conform; printf '%s\n' "${COMPREPLY[@]}"`
		cmd = exec.CommandContext(ctx, path, append([]string{"--noprofile", "--norc", "-c", driver, "bash", script}, words...)...)
	case "fish":
		cmd = exec.CommandContext(ctx, path, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, line)
	default:
		t.Fatalf("no driver for %s", shell)
	}
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s completing %q: %v\n%s", shell, line, err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l == "" {
			continue
		}
		word, _, _ := strings.Cut(l, "\t") // fish adds the description
		got = append(got, word)
	}
	return got
}

// TestCompletionOffersCommandsFlagsAndValues drives bash's and fish's real
// completion with the scripts conform writes: the commands, every flag of
// conform run, the values a flag takes, directories where a directory is
// asked, and nothing for a free value.
func TestCompletionOffersCommandsFlagsAndValues(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "reports"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	var runFlagNames []string
	runHelpFlags().VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 1 { // -v is no completion of --
			runFlagNames = append(runFlagNames, dashed(f.Name))
		}
	})
	tests := []struct {
		line     string
		want     []string // every one offered
		wantOnly bool     // and nothing else
		not      []string
	}{
		{line: "conform ", want: []string{"run", "serve", "list", "selftest", "version", "completion", "help"}, wantOnly: true},
		{line: "conform se", want: []string{"selftest", "serve"}, wantOnly: true},
		{line: "conform run --", want: runFlagNames, not: []string{"--break", "--addr"}},
		{line: "conform serve --break ", want: []string{"expired-accepted", reference.Faults()[0].Name}, not: []string{reference.Variations()[0].Name}},
		{line: "conform serve --vary ", want: []string{reference.Variations()[0].Name}, not: []string{"expired-accepted"}},
		{line: "conform run --auth-coverage ", want: []string{"full", "spread"}, wantOnly: true},
		{line: "conform completion ", want: []string{"bash", "fish", "zsh"}, wantOnly: true},
		{line: "conform help ", want: []string{"run", "serve", "completion"}},
		{line: "conform run --report-dir ", want: []string{"reports"}, not: []string{"profile.json"}},
		{line: "conform run --profile ", want: []string{"profile.json", "reports"}},
		{line: "conform run --base-url ", wantOnly: true},
	}
	for _, shell := range []string{"bash", "fish"} {
		t.Run(shell, func(t *testing.T) {
			for _, tt := range tests {
				got := completeWith(t, shell, tt.line, dir)
				for i := range got {
					got[i] = strings.TrimSuffix(got[i], "/") // fish marks directories
				}
				for _, w := range tt.want {
					if !slices.Contains(got, w) {
						t.Errorf("%q: %s does not offer %q; it offers %q", tt.line, shell, w, got)
					}
				}
				if tt.wantOnly && len(got) != len(tt.want) {
					t.Errorf("%q: %s offers %q, want only %q", tt.line, shell, got, tt.want)
				}
				for _, n := range tt.not {
					if slices.Contains(got, n) {
						t.Errorf("%q: %s offers %q", tt.line, shell, n)
					}
				}
			}
		})
	}
}

// TestZshCompletionParsesAndNamesEveryFlag: zsh's completion system cannot
// be driven without a terminal, so the script is checked by zsh's parser
// and for a spec of every flag of every command.
func TestZshCompletionParsesAndNamesEveryFlag(t *testing.T) {
	script := completionScript(t, "zsh")
	if !strings.HasPrefix(script, "#compdef conform\n") {
		t.Error("the zsh script does not start with #compdef conform, so compinit will not load it from fpath")
	}
	for _, c := range commands() {
		if !strings.Contains(script, "\n    "+c.name+")\n") {
			t.Errorf("the zsh script has no case for %s", c.name)
		}
		c.flags().VisitAll(func(f *flag.Flag) {
			if !strings.Contains(script, "'"+dashed(f.Name)+"[") {
				t.Errorf("the zsh script has no spec for %s %s", c.name, dashed(f.Name))
			}
		})
	}
	path, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed (.ci/run installs it)")
	}
	file := filepath.Join(t.TempDir(), "_conform")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(path, "-n", file).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
	// Loaded as compinit would autoload it, the function is defined.
	if out, err := exec.Command(path, "-f", "-c", `autoload -Uz compinit && compinit -u -d "$2/zcompdump" && fpath=("$1" $fpath) && autoload -Uz _conform && whence -w _conform`, "zsh", filepath.Dir(file), t.TempDir()).CombinedOutput(); err != nil || !strings.Contains(string(out), "_conform: function") {
		t.Errorf("zsh does not autoload _conform: %v\n%s", err, out)
	}
}

func TestCompletionRefusesAnUnknownShell(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}, {"completion", "bash", "zsh"}, {"completion", "cornect_5b1d0c9e7a2f4e3d8c6b5a49"}} {
		var stdout, stderr bytes.Buffer
		code := realMain(context.Background(), args, &stdout, &stderr)
		if code != exitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "bash, zsh, fish") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
		if strings.Contains(stderr.String(), "5b1d0c9e7a2f") {
			t.Errorf("%q: the argument, shaped like a token, is quoted back", args)
		}
	}
}
