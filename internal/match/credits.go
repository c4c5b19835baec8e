package match

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/onsi/gomega/types"

	"github.com/cornect/conform/internal/probe"
)

// Credits is the part of GET /credits that a refused export must not change.
type Credits struct {
	WorkspaceID        string            `json:"workspace_id"`
	Balance            *int64            `json:"balance"`
	RecentTransactions []json.RawMessage `json:"recent_transactions"`
}

// ParseCredits reads a GET /credits response; ok is false unless it is a 200
// with a JSON body holding a balance.
func ParseCredits(ex probe.Exchange) (Credits, bool) {
	var c Credits
	if ex.Status != 200 || json.Unmarshal(ex.Body, &c) != nil || c.Balance == nil {
		return Credits{}, false
	}
	return c, true
}

// LeaveCreditsUnchanged succeeds when the GET /credits after an action shows
// the same balance and transactions as the one before it. The actual value
// is the "after" exchange.
func LeaveCreditsUnchanged(before probe.Exchange) types.GomegaMatcher {
	return &exchangeMatcher{
		describe: "the balance and recent transactions to be unchanged",
		violations: func(after probe.Exchange) []Violation {
			return creditsViolations(before, after)
		},
	}
}

func creditsViolations(before, after probe.Exchange) []Violation {
	b, okB := ParseCredits(before)
	a, okA := ParseCredits(after)
	var vs []Violation
	if !okB {
		vs = append(vs, Violation{Where: "GET credits before", Keyword: "precondition", Message: "expected 200 with a JSON balance, got " + before.Outcome()})
	}
	if !okA {
		vs = append(vs, Violation{Where: "GET credits after", Keyword: "precondition", Message: "expected 200 with a JSON balance, got " + after.Outcome()})
	}
	if len(vs) > 0 {
		return vs
	}
	if *a.Balance != *b.Balance {
		vs = append(vs, Violation{Where: "body /balance", Keyword: "no-charge", Expected: fmt.Sprint(*b.Balance), Got: fmt.Sprintf("%d (changed by %+d)", *a.Balance, *a.Balance-*b.Balance)})
	}
	if !reflect.DeepEqual(normalise(a.RecentTransactions), normalise(b.RecentTransactions)) {
		added := len(a.RecentTransactions) - len(b.RecentTransactions)
		got := fmt.Sprintf("%d transactions (was %d)", len(a.RecentTransactions), len(b.RecentTransactions))
		if len(a.RecentTransactions) > 0 {
			got += "; newest now " + string(a.RecentTransactions[0])
		}
		if added == 0 {
			got = "the same number of transactions, but different ones; newest now " + string(a.RecentTransactions[0])
		}
		vs = append(vs, Violation{Where: "body /recent_transactions", Keyword: "no-charge", Expected: "unchanged", Got: got})
	}
	return vs
}

func normalise(raw []json.RawMessage) []any {
	out := make([]any, len(raw))
	for i, r := range raw {
		_ = json.Unmarshal(r, &out[i])
	}
	return out
}
