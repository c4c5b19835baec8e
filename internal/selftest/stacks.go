package selftest

// StackVerdict is one behaviour of internal/stackserver, the CAPI served
// the way FastAPI on uvicorn behind a proxy serves it, and the verdict a
// run against it must get; Test names the test of cmd/conform that proves
// it (a test there keeps the names true).
type StackVerdict struct {
	Behaviour, Verdict, Test string
}

// StackVerdicts lists them, for docs/deviations.md.
func StackVerdicts() []StackVerdict {
	return []StackVerdict{
		{"a kept-alive connection held after POST /exports for background work (Starlette BackgroundTasks), with a not-ready download answered 200", "EXPORT-NOT-READY fails: the early download goes on a connection of its own", "TestAHeldConnectionDoesNotDelayTheEarlyDownload"},
		{"a worker crash on one request drops its connection and the worker's others", "only the check whose request crashed it fails; innocent requests are sent again on fresh connections", "TestACrashFailsOnlyTheCheckThatCausedIt"},
		{"the body parsed before authentication: broken JSON gets 422 without a token", "no warning, even under --strict: only well-formed JSON is evidence of the order", "TestBodyParsedBeforeAuthIsNoWarning"},
		{"trailing-slash redirects (Starlette redirect_slashes)", "CONFORMANT under --strict", "TestTrailingSlashRedirectsAreNoFault"},
		{"503 from a small worker pool behind a proxy, with an HTML body", "no check fails: overload is retried with backoff, and what stays overloaded is inconclusive", "TestASmallWorkerPoolFailsNoCheck"},
		{"Allow built from the first matching route (GET and POST on /companies/search, Allow: GET, HEAD)", "HTTP-METHOD-405 warns, naming POST", "TestAllowNamingOnlyTheFirstRoutesMethodsWarnsNamingTheRest"},
		{"a FastAPI document at the root: full paths, /healthz and /docs beside the API, {company_id}", "only the API's operations are swept, each named once; /healthz is out of scope", "TestOpenAPIOfAFastAPIServiceSweepsItsAPIOnly"},
		{"every behaviour at once", "exactly AUTH-UNBOUND fails (the crash) and HTTP-METHOD-405 warns", "TestTheTypicalStackGetsExactlyItsVerdict"},
	}
}
