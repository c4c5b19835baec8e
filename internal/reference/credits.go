package reference

import (
	"net/http"
	"time"
)

// recentTransactions is how many transactions GET /credits shows.
const recentTransactions = 20

// Reasons of transactions.
const (
	reasonGrant        = "grant"
	reasonExportCharge = "export_charge"
)

// workspace is a tenant: its credits and what it has unlocked.
type workspace struct {
	id           string
	balance      int
	transactions []transaction // oldest first
	unlocked     map[int]bool  // indexes of the companies it has ever exported
}

type transaction struct {
	ID        string `json:"id"`
	Amount    int    `json:"amount"` // negative for a charge
	Reason    string `json:"reason"`
	Reference string `json:"reference"`
	CreatedAt string `json:"created_at"`
}

func newWorkspace(id string) *workspace {
	return &workspace{id: id, unlocked: make(map[int]bool)}
}

// record books amount on ws and returns the transaction.
func (ws *workspace) record(id string, amount int, reason, reference string, at time.Time) transaction {
	tx := transaction{ID: id, Amount: amount, Reason: reason, Reference: reference, CreatedAt: timestamp(at)}
	ws.transactions = append(ws.transactions, tx)
	ws.balance += amount
	return tx
}

// chargeExport takes cost credits from ws for the export with id exportID and
// returns the transaction id, nil when nothing was charged. When the balance
// cannot cover cost it charges nothing and refuses with 402.
func (s *Server) chargeExport(ws *workspace, cost int, exportID string, now time.Time) (*string, *apiError) {
	if cost == 0 {
		return nil, nil
	}
	reference := "export:" + exportID + ":create"
	if cost > ws.balance && !s.broken(faultBalanceNotChecked) {
		refusal := s.insufficientBalance(ws.balance, cost)
		if s.broken(faultChargeOn402) {
			ws.record(newUUID(), -cost, reasonExportCharge, reference, now)
		}
		return nil, refusal
	}
	tx := ws.record(newUUID(), -cost, reasonExportCharge, reference, now)
	return &tx.ID, nil
}

// balanceDetails are the details of insufficient_balance.
type balanceDetails struct {
	Balance  int `json:"balance"`
	Required int `json:"required"`
}

func (s *Server) insufficientBalance(balance, required int) *apiError {
	e := documentedError("insufficient_balance", "Not enough credits to create this export.",
		balanceDetails{Balance: balance, Required: required})
	if s.broken(faultBalanceUppercase) {
		e.code = "INSUFFICIENT_BALANCE"
	}
	if s.broken(faultBalanceAs403) {
		e.status = http.StatusForbidden
	}
	return e
}

type creditsResponse struct {
	WorkspaceID        string        `json:"workspace_id"`
	Balance            int           `json:"balance"`
	RecentTransactions []transaction `json:"recent_transactions"`
}

// getCredits is GET /credits.
func (s *Server) getCredits(c *call) (reply, *apiError) {
	ws := c.workspace
	recent := make([]transaction, 0, recentTransactions)
	for i := len(ws.transactions) - 1; i >= 0 && len(recent) < recentTransactions; i-- {
		recent = append(recent, ws.transactions[i])
	}
	return jsonReply(http.StatusOK, creditsResponse{WorkspaceID: ws.id, Balance: ws.balance, RecentTransactions: recent}), nil
}
