package reference

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestManualClockMovesOnlyWhenAdvanced(t *testing.T) {
	c := NewManualClock(epoch)
	if !c.Now().Equal(epoch) || !c.Now().Equal(epoch) {
		t.Fatalf("Now() = %v, want %v", c.Now(), epoch)
	}
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(epoch.Add(90 * time.Second)) {
		t.Errorf("after Advance: %v", got)
	}
}

func TestManualClockIsSafeForConcurrentUse(t *testing.T) {
	c := NewManualClock(epoch)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now().Sub(epoch); got != 8*time.Second {
		t.Errorf("advanced %v in total, want 8s", got)
	}
}

// TestConcurrentRequestsShareOneConsistentState runs many clients at once
// (meaningful under -race) and checks no charge was lost.
func TestConcurrentRequestsShareOneConsistentState(t *testing.T) {
	e := newEnv(t, WithRateWindow(time.Hour))
	poland := count(companyCount, inCountries("Poland"))
	var wg sync.WaitGroup
	statuses := make(chan int, 64)
	for i := range 16 {
		wg.Go(func() {
			statuses <- e.post("/exports", RoleReadWrite, fmt.Sprintf(`{"name":"c%d","search_filters":{"countries":["Poland"]}}`, i)).status
			statuses <- e.post("/companies/search", RoleRead, `{}`).status
			statuses <- e.get("/credits", RoleRead).status
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusCreated] != 5 || counts[http.StatusTooManyRequests] != 11 {
		t.Errorf("statuses %v, want 5 exports created and 11 limited", counts)
	}
	if got := e.credits(RoleRead).Balance; got != workspaceAGrant-poland {
		t.Errorf("balance %d, want one charge of %d", got, poland)
	}
}
