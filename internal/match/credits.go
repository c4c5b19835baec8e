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

// Observable reports whether both reads of GET /credits showed a balance:
// without them nothing can be said about a charge, and the check is
// inconclusive rather than judged.
func (a Around) Observable() (ok bool, why string) {
	if _, ok := ParseCredits(a.Before); !ok {
		return false, "GET /credits before the request did not show a balance (" + a.Before.Outcome() + ")"
	}
	if _, ok := ParseCredits(a.After); !ok {
		return false, "GET /credits after the request did not show a balance (" + a.After.Outcome() + ")"
	}
	return true, ""
}

// LeaveCreditsUnchanged succeeds when every action was refused (a status
// outside 2xx) and the GET /credits after them shows the same balance and
// recent transactions as the one before. An action that was accepted is a
// violation in itself: "a refused request charges nothing" cannot pass when
// the request was not refused. The actual value is an Around whose reads
// are Observable; a finding names the actions (the operations under test).
func LeaveCreditsUnchanged() types.GomegaMatcher {
	return &creditsMatcher{}
}

type creditsMatcher struct {
	findings []Finding
}

func (m *creditsMatcher) Match(actual any) (bool, error) {
	m.findings = nil // a Match that cannot judge finds nothing
	a, ok := actual.(Around)
	if !ok {
		return false, fmt.Errorf("match: LeaveCreditsUnchanged expects a match.Around, got %T", actual)
	}
	if ok, why := a.Observable(); !ok {
		return false, fmt.Errorf("match: LeaveCreditsUnchanged needs both reads of the credits: %s", why)
	}
	changed := creditsViolations(a.Before, a.After)
	for _, ex := range a.Actions {
		var vs []Violation
		if ex.Status >= 200 && ex.Status <= 299 {
			vs = append(vs, Violation{Rule: "refused", Where: "status", Expected: "a refusal (no 2xx status)", Got: statusText(ex.Status) + ": the request was carried out"})
		}
		vs = append(vs, changed...)
		if len(vs) > 0 {
			m.findings = append(m.findings, Finding{Exchange: ex, Violations: vs})
		}
	}
	if len(a.Actions) == 0 && len(changed) > 0 {
		m.findings = append(m.findings, Finding{Exchange: a.After, Violations: changed})
	}
	return len(m.findings) == 0, nil
}

func (m *creditsMatcher) found() []Finding { return m.findings }

func (m *creditsMatcher) FailureMessage(actual any) string {
	a, _ := actual.(Around)
	return summary("the request refused and the balance and recent transactions unchanged", m.findings, len(a.Actions))
}

func (m *creditsMatcher) NegatedFailureMessage(any) string {
	return "expected the credits to change"
}

// creditsViolations compares two readable GET /credits responses.
func creditsViolations(before, after probe.Exchange) []Violation {
	b, _ := ParseCredits(before)
	a, _ := ParseCredits(after)
	var vs []Violation
	if *a.Balance != *b.Balance {
		vs = append(vs, Violation{Rule: "no-charge", Where: "body", Pointer: "/balance", Expected: fmt.Sprint(*b.Balance), Got: fmt.Sprintf("%d (changed by %+d)", *a.Balance, *a.Balance-*b.Balance)})
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
		vs = append(vs, Violation{Rule: "no-transaction", Where: "body", Pointer: "/recent_transactions", Expected: "unchanged", Got: got})
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
