package main

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/probe"
)

func TestRunConfigValidate(t *testing.T) {
	valid := runConfig{RequestTimeout: time.Second, SuiteTimeout: time.Minute, Concurrency: probe.DefaultConcurrency}
	tests := []struct {
		name   string
		change func(*runConfig)
		want   []string // every part the error must say; none when valid
	}{
		{"defaults", func(*runConfig) {}, nil},
		{"https base URL", func(c *runConfig) { c.BaseURL = "https://staging.example.com/api/v1" }, nil},
		{"no scheme", func(c *runConfig) { c.BaseURL = "staging.example.com" }, []string{"must start with http:// or https://"}},
		{"ftp", func(c *runConfig) { c.BaseURL = "ftp://example.com/api/v1" }, []string{"must start with http:// or https://"}},
		{"no host", func(c *runConfig) { c.BaseURL = "http:///api/v1" }, []string{"has no host"}},
		{"credentials", func(c *runConfig) { c.BaseURL = "https://cornect_secret@example.com/api/v1" }, []string{"must not hold credentials"}},
		{"query", func(c *runConfig) { c.BaseURL = "https://example.com/api/v1?x=1" }, []string{"query or fragment"}},
		{"zero request timeout", func(c *runConfig) { c.RequestTimeout = 0 }, []string{"--request-timeout must be positive"}},
		{"zero suite timeout", func(c *runConfig) { c.SuiteTimeout = 0 }, []string{"--suite-timeout must be positive"}},
		{"zero concurrency", func(c *runConfig) { c.Concurrency = 0 }, []string{"--concurrency must be at least 1, got 0"}},
		{"concurrency 1", func(c *runConfig) { c.Concurrency = 1 }, nil},
		{"insecure without base URL", func(c *runConfig) { c.Insecure = true }, []string{"need a --base-url"}},
		{"two problems at once", func(c *runConfig) { c.BaseURL = "x"; c.RequestTimeout = 0 }, []string{"--base-url \"x\": must start with http:// or https://", "--request-timeout must be positive"}},
		{"--require-all", func(c *runConfig) { c.RequireAll = true }, nil},
		{"--allow-skips", func(c *runConfig) { c.AllowSkips = true }, nil},
		{"--token-command", func(c *runConfig) {
			c.BaseURL, c.TokenCommand, c.TokenCommandTimeout = "https://example.com/api/v1", "vault-tokens", time.Second
		}, nil},
		{"--token-command without base URL", func(c *runConfig) { c.TokenCommand, c.TokenCommandTimeout = "vault-tokens", time.Second }, []string{"--token-command needs a --base-url"}},
		{"--token-command with zero timeout", func(c *runConfig) { c.BaseURL, c.TokenCommand = "https://example.com/api/v1", "vault-tokens" }, []string{"--token-command-timeout must be positive"}},
		{"--require-all and --allow-skips", func(c *runConfig) { c.RequireAll, c.AllowSkips = true, true }, []string{"contradict each other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			err := c.Validate()
			switch {
			case len(tt.want) == 0 && err != nil:
				t.Fatalf("rejected: %v", err)
			case len(tt.want) > 0 && err == nil:
				t.Fatalf("accepted, want an error saying %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to say %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "cornect_secret") {
				t.Errorf("the error repeats the credentials: %v", err)
			}
		})
	}
}

// TestSkippedMustChecksFailInCIOrUnderRequireAll pins when a MUST check
// skipped for a token not set fails the run: CI=true (as GitHub Actions
// and GitLab CI set it) or --require-all, and never with --allow-skips.
func TestSkippedMustChecksFailInCIOrUnderRequireAll(t *testing.T) {
	tests := []struct {
		ci   string
		args []string
		want bool
	}{
		{"", nil, false},
		{"true", nil, true},
		{"TRUE", nil, true},
		{"1", nil, true},
		{"false", nil, false},
		{"0", nil, false},
		{"", []string{"--require-all"}, true},
		{"true", []string{"--allow-skips"}, false},
		{"", []string{"--allow-skips"}, false},
	}
	for _, tt := range tests {
		c, err := parseRunConfig(tt.args, func(k string) string {
			if k == "CI" {
				return tt.ci
			}
			return ""
		}, io.Discard)
		if err != nil {
			t.Fatalf("CI=%q %v: %v", tt.ci, tt.args, err)
		}
		if got := c.requireAll(); got != tt.want {
			t.Errorf("CI=%q %v: skipped MUST checks fail the run = %v, want %v", tt.ci, tt.args, got, tt.want)
		}
		if got := c.Redact()["require_all"]; got != fmt.Sprint(tt.want) {
			t.Errorf("CI=%q %v: the reported configuration says require_all %q", tt.ci, tt.args, got)
		}
	}
}

func TestRunConfigPrecedenceFlagsOverEnvironment(t *testing.T) {
	env := map[string]string{"CONFORM_BASE_URL": "https://env.example.com/api/v1", "CONFORM_PROFILE": "env.json"}
	c, err := parseRunConfig([]string{"--base-url", "https://flag.example.com/api/v1"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://flag.example.com/api/v1" || c.Profile != "env.json" {
		t.Errorf("base URL %q (want the flag's), profile %q (want the environment's)", c.BaseURL, c.Profile)
	}
}

func TestRedactNeverShowsATokenValue(t *testing.T) {
	c := runConfig{Tokens: map[probe.Role]string{probe.RoleRead: "cornect_readsecret", probe.RoleNoCredits: "cornect_nocredits"}}
	for k, v := range c.Redact() {
		if strings.Contains(v, "cornect_") {
			t.Errorf("%s = %q shows a token", k, v)
		}
	}
	if got := c.Redact()["CONFORM_TOKEN_READ"]; got != "set (value hidden)" {
		t.Errorf("CONFORM_TOKEN_READ = %q", got)
	}
	if got := c.Redact()["CONFORM_TOKEN_EXPIRED"]; got != "not set" {
		t.Errorf("CONFORM_TOKEN_EXPIRED = %q", got)
	}
}
