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

// Around is an action between two reads of GET /credits: what a refused
// request may not change.
type Around struct {
	Before  probe.Exchange
	Actions []probe.Exchange
	After   probe.Exchange
}

// LeaveCreditsUnchanged succeeds when the GET /credits after the actions
// shows the same balance and recent transactions as the one before. The
// actual value is an Around; a finding names the actions (the operations
// under test), with the reads of GET /credits as its evidence.
func LeaveCreditsUnchanged() types.GomegaMatcher {
	return &creditsMatcher{}
}

type creditsMatcher struct {
	findings []Finding
}

func (m *creditsMatcher) Match(actual any) (bool, error) {
	a, ok := actual.(Around)
	if !ok {
		return false, fmt.Errorf("match: LeaveCreditsUnchanged expects a match.Around, got %T", actual)
	}
	m.findings = nil
	if vs := creditsViolations(a.Before, a.After); len(vs) > 0 {
		for _, ex := range a.Actions {
			m.findings = append(m.findings, Finding{Exchange: ex, Violations: vs})
		}
		if len(a.Actions) == 0 {
			m.findings = append(m.findings, Finding{Exchange: a.After, Violations: vs})
		}
	}
	return len(m.findings) == 0, nil
}

func (m *creditsMatcher) found() []Finding { return m.findings }

func (m *creditsMatcher) FailureMessage(actual any) string {
	a, _ := actual.(Around)
	return "expected the balance and recent transactions to be unchanged; " + Render(m.findings, len(a.Actions)) +
		"\n  GET credits before:\n" + a.Before.Evidence("    ") + "  GET credits after:\n" + a.After.Evidence("    ")
}

func (m *creditsMatcher) NegatedFailureMessage(any) string {
	return "expected the credits to change"
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
