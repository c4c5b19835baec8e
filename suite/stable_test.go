package suite

import (
	"strings"
	"testing"
)

func TestStableOperationHidesOnlyTheRandomPartOfTheMadeUpRoute(t *testing.T) {
	for op, want := range map[string]string{
		"GET " + unknownRoutePrefix + "417ec5d5": "GET " + unknownRoutePrefix + "{random}",
		"GET " + unknownRoutePrefix + "00000000": "GET " + unknownRoutePrefix + "{random}",
		"GET /credits":                           "GET /credits",
		"PATCH /exports/{export_id}":             "PATCH /exports/{export_id}",
		"":                                       "",
	} {
		if got := StableOperation(op); got != want {
			t.Errorf("StableOperation(%q) = %q, want %q", op, got, want)
		}
	}
	if !strings.HasPrefix(unknownRoutePrefix, "/") {
		t.Errorf("the made-up route %q is not a path", unknownRoutePrefix)
	}
}
