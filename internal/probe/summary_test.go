package probe

import (
	"net/http"
	"strings"
	"testing"
)

// TestASummaryNeverClaimsNoRuleWasBrokenWhenItWasKeptForAnotherReason: a
// summary says why its body and headers are missing; one kept with the
// headers a check reads shows them, cut, and says that only those were
// kept.
func TestASummaryNeverClaimsNoRuleWasBrokenWhenItWasKeptForAnotherReason(t *testing.T) {
	ex := Exchange{Method: "GET", URL: "http://t/credits", Status: 401, BodyText: `{"detail":{}}`,
		Header: http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}, "Retry-After": {strings.Repeat("9", 2000)}, "X-Other": {"x"}}}
	if e := ex.Summary().Evidence(""); !strings.Contains(e, "no rule of the check was broken") {
		t.Errorf("a plain summary:\n%s", e)
	}
	past := ex.SummaryOf(PastEvidenceCap).Evidence("")
	if strings.Contains(past, "no rule") || !strings.Contains(past, "past the failing exchanges a check keeps whole") {
		t.Errorf("a failing exchange past the cap:\n%s", past)
	}
	kept := ex.HeadersOnly("WWW-Authenticate", "Retry-After")
	e := kept.Evidence("")
	for _, want := range []string{`WWW-Authenticate: Bearer error="invalid_token"`, "… [2000 bytes]", "this check reads only WWW-Authenticate and Retry-After"} {
		if !strings.Contains(e, want) {
			t.Errorf("headers only: lacks %q:\n%s", want, e)
		}
	}
	if strings.Contains(e, "no rule") || strings.Contains(e, "X-Other") || kept.BodyText != "" {
		t.Errorf("headers only keeps more, or says no rule was broken:\n%s", e)
	}
}
