package suite

import (
	"time"

	"github.com/cornect/conform/internal/probe"
)

// Paces are the limits a run of a plan paces itself within: each
// operation's, the profile's per its window (rate_limit.refill_seconds),
// else the OpenAPI document's per minute (x-cornect-rate-limit-per-minute
// says so); the assumed one of an operation neither documents, and the one
// of failed authentication (PlanConfig.FailedAuthLimit, else the
// profile's), per minute.
type Paces struct {
	Operations       map[string]int // by probe.OperationKey; 0 is undocumented
	Undocumented     int
	FailedAuth       int
	FailedAuthSource string // where FailedAuth comes from, in words
	// Window is the period of the profile's limits: its
	// rate_limit.refill_seconds, a minute when left out.
	Window time.Duration
	// windowed are the operations whose limit is the profile's, paced per
	// Window.
	windowed map[string]bool
}

// Paces are the plan's limits.
func (p *Plan) Paces() Paces {
	prof := p.cfg.Profile
	limits := prof.Limits()
	windowed := map[string]bool{}
	for k, n := range limits {
		windowed[k] = n > 0
	}
	for _, e := range p.Operations() {
		if _, ok := limits[e.Key()]; !ok {
			limits[e.Key()] = e.LimitPerMinute
		}
	}
	pace := Paces{Operations: limits, Undocumented: prof.RateLimit.UndocumentedLimit(),
		FailedAuth: prof.RateLimit.FailedAuthLimit(), FailedAuthSource: "assumed: the docs publish none; --failed-auth-limit",
		Window: prof.RateLimit.Refill(), windowed: windowed}
	switch {
	case p.cfg.FailedAuthLimit > 0:
		pace.FailedAuth, pace.FailedAuthSource = p.cfg.FailedAuthLimit, "--failed-auth-limit"
	case prof.RateLimit.FailedAuthPerMinute > 0:
		pace.FailedAuthSource = "the profile's rate_limit.failed_auth_per_minute"
	}
	return pace
}

// Of is the limit of a key probe.Classify returned, and where it comes from.
func (p Paces) Of(key string) (int, string) {
	switch n := p.Operations[key]; {
	case key == probe.FailedAuthClass:
		return p.FailedAuth, p.FailedAuthSource
	case n > 0:
		return n, "documented"
	}
	return p.Undocumented, "assumed: undocumented operation"
}

// Period is how long the bucket of a key probe.Classify returned takes to
// refill whole: the profile's window for a limit of the profile, else a
// minute.
func (p Paces) Period(key string) time.Duration {
	if key != probe.FailedAuthClass && p.windowed[key] && p.Window > 0 {
		return p.Window
	}
	return time.Minute
}

// periods are Period's answers that are not a minute, by key: the
// client's Options.Periods.
func (p Paces) periods() map[string]time.Duration {
	out := map[string]time.Duration{}
	for k := range p.Operations {
		if d := p.Period(k); d != time.Minute {
			out[k] = d
		}
	}
	return out
}

// NewClient is the client of a run of the plan: o (the base URL, timeouts,
// TLS, hooks) with the plan's tokens, to mask wherever they appear, and
// its limits to pace within. Whatever o says of these, the plan's hold.
func (p *Plan) NewClient(o probe.Options) (*probe.Client, error) {
	o.Credentials = nil
	for _, role := range probe.Roles() {
		if c, ok := p.cfg.Tokens[role]; ok && c.Present() {
			o.Credentials = append(o.Credentials, c)
		}
	}
	pace := p.Paces()
	o.Limits, o.UndocumentedLimit, o.FailedAuthLimit, o.Periods = pace.Operations, pace.Undocumented, pace.FailedAuth, pace.periods()
	return probe.New(o)
}
