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
		{"a dead route behind nginx (WithDeadRoute, 502): POST /exports/{export_id}/download answers its 502 page to every request, with and without credentials, while the rest answers", "exit 1: the checks that needed that operation fail as a broken operation, not inconclusive as overload", "TestADeadRouteBehindA502GatewayFails"},
		{"a stuck backend, behind a gateway that times out (504) or one that does not (conform's --request-timeout fires)", "exit 1 both ways, with the same reason: the operation is broken", "TestAStuckBackendGetsOneVerdictWhoeverTimesOut"},
		{"a per-token limiter answering 503 with nginx's page and no Retry-After (limit_req's default) on GET /credits", "exit 1: RATE-LIMIT-429 fails, naming the 503s, that the burst is never retried, and the other token served on the same operation", "TestALimiterAnswering503FailsRateLimit429"},
		{"a bucket shared by every token (a limiter keyed by the endpoint alone) that refills one slot just as the burst's token gets its 429 on GET /credits", "exit 1: RATE-LIMIT-PER-TOKEN fails; of the other token's three requests sent at once, one took the slot and two got 429", "TestASharedBucketThatRefilledASlotFailsRateLimitPerToken"},
		{"an Express limiter sending Retry-After in milliseconds (1737 for 1.7 s)", "exit 1: RATE-LIMIT-429 and RATE-LIMIT-RECOVERY fail after conform waited the documented refill (rate_limit.refill_seconds) and was served; neither is skipped", "TestAMillisecondRetryAfterFailsAfterTheRefill"},
		{"a shared cache on GET /credits keyed without Authorization (Django cache_page)", "exit 1: AUTH-MISSING, AUTH-UNKNOWN and AUTH-EXPIRED fail on the warm probes; NOTFOUND-OTHER-WORKSPACE and the credits checks fail as a leak, not skipped as setup; HTTP-STABLE-CODE leaves the request served twice out and judges the other failures", "TestASharedCacheKeyedWithoutAuthorizationFails"},
		{"the same cache on GET /exports/{export_id}, on a target whose exports complete at once: the export read late in the run (after its early download was served) is stored under its URL", "exit 1: AUTH-MISSING, AUTH-UNKNOWN and AUTH-EXPIRED fail on the warm probes sent to that export's URL after the 200, judged when the run ends", "TestASharedCacheOnAnExportFailsTheAuthChecksLateInTheRun"},
		{"a cap of 2 requests in flight per client answered 429 with Connection: close and no Retry-After (fasthttp MaxConnsPerIP)", "exit 0: conform lowers its concurrency, says which --concurrency avoids it, and reports no wait on Retry-After", "TestRefusalsWithoutRetryAfterLowerTheConcurrency"},
		{"a cap of 8 requests in flight per client that the rate-limit burst's 16 exceed", "exit 0: RATE-LIMIT-429 is inconclusive, since the token sent alone was served: the 429 was the burst's load, not the bucket", "TestAConnectionCapDuringTheBurstIsNotTheLimiter"},
		{"a target that stops answering mid-run: every connection hung up, or left without an answer, after the first requests", "exit 3, not 1: said once, with when and after how many requests; the checks it left unjudged are inconclusive or not run, none failed", "TestATargetThatDiesMidRunIsAnOutageNotViolations"},
		{"every behaviour at once", "exactly AUTH-UNBOUND fails (the crash) and HTTP-METHOD-405 warns", "TestTheTypicalStackGetsExactlyItsVerdict"},
	}
}
