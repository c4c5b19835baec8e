package main

import (
	"strings"
	"testing"
)

// A profile whose documented window is not a minute (refill_seconds) is
// paced per that window: the dry run's budget says each documented limit
// with its period, and the assumed paces stay per minute.
func TestTheDryRunPacesDocumentedLimitsPerTheProfilesWindow(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"CONFORM_BASE_URL":         "http://127.0.0.1:1/api/v1",
		"CONFORM_TOKEN_READ":       "cornect_" + strings.Repeat("r", 32),
		"CONFORM_TOKEN_READ_WRITE": "cornect_" + strings.Repeat("w", 32),
	}
	for _, tt := range []struct {
		name    string
		args    []string
		want    []string
		wantNot string
	}{
		{"the embedded profile: per minute", nil,
			[]string{"CONFORM_TOKEN_READ_WRITE POST /exports", "5/min (documented)", "120/min (assumed: the docs publish none"}, "per 10s"},
		{"refill_seconds 10: per 10 s", []string{"--profile", profileWithRefill(t, 10)},
			[]string{"CONFORM_TOKEN_READ_WRITE POST /exports", "5 per 10s (documented)", "120/min (assumed: the docs publish none"}, "5/min (documented)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runConform(t, env, append([]string{"run", "--dry-run", "-v"}, tt.args...)...)
			if res.code != exitOK {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("the dry run lacks %q:\n%s", w, res.stdout)
				}
			}
			if strings.Contains(res.stdout, tt.wantNot) {
				t.Errorf("the dry run says %q:\n%s", tt.wantNot, res.stdout)
			}
		})
	}
}
