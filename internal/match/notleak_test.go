package match

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestNotLeakFindsDerivedFormsOfTheUnknownToken(t *testing.T) {
	const unknown = "cornect_5f0e3a9c1b7d2e4f6a8c0b1d3e5f7a9c"
	tests := []struct{ name, echo string }{
		{"the token", unknown},
		{"its secret without the prefix", strings.TrimPrefix(unknown, "cornect_")},
		{"base64 of the token", base64.StdEncoding.EncodeToString([]byte(unknown))},
		{"raw URL base64 of the Authorization value", base64.RawURLEncoding.EncodeToString([]byte("Bearer " + unknown))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ex := range []struct {
				where string
				body  string
				hdr   []string
			}{
				{"body", `{"detail":{"code":"INVALID_TOKEN","message":"unknown token ` + tt.echo + `"}}`, nil},
				{"header X-Debug", expired, []string{"X-Debug", "token=" + tt.echo}},
			} {
				m := NotLeak(unknown)
				if ok, _ := m.Match(exchange(401, "application/json", ex.body, ex.hdr...)); ok {
					t.Errorf("an echo of %s in the %s was not flagged", tt.name, ex.where)
					continue
				}
				if got := Findings(m); len(got) != 1 || !strings.Contains(got[0].Violations[0].String(), ex.where) || !strings.Contains(got[0].Violations[0].String(), "echoes the presented token") {
					t.Errorf("an echo of %s in the %s: findings %v", tt.name, ex.where, got)
				}
			}
		})
	}
}
