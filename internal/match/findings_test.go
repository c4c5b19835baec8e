package match

import (
	"net/http"
	"testing"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/probe"
)

// TestAMatchThatCannotJudgeFindsNothing: the suite takes a verdict from
// the findings of a matcher's last Match, so a Match that errs must not
// leave those of an earlier one behind.
func TestAMatchThatCannotJudgeFindsNothing(t *testing.T) {
	bad := probe.Exchange{Method: "GET", Path: "/credits", Status: 200, Header: http.Header{}}
	refused := bad
	refused.Status = 401
	tests := []struct {
		name    string
		m       types.GomegaMatcher
		failing any
	}{
		{"exchanges", BeError(ErrorExpectation{Status: 401}), bad},
		{"pairs", SameCodes(), [][2]probe.Exchange{{bad, refused}}},
		{"credits", LeaveCreditsUnchanged(), Around{Before: credits(5, ""), Actions: []probe.Exchange{bad}, After: credits(4, "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := tt.m.Match(tt.failing); ok || err != nil || len(Findings(tt.m)) == 0 {
				t.Fatalf("the failing input: ok %v, err %v, %d findings", ok, err, len(Findings(tt.m)))
			}
			if _, err := tt.m.Match("not what it judges"); err == nil {
				t.Fatal("no error for what it cannot judge")
			}
			if f := Findings(tt.m); len(f) != 0 {
				t.Errorf("%d findings of the earlier Match left behind", len(f))
			}
		})
	}
}
