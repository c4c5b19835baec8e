package probe

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cornect/conform/internal/stackserver"
)

// TestAFreshConnectionDoesNotQueueBehindABackgroundHold: after POST
// /exports on a stack that keeps the connection for its background work,
// the download of the new export on a fresh connection is answered at
// once, while on the kept-alive connection it waits for the hold (and
// says it was slow).
func TestAFreshConnectionDoesNotQueueBehindABackgroundHold(t *testing.T) {
	const hold = 600 * time.Millisecond
	for _, tt := range []struct {
		name      string
		fresh     bool
		wantDelay bool
	}{
		{"on a fresh connection", true, false},
		{"on the kept-alive connection", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c, tokens := stack(t, []stackserver.Option{stackserver.WithBackgroundHold(hold)},
				func(o *Options) { o.SlowAfter = hold / 2 })
			id := createExport(t, c, tokens[RoleReadWrite])
			answered := time.Now()

			download := as(tokens[RoleReadWrite], http.MethodPost, "/exports/"+id+"/download", "")
			download.FreshConnection = tt.fresh
			ex := c.Do(context.Background(), download)
			waited := time.Since(answered)
			if ex.Status != http.StatusBadRequest {
				t.Fatalf("download: %s %s, want the 400 of an export not ready", ex.Outcome(), ex.BodyText)
			}
			switch {
			case tt.wantDelay && waited < hold*9/10:
				t.Errorf("answered %v after the 201; the kept-alive connection should wait for the %v hold", waited, hold)
			case !tt.wantDelay && waited >= hold/2:
				t.Errorf("answered %v after the 201; want at once, not behind the %v hold", waited, hold)
			}
			if ex.Slow != tt.wantDelay {
				t.Errorf("Slow %v (first byte after %v), want %v", ex.Slow, ex.FirstByte, tt.wantDelay)
			}
		})
	}
}
