package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// hostileText holds what a terminal acts on: an ANSI sequence that clears
// the screen, a title-setting OSC ending in BEL, a carriage return, a C1 CSI
// both as a lone byte and as UTF-8, and bytes that are not UTF-8.
const hostileText = "\x1b[2J\x1b]0;pwned\x07\rCONFORMANT \x9b31m \u009b32m \xff\xfe"

// TestVerboseOutputEscapesWhatTheTargetSent runs -v against a server whose
// 401s carry terminal controls: Ginkgo's report of the failures quotes them.
func TestVerboseOutputEscapesWhatTheTargetSent(t *testing.T) {
	t.Parallel()
	env := wrappedReference(t, onReferenceResponse(func(w http.ResponseWriter, r *http.Request, got *httptest.ResponseRecorder) bool {
		if got.Code != http.StatusUnauthorized {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail": {"code": "INVALID_TOKEN", "message": "` + hostileText + `"}}`))
		return true
	}))
	res := runConform(t, env, "run", "-v", "--label-filter", "auth")
	if res.code != exitViolations {
		t.Fatalf("exit %d, want 1\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, `\x1b[2J`) {
		t.Fatalf("the output never shows the escaped sequence; the test sees nothing:\n%.3000s", res.stdout)
	}
	for _, raw := range []string{"\x1b", "\x07", "\r", "\x9b", "\u009b", "\xff"} {
		if i := strings.Index(res.stdout, raw); i >= 0 {
			t.Errorf("stdout holds %q raw: …%q…", raw, res.stdout[max(0, i-60):min(len(res.stdout), i+20)])
		}
	}
}
