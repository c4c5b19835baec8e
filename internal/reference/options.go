package reference

import (
	"fmt"
	"slices"
	"time"
)

// config is what the options set; New fills in the defaults first.
type config struct {
	clock            Clock
	rateWindow       time.Duration
	unauthLimit      int
	exportProcessing time.Duration
	exportCompleted  time.Duration
	latency          time.Duration
	faults           []string
	variations       []string
	extraOps         int
	problems         []string // invalid option values; New panics with them
}

// Option configures a Server.
type Option func(*config)

// lowUnauthenticatedLimit is the unauthenticated limit under the
// low-unauthenticated-limit variation, as if WithUnauthenticatedLimit(60).
const lowUnauthenticatedLimit = 60

func defaultConfig() config {
	return config{
		clock:            systemClock{},
		rateWindow:       time.Minute,
		unauthLimit:      300,
		exportProcessing: 2 * time.Second,
		exportCompleted:  5 * time.Second,
	}
}

// WithClock makes the server read time from c instead of the real time.
func WithClock(c Clock) Option {
	return func(cfg *config) {
		if c == nil {
			cfg.invalid("WithClock: nil clock")
			return
		}
		cfg.clock = c
	}
}

// WithRateWindow turns every documented "N/min" limit into "N per d", so tests
// can exhaust and refill buckets quickly. The default is time.Minute; d must
// be positive.
func WithRateWindow(d time.Duration) Option {
	return func(cfg *config) {
		if d <= 0 {
			cfg.invalid(fmt.Sprintf("WithRateWindow: window must be positive, got %v", d))
			return
		}
		cfg.rateWindow = d
	}
}

// WithUnauthenticatedLimit sets how many requests that fail authentication one
// client IP may make per rate window before it gets 429 instead of 401. The
// default is 300, and 60 with the low-unauthenticated-limit variation (the
// later of the two options wins); n must be at least 1.
func WithUnauthenticatedLimit(n int) Option {
	return func(cfg *config) {
		if n < 1 {
			cfg.invalid(fmt.Sprintf("WithUnauthenticatedLimit: limit must be at least 1, got %d", n))
			return
		}
		cfg.unauthLimit = n
	}
}

// WithExportTimings sets when, measured on the server's clock from its
// creation, an export moves from pending to processing and from processing to
// completed. The defaults are 2s and 5s; 0 <= processing <= completed.
func WithExportTimings(processing, completed time.Duration) Option {
	return func(cfg *config) {
		if processing < 0 || completed < processing {
			cfg.invalid(fmt.Sprintf("WithExportTimings: need 0 <= processing <= completed, got %v and %v", processing, completed))
			return
		}
		cfg.exportProcessing, cfg.exportCompleted = processing, completed
	}
}

// WithLatency delays every response by d of real time (not the injected
// clock: the point is to make clients wait), for testing a client's timeouts
// against a slow target. The default is 0.
func WithLatency(d time.Duration) Option {
	return func(cfg *config) {
		if d < 0 {
			cfg.invalid(fmt.Sprintf("WithLatency: latency must not be negative, got %v", d))
			return
		}
		cfg.latency = d
	}
}

// maxExtraOperations bounds WithExtraOperations.
const maxExtraOperations = 10000

// WithExtraOperations adds n authenticated operations beyond the documented
// six, for sweeping an OpenAPI document with hundreds or thousands of
// operations against a target that implements every one of them. Operation
// i (from 0) is GET /api/v1/extra/op%04d/{item_id}: it passes the same
// authentication, per-token rate limit (120 per window) and scope check
// (read) as GET /companies/{id}, and then answers 404 NOT_FOUND, since it
// has no items. The served OpenAPI document lists them. The default is 0;
// 0 <= n <= 10000.
func WithExtraOperations(n int) Option {
	return func(cfg *config) {
		if n < 0 || n > maxExtraOperations {
			cfg.invalid(fmt.Sprintf("WithExtraOperations: need 0 <= n <= %d, got %d", maxExtraOperations, n))
			return
		}
		cfg.extraOps = n
	}
}

// WithFaults switches on deliberate deviations from the contract, by name
// (see Faults). Validate user input with CheckFaults first: New panics on
// names CheckFaults rejects.
func WithFaults(names ...string) Option {
	return func(cfg *config) {
		if err := CheckFaults(names); err != nil {
			cfg.invalid(err.Error())
			return
		}
		cfg.faults = append(cfg.faults, names...)
	}
}

// WithVariations switches on conforming variations, by name (see
// Variations): behaviour the contract allows that a client must tolerate.
// Validate user input with CheckVariations first: New panics on names
// CheckVariations rejects.
func WithVariations(names ...string) Option {
	return func(cfg *config) {
		if err := CheckVariations(names); err != nil {
			cfg.invalid(err.Error())
			return
		}
		cfg.variations = append(cfg.variations, names...)
		if slices.Contains(names, variationLowUnauthenticatedLimit) {
			cfg.unauthLimit = lowUnauthenticatedLimit
		}
	}
}

func (cfg *config) invalid(problem string) {
	cfg.problems = append(cfg.problems, problem)
}
