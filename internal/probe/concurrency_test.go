package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// peakServer counts the requests it is serving at once and keeps each one
// until release is closed; arrived receives a value per request.
type peakServer struct {
	*httptest.Server
	inFlight, peak, served atomic.Int64
	arrived                chan struct{}
	release                chan struct{}
	once                   sync.Once
}

// free lets every held request, and every later one, be answered.
func (p *peakServer) free() { p.once.Do(func() { close(p.release) }) }

func newPeakServer(t *testing.T) *peakServer {
	t.Helper()
	p := &peakServer{arrived: make(chan struct{}, 1000), release: make(chan struct{})}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.inFlight.Add(1)
		for {
			old := p.peak.Load()
			if n <= old || p.peak.CompareAndSwap(old, n) {
				break
			}
		}
		p.arrived <- struct{}{}
		select {
		case <-p.release:
		case <-r.Context().Done():
		}
		p.inFlight.Add(-1)
		p.served.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(p.Close)
	t.Cleanup(p.free)
	return p
}

// TestTheClientNeverHasMoreThanConcurrencyRequestsInFlight: twelve callers
// at once, a bound of three. The server sees three, and no fourth while
// they are held; once released, every request is served.
func TestTheClientNeverHasMoreThanConcurrencyRequestsInFlight(t *testing.T) {
	for _, tt := range []struct {
		name        string
		concurrency int
		want        int64
	}{
		{"a bound of 3", 3, 3},
		{"the default of 16", 0, DefaultConcurrency},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newPeakServer(t)
			c := newTestClient(t, srv.URL, func(o *Options) { o.Concurrency = tt.concurrency })
			callers := int(tt.want) + 9
			var wg sync.WaitGroup
			statuses := make([]int, callers)
			for i := range callers {
				wg.Go(func() { statuses[i] = c.Do(context.Background(), readRequest("/credits")).Status })
			}
			for range tt.want {
				select {
				case <-srv.arrived:
				case <-time.After(5 * time.Second):
					t.Fatalf("only %d requests arrived, want %d at once", srv.inFlight.Load(), tt.want)
				}
			}
			// Long enough for a request past the bound to arrive, were it sent.
			select {
			case <-srv.arrived:
				t.Errorf("a request past the bound of %d arrived", tt.want)
			case <-time.After(100 * time.Millisecond):
			}
			srv.free()
			wg.Wait()
			if p := srv.peak.Load(); p != tt.want {
				t.Errorf("peak of %d requests in flight, want %d", p, tt.want)
			}
			for i, s := range statuses {
				if s != http.StatusOK {
					t.Errorf("caller %d got %d, want 200", i, s)
				}
			}
		})
	}
}

// TestWaitingForASlotEndsWithTheContext: with the only slot taken, a
// request whose context ends while it waits is not sent at all.
func TestWaitingForASlotEndsWithTheContext(t *testing.T) {
	srv := newPeakServer(t)
	c := newTestClient(t, srv.URL, func(o *Options) { o.Concurrency = 1 })
	done := make(chan Exchange, 1)
	go func() { done <- c.Do(context.Background(), readRequest("/credits")) }()
	<-srv.arrived

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	ex := c.Do(ctx, readRequest("/credits"))
	if ex.Status != 0 || ex.Err == "" || time.Since(start) > time.Second {
		t.Errorf("got %s after %s; want no request, ended by the context", ex.Outcome(), time.Since(start))
	}
	srv.free()
	if first := <-done; first.Status != http.StatusOK {
		t.Errorf("the request holding the slot got %s", first.Outcome())
	}
	if n := srv.served.Load(); n != 1 {
		t.Errorf("the server served %d requests, want 1", n)
	}
}
