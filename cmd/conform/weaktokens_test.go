package main

import (
	"strings"
	"testing"

	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/reference"
)

// A token the redactor cannot tell from ordinary text would mask every
// occurrence of that text in every output: CONFORM_TOKEN_READ=a turned each
// "a" of the reports into $CONFORM_TOKEN_READ.
func TestATokenTooShortOrTooSimpleToRedactIsRefused(t *testing.T) {
	t.Parallel()
	const base = "http://127.0.0.1:1/api/v1"
	tests := []struct {
		name, value, want string
	}{
		{"one letter", "a", "shorter than 16 characters"},
		{"a word", "test", "shorter than 16 characters"},
		{"a short cornect_ token", "cornect_abc", "shorter than 16 characters"},
		{"a cornect_ token with a short secret", "cornect_Xy7Kp2Qz9Lm", "secret after cornect_ is shorter than 12 characters"},
		{"one character repeated", strings.Repeat("z", 40), "fewer than 6 different characters"},
		{"five characters repeated", strings.Repeat("abcde", 8), "fewer than 6 different characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runConform(t, map[string]string{"CONFORM_BASE_URL": base, "CONFORM_TOKEN_NO_CREDITS": tt.value}, "run", "--dry-run")
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", res.code, exitUsage, res.stdout)
			}
			oneLine(t, res.stderr, "conform run: ", "CONFORM_TOKEN_NO_CREDITS", tt.want, "not shown")
			if len(tt.value) >= 4 && strings.Contains(res.stdout+res.stderr, tt.value) {
				t.Errorf("the value is shown:\n%s%s", res.stdout, res.stderr)
			}
		})
	}
	accepted := map[string]string{
		"a minted reference token":       reference.New().Tokens()[string(probe.RoleRead)],
		"16 characters, no prefix":       "q8Zr2LmXw0Pt7Ks1",
		"a secret of 12 after cornect_":  "cornect_Xy7Kp2Qz9LmR",
		"the test tokens of other tests": "cornect_" + strings.Repeat("r", 32),
	}
	for name, value := range accepted {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if value == "" {
				t.Fatal("no such token")
			}
			res := runConform(t, map[string]string{"CONFORM_BASE_URL": base, "CONFORM_TOKEN_READ": value}, "run", "--dry-run")
			if res.code != exitOK {
				t.Errorf("exit %d, want 0\n%s", res.code, res.stderr)
			}
		})
	}
}
