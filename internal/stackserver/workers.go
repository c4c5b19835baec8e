package stackserver

// workers is the pool of workers behind the proxy: a slot per worker, nil
// for no cap. The proxy does not queue: a request finds a free worker at
// once or gets 503.
type workers chan struct{}

func newWorkers(n int) workers {
	if n == 0 {
		return nil
	}
	return make(workers, n)
}

// take claims a worker for one request; release gives it back.
func (p workers) take() (release func(), ok bool) {
	if p == nil {
		return func() {}, true
	}
	select {
	case p <- struct{}{}:
		return func() { <-p }, true
	default:
		return nil, false
	}
}
