package main

import (
	"github.com/cornect/conform/fixtures"
	"github.com/cornect/conform/internal/probe"
)

// paces are the limits the run paces itself within, per minute: the
// operations' (operationLimits), the assumed one of an undocumented
// operation, and the one of failed authentication (--failed-auth-limit,
// else the profile's).
type paces struct {
	operations         map[string]int
	undocumented, auth int
	authSource         string
}

func runPaces(cfg runConfig, prof *fixtures.Profile, ops []fixtures.Endpoint) paces {
	p := paces{operations: operationLimits(prof, ops), undocumented: prof.RateLimit.UndocumentedLimit(),
		auth: prof.RateLimit.FailedAuthLimit(), authSource: "assumed: the docs publish none; --failed-auth-limit"}
	switch {
	case cfg.FailedAuthLimit > 0:
		p.auth, p.authSource = cfg.FailedAuthLimit, "--failed-auth-limit"
	case prof.RateLimit.FailedAuthPerMinute > 0:
		p.authSource = "the profile's rate_limit.failed_auth_per_minute"
	}
	return p
}

// of is the limit of a key probe.Classify returned, and where it comes from.
func (p paces) of(key string) (int, string) {
	switch n := p.operations[key]; {
	case key == probe.FailedAuthClass:
		return p.auth, p.authSource
	case n > 0:
		return n, "documented"
	}
	return p.undocumented, "assumed: undocumented operation"
}

// operationLimits adds the operations' limits to the profile's, for
// pacing; an operation without one is left to the undocumented limit.
func operationLimits(prof *fixtures.Profile, ops []fixtures.Endpoint) map[string]int {
	limits := prof.Limits()
	for _, e := range ops {
		if _, ok := limits[e.Key()]; !ok {
			limits[e.Key()] = e.LimitPerMinute
		}
	}
	return limits
}
