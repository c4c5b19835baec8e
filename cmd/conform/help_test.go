package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/cornect/conform/internal/probe"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/version"
)

// callMain runs realMain in-process.
func callMain(args ...string) (code int, stdout, stderr string) {
	var out, errOut strings.Builder
	code = realMain(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpGoesToStdoutAndExitsZero(t *testing.T) {
	tests := []struct {
		args []string
		want string // the help's first line
	}{
		{[]string{"-h"}, "usage: conform <command> [flags]"},
		{[]string{"-help"}, "usage: conform <command> [flags]"},
		{[]string{"--help"}, "usage: conform <command> [flags]"},
		{[]string{"help"}, "usage: conform <command> [flags]"},
		{[]string{"help", "help"}, "usage: conform <command> [flags]"},
		{[]string{"help", "run"}, "usage: conform run [flags]"},
		{[]string{"run", "-h"}, "usage: conform run [flags]"},
		{[]string{"run", "--help"}, "usage: conform run [flags]"},
		{[]string{"run", "--strict", "-help"}, "usage: conform run [flags]"},
		{[]string{"help", "serve"}, "usage: conform serve [flags]"},
		{[]string{"serve", "-h"}, "usage: conform serve [flags]"},
		{[]string{"list", "--help"}, "usage: conform list [flags]"},
		{[]string{"help", "version"}, "usage: conform version"},
		{[]string{"version", "-h"}, "usage: conform version"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := callMain(tt.args...)
			if code != exitOK || stderr != "" {
				t.Errorf("exit %d, stderr %q; want 0 and nothing on stderr", code, stderr)
			}
			if first, _, _ := strings.Cut(stdout, "\n"); first != tt.want {
				t.Errorf("stdout starts with %q, want %q:\n%s", first, tt.want, stdout)
			}
		})
	}

	t.Run("through a pipe, as conform -h | less reads it", func(t *testing.T) {
		res := runConform(t, nil, "-h")
		if res.code != exitOK || !strings.HasPrefix(res.stdout, "usage: conform") || res.stderr != "" {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("no arguments: usage on stderr, exit 2", func(t *testing.T) {
		code, stdout, stderr := callMain()
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "usage: conform") {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("-h as the value of a flag is a value", func(t *testing.T) {
		if helpRequested(runHelpFlags(), []string{"--focus", "-h"}) {
			t.Error("--focus -h is taken as a request for help")
		}
		c, err := parseRunConfig([]string{"--focus", "-h"}, func(string) string { return "" }, io.Discard)
		if err != nil || !slices.Equal(c.Focus, []string{"-h"}) {
			t.Errorf("--focus -h: focus %q, error %v", c.Focus, err)
		}
	})
}

func TestHelpShowsLongFlagsWithTwoDashes(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			_, stdout, _ := callMain(c.name, "-h")
			c.flags().VisitAll(func(f *flag.Flag) {
				want := "  " + dashed(f.Name)
				if len(f.Name) > 1 && !strings.HasPrefix(want, "  --") {
					t.Fatalf("dashed(%q) = %q", f.Name, dashed(f.Name))
				}
				if !slices.ContainsFunc(strings.Split(stdout, "\n"), func(l string) bool {
					return l == want || strings.HasPrefix(l, want+" ")
				}) {
					t.Errorf("the help has no line for %s:\n%s", want, stdout)
				}
			})
			if m := regexp.MustCompile(`(?m)^  -[a-z][a-z-]+`).FindString(stdout); m != "" {
				t.Errorf("the help shows a long flag with one dash: %q", m)
			}
		})
	}
}

func TestLongFlagsTakeOneOrTwoDashes(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{
		{"--strict", "--base-url", "https://api.example.com/v1", "--focus=AUTH"},
		{"-strict", "-base-url", "https://api.example.com/v1", "-focus=AUTH"},
	} {
		c, err := parseRunConfig(args, env, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if !c.Strict || c.BaseURL != "https://api.example.com/v1" || !slices.Equal(c.Focus, []string{"AUTH"}) {
			t.Errorf("%q gave strict %v, base URL %q, focus %q", args, c.Strict, c.BaseURL, c.Focus)
		}
	}
}

func TestRunHelpListsTheTokensAndTheExitCodes(t *testing.T) {
	_, stdout, _ := callMain("run", "-h")
	lines := strings.Split(stdout, "\n")
	tokenLine := regexp.MustCompile(`^  (CONFORM_TOKEN_[A-Z_]+) +(\S.*)$`)
	got := map[string]string{}
	for _, l := range lines {
		if m := tokenLine.FindStringSubmatch(l); m != nil {
			got[m[1]] = m[2]
		}
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	// The README's list: export CONFORM_TOKEN_READ=…   # scope read
	readmeLine := regexp.MustCompile(`(?m)^export (CONFORM_TOKEN_[A-Z_]+)=… +# (.+)$`)
	inREADME := map[string]string{}
	for _, m := range readmeLine.FindAllStringSubmatch(string(readme), -1) {
		inREADME[m[1]] = m[2]
	}
	for _, role := range probe.Roles() {
		name := role.Var()
		switch {
		case got[name] == "":
			t.Errorf("conform run -h has no line for %s", name)
		case got[name] != inREADME[name]:
			t.Errorf("conform run -h says %s is %q, the README %q", name, got[name], inREADME[name])
		}
	}
	// The variable of --token-command is no token of its own.
	if !strings.Contains(got["CONFORM_TOKEN_COMMAND"], "--token-command") {
		t.Error("conform run -h does not list CONFORM_TOKEN_COMMAND")
	}
	delete(got, "CONFORM_TOKEN_COMMAND")
	if len(got) != len(probe.Roles()) {
		t.Errorf("conform run -h lists %d token variables, want %d: %v", len(got), len(probe.Roles()), got)
	}

	// The README's table of exit codes: TestGeneratedExitCodesMatchInternalExitcode.
	for _, e := range exitCodes() {
		want := fmt.Sprintf("  %d  %s: ", e.Code, e.Meaning)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("conform run -h does not list exit code %d as %q", e.Code, want)
		}
	}
	if got, want := len(exitCodes()), exitReportFailed+1; got != want {
		t.Errorf("exitCodes() lists %d codes, want %d", got, want)
	}
	for _, v := range []string{"HTTPS_PROXY", "NO_PROXY", "GITHUB_STEP_SUMMARY"} {
		if !strings.Contains(stdout, v) {
			t.Errorf("conform run -h does not name %s", v)
		}
	}
}

func TestABadFlagPrintsOneLineAndAHint(t *testing.T) {
	tests := []struct {
		args []string
		want string // the first line
	}{
		{[]string{"run", "--bogus"}, "conform run: flag provided but not defined: --bogus"},
		{[]string{"run", "--lable-filter", "auth"}, "conform run: flag provided but not defined: --lable-filter (did you mean --label-filter?)"},
		{[]string{"run", "-stirct"}, "conform run: flag provided but not defined: --stirct (did you mean --strict?)"},
		{[]string{"run", "--request-timeout", "soon"}, `conform run: invalid value "soon" for flag --request-timeout: parse error`},
		{[]string{"run", "--base-url"}, "conform run: flag needs an argument: --base-url"},
		{[]string{"run", "-v=maybe"}, `conform run: invalid boolean value "maybe" for -v: parse error`},
		{[]string{"serve", "--port", "80"}, "conform serve: flag provided but not defined: --port"},
		{[]string{"list", "--jsn"}, "conform list: flag provided but not defined: --jsn (did you mean --json?)"},
		{[]string{"version", "--short"}, "conform version: flag provided but not defined: --short"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := callMain(tt.args...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, stdout)
			}
			want := tt.want + "\n" + fmt.Sprintf("run 'conform %s -h' for the flags", tt.args[0]) + "\n"
			if stderr != want {
				t.Errorf("stderr:\n%s\nwant exactly:\n%s", stderr, want)
			}
		})
	}
}

func TestAMistypedCommandGetsDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string // the first line
	}{
		{[]string{"rnu"}, `conform: unknown command "rnu" (did you mean "run"?)`},
		{[]string{"serv", "--addr", ":0"}, `conform: unknown command "serv" (did you mean "serve"?)`},
		{[]string{"lsit"}, `conform: unknown command "lsit" (did you mean "list"?)`},
		{[]string{"verison"}, `conform: unknown command "verison" (did you mean "version"?)`},
		{[]string{"hepl"}, `conform: unknown command "hepl" (did you mean "help"?)`},
		{[]string{"ver"}, `conform: unknown command "ver" (did you mean "version"?)`},
		{[]string{"help", "rnu"}, `conform: unknown command "rnu" (did you mean "run"?)`},
		{[]string{"frobnicate"}, `conform: unknown command "frobnicate"`},
		{[]string{"x"}, `conform: unknown command "x"`},
		{[]string{"cornect_5b1d0c9e7a2f4e3d8c6b5a4938271605"}, `conform: unknown command "cornect_…"`},
		{[]string{"--bogus"}, `conform: unknown flag "--bogus" (flags come after the command: conform run --base-url …)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := callMain(tt.args...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, stdout)
			}
			if want := tt.want + "\nrun 'conform -h' for the commands\n"; stderr != want {
				t.Errorf("stderr:\n%s\nwant exactly:\n%s", stderr, want)
			}
		})
	}
}

func TestEditDistanceCountsASwapAsOne(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"run", "run", 0}, {"rnu", "run", 1}, {"serv", "serve", 1}, {"sever", "serve", 2},
		{"", "list", 4}, {"lable-filter", "label-filter", 1}, {"frobnicate", "version", 9}, {"ca", "abc", 3},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVersionFlagWorksLikeVersionCommand(t *testing.T) {
	code1, out1, err1 := callMain("version")
	code2, out2, err2 := callMain("--version")
	code3, out3, _ := callMain("-version")
	if code1 != exitOK || code2 != exitOK || code3 != exitOK || out1 != out2 || out1 != out3 || err1+err2 != "" {
		t.Fatalf("version: %d %q %q; --version: %d %q %q; -version: %d %q", code1, out1, err1, code2, out2, err2, code3, out3)
	}
	want := fmt.Sprintf("conform %s\ncontract: %s\n", version.Build(), version.Contract)
	if out1 != want {
		t.Errorf("conform version printed\n%s\nwant\n%s", out1, want)
	}
}
