package suite

import "strings"

// unknownRoutePrefix starts the made-up path HTTP-UNKNOWN-ROUTE requests; a
// random part follows, so no route or cache of the target can know it.
const unknownRoutePrefix = "/conform-no-such-route-"

// StableOperation is an operation ("GET /credits") as it stays from run to
// run: the made-up route of HTTP-UNKNOWN-ROUTE, random in each run, gets
// {random} for its random part. Every other operation is a method and a
// path template already. A baseline of known failures records operations so.
func StableOperation(op string) string {
	method, path, ok := strings.Cut(op, " ")
	if ok && strings.HasPrefix(path, unknownRoutePrefix) {
		return method + " " + unknownRoutePrefix + "{random}"
	}
	return op
}
