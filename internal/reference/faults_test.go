package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const germanyExport = `{"name":"germany","search_filters":{"countries":["Germany"]}}`

// faultCases hold, per fault, a scenario whose outcome shows the fault: it
// must report false on a conforming server and true with the fault on.
var faultCases = map[string]func(t *testing.T, e *env) bool{
	faultValidationArrayDetail: func(t *testing.T, e *env) bool {
		return bytes.HasPrefix(e.post("/exports", RoleReadWrite, `{}`).body, []byte(`{"detail":[{"loc":["body","name"]`))
	},
	faultNotFoundPlainText: func(t *testing.T, e *env) bool {
		r := e.get("/companies/"+nameUUID("x"), RoleRead)
		return r.status == 404 && strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") && string(r.body) == "Not Found"
	},
	faultNotFoundDetailString: func(t *testing.T, e *env) bool {
		return string(e.get("/nowhere", RoleRead).body) == `{"detail":"Not Found"}`
	},
	faultExpiredAccepted: func(t *testing.T, e *env) bool {
		return e.get("/credits", RoleExpired).status == 200
	},
	faultExpiredAsInvalidToken: func(t *testing.T, e *env) bool {
		return e.get("/credits", RoleExpired).envelope(t).Detail.Code == "INVALID_TOKEN"
	},
	faultRevokedAccepted: func(t *testing.T, e *env) bool {
		return e.get("/credits", RoleRevoked).status == 200
	},
	faultUnboundAccepted: func(t *testing.T, e *env) bool {
		return e.get("/credits", RoleUnbound).status == 200
	},
	faultNonMember403: func(t *testing.T, e *env) bool {
		r := e.get("/credits", RoleNonMember)
		return r.status == 403 && r.envelope(t).Detail.Code == "NOT_WORKSPACE_MEMBER"
	},
	faultMissingAuthAsInvalidToken: func(t *testing.T, e *env) bool {
		return e.get("/credits", "").envelope(t).Detail.Code == "INVALID_TOKEN"
	},
	faultPrefixUnchecked: func(t *testing.T, e *env) bool {
		return e.get("/credits", "", withHeader("Authorization", "Bearer abc")).envelope(t).Detail.Code == "INVALID_TOKEN"
	},
	faultEmptyHeaderAsMissing: func(t *testing.T, e *env) bool {
		return e.get("/credits", "", withHeader("Authorization", "")).envelope(t).Detail.Code == "MISSING_AUTH_HEADER"
	},
	faultCreditsNoAuth: func(t *testing.T, e *env) bool {
		return e.get("/credits", "").status == 200 && e.post("/companies/search", "", `{}`).status == 401
	},
	faultScopeNotEnforced: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleRead, germanyExport).status == 201
	},
	faultScopeAs401: func(t *testing.T, e *env) bool {
		r := e.post("/exports", RoleRead, germanyExport)
		return r.status == 401 && r.envelope(t).Detail.Code == "INSUFFICIENT_SCOPE"
	},
	faultScopeDetailsSwapped: func(t *testing.T, e *env) bool {
		return string(e.post("/exports", RoleRead, germanyExport).envelope(t).Detail.Details) == `{"token_scope":"read_write","required":"read"}`
	},
	faultReadEndpointNeedsWrite: func(t *testing.T, e *env) bool {
		id := e.createExport(RoleReadWrite, germanyExport).ExportJob.ID
		return e.get("/exports/"+id, RoleRead).status == 403
	},
	faultBalanceUppercase: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleNoCredits, germanyExport).envelope(t).Detail.Code == "INSUFFICIENT_BALANCE"
	},
	faultBalanceAs403: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleNoCredits, germanyExport).status == 403
	},
	faultBalanceNotChecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleNoCredits, germanyExport).status == 201 && e.credits(RoleNoCredits).Balance < 0
	},
	faultChargeOn402: func(t *testing.T, e *env) bool {
		r := e.post("/exports", RoleNoCredits, germanyExport)
		cr := e.credits(RoleNoCredits)
		return r.status == 402 && cr.Balance < 0 && len(cr.RecentTransactions) == 3
	},
	faultRateLimitMissing: func(t *testing.T, e *env) bool {
		for range 200 {
			if e.get("/credits", RoleRead).status == 429 {
				return false
			}
		}
		return true
	},
	faultRetryAfterMissing: func(t *testing.T, e *env) bool {
		r := provoke429(e)
		return r.status == 429 && r.header.Values("Retry-After") == nil
	},
	faultRetryAfterHTTPDate: func(t *testing.T, e *env) bool {
		_, err := http.ParseTime(provoke429(e).header.Get("Retry-After"))
		return err == nil
	},
	faultRetryAfterZero: func(t *testing.T, e *env) bool {
		return provoke429(e).header.Get("Retry-After") == "0"
	},
	faultRateLimitSticky: func(t *testing.T, e *env) bool {
		r := provoke429(e)
		wait, _ := time.ParseDuration(r.header.Get("Retry-After") + "s")
		e.clock.Advance(wait)
		return e.get("/credits", RoleRead).status == 429
	},
	faultErrorsAs200: func(t *testing.T, e *env) bool {
		r := e.get("/credits", "")
		return r.status == 200 && r.envelope(t).Detail.Code == "MISSING_AUTH_HEADER"
	},
	faultHTMLForAnyAccept: func(t *testing.T, e *env) bool {
		html := func(r *result) bool { return strings.HasPrefix(r.header.Get("Content-Type"), "text/html") }
		return html(e.get("/credits", "")) && html(e.get("/credits", "", setHeader("Accept", "*/*"))) &&
			html(e.get("/credits", "", setHeader("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))) &&
			!html(e.get("/credits", "", setHeader("Accept", "application/json")))
	},
	faultJSONAsHTML: func(t *testing.T, e *env) bool {
		return strings.HasPrefix(e.get("/credits", "").header.Get("Content-Type"), "text/html")
	},
	faultEnvelopeFlat: func(t *testing.T, e *env) bool {
		var flat map[string]json.RawMessage
		_ = json.Unmarshal(e.get("/credits", "").body, &flat)
		return flat["detail"] == nil && string(flat["code"]) == `"MISSING_AUTH_HEADER"` && flat["message"] != nil
	},
	faultMessageMissing: func(t *testing.T, e *env) bool {
		return !bytes.Contains(e.get("/credits", "").body, []byte(`"message"`))
	},
	faultUnknownID500: func(t *testing.T, e *env) bool {
		r := e.get("/companies/"+nameUUID("x"), RoleRead)
		return r.status == 500 && r.envelope(t).Detail.Code == codeInternal
	},
	faultValidationAs400: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{}`).status == 400
	},
	faultMalformedJSON500: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":`).status == 500
	},
	faultListIDUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":"x","source_type":"list","list_id":"not-a-uuid"}`).status == 404
	},
	// Each enum fault unchecks its member alone: the others still get 422.
	faultExportFormatUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":"x","export_format":"xml"}`).status == 201 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","sort_order":"sideways"}`).status == 422 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","source_type":"crm"}`).status == 422
	},
	faultSortOrderUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":"x","sort_order":"sideways"}`).status == 201 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","export_format":"xml"}`).status == 422 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","source_type":"crm"}`).status == 422
	},
	faultSourceTypeUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":"x","source_type":"crm"}`).status == 201 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","export_format":"xml"}`).status == 422 &&
			e.post("/exports", RoleNoCredits, `{"name":"x","sort_order":"sideways"}`).status == 422
	},
	faultJSONScalars400: func(t *testing.T, e *env) bool {
		for _, scalar := range []string{`42`, `"x"`, `true`, `null`} {
			if e.post("/companies/search", RoleRead, scalar).status != 400 {
				return false
			}
		}
		return e.post("/companies/search", RoleRead, `["x"]`).status == 422
	},
	faultDownloadUnfinished200: func(t *testing.T, e *env) bool {
		id := e.createExport(RoleReadWrite, germanyExport).ExportJob.ID
		return e.post("/exports/"+id+"/download", RoleRead, "").status == 200
	},
	faultCrossWorkspace403: func(t *testing.T, e *env) bool {
		id := e.createExport(RoleReadWrite, germanyExport).ExportJob.ID
		return e.get("/exports/"+id, RoleNoCredits).status == 403
	},
	faultCrossWorkspaceOtherCode: func(t *testing.T, e *env) bool {
		id := e.createExport(RoleReadWrite, germanyExport).ExportJob.ID
		r := e.get("/exports/"+id, RoleNoCredits)
		return r.status == 404 && r.envelope(t).Detail.Code == "EXPORT_OF_ANOTHER_WORKSPACE"
	},
	faultSharedBucket: func(t *testing.T, e *env) bool {
		for range 60 {
			e.get("/credits", RoleRead)
		}
		return e.get("/credits", RoleReadWrite).status == 429
	},
	faultStringFilterTypesUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleReadWrite, `{"name":"x","search_filters":{"countries":"Germany"}}`).status == 201 &&
			e.post("/companies/search", RoleRead, `{"employee_count_min":"ten"}`).status == 422
	},
	faultIntegerFilterTypesUnchecked: func(t *testing.T, e *env) bool {
		return e.post("/companies/search", RoleRead, `{"employee_count_min":"ten"}`).status == 200 &&
			e.post("/companies/search", RoleRead, `{"countries":"Germany"}`).status == 422
	},
	faultWWWAuthenticateMissing: func(t *testing.T, e *env) bool {
		missing, expired := e.get("/credits", ""), e.get("/credits", RoleExpired)
		return missing.status == 401 && expired.status == 401 &&
			missing.header.Values("WWW-Authenticate") == nil && expired.header.Values("WWW-Authenticate") == nil
	},
	faultChallengeErrorWithoutCredentials: func(t *testing.T, e *env) bool {
		r := e.get("/credits", "")
		return r.envelope(t).Detail.Code == "MISSING_AUTH_HEADER" && strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`)
	},
	faultSchemeCaseSensitive: func(t *testing.T, e *env) bool {
		refused := func(scheme string) bool {
			r := e.get("/credits", "", withHeader("Authorization", scheme+" "+e.tokens[RoleRead]))
			return r.status == 401 && r.envelope(t).Detail.Code == "INVALID_TOKEN_FORMAT"
		}
		return refused("bearer") && refused("BEARER") && e.get("/credits", RoleRead).status == 200
	},
	faultValidationBeforeAuth: func(t *testing.T, e *env) bool {
		unknown := withHeader("Authorization", "Bearer cornect_unknown")
		return e.post("/exports", "", `{}`).status == 422 &&
			e.post("/companies/search", "", `{"employee_count_min":"ten"}`, unknown).status == 422 &&
			e.post("/exports", "", germanyExport).envelope(t).Detail.Code == "MISSING_AUTH_HEADER" &&
			e.post("/companies/search", "", `{}`, unknown).envelope(t).Detail.Code == "INVALID_TOKEN"
	},
	faultTokenEcho: func(t *testing.T, e *env) bool {
		r := e.get("/credits", RoleExpired)
		return r.status == 401 && bytes.Contains(r.body, []byte(e.tokens[RoleExpired]))
	},
	faultStackTrace: func(t *testing.T, e *env) bool {
		var d struct {
			Trace string `json:"trace"`
		}
		r := e.get("/companies/"+nameUUID("x"), RoleRead)
		_ = json.Unmarshal(r.envelope(t).Detail.Details, &d)
		return r.status == 404 && strings.HasPrefix(d.Trace, "Traceback (most recent call last):\n") && strings.Contains(d.Trace, `File "/app/`)
	},
	faultScopeAfterCharge: func(t *testing.T, e *env) bool {
		before := e.credits(RoleReadWrite)
		r := e.post("/exports", RoleRead, germanyExport)
		after := e.credits(RoleReadWrite)
		return r.status == 403 && r.envelope(t).Detail.Code == "INSUFFICIENT_SCOPE" &&
			after.Balance < before.Balance && len(after.RecentTransactions) == len(before.RecentTransactions)+1
	},
	faultWrongMethod404: func(t *testing.T, e *env) bool {
		r := e.do(http.MethodDelete, v1+"/credits", RoleRead, "")
		return r.status == 404 && r.envelope(t).Detail.Code == codeNotFound
	},
	faultMethodNotAllowedWithoutAllow: func(t *testing.T, e *env) bool {
		r := e.do(http.MethodDelete, v1+"/credits", RoleRead, "")
		return r.status == 405 && r.header.Values("Allow") == nil
	},
	faultUnknownRoutePlainText: func(t *testing.T, e *env) bool {
		r := e.get("/nowhere", RoleRead)
		return r.status == 404 && strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") && string(r.body) == "404 page not found\n"
	},
	faultCodesUnstable: func(t *testing.T, e *env) bool {
		twice := func(send func() *result) bool {
			return send().envelope(t).Detail.Code != send().envelope(t).Detail.Code
		}
		return twice(func() *result { return e.get("/companies/"+nameUUID("x"), RoleRead) }) &&
			twice(func() *result { return e.post("/exports", RoleReadWrite, `{}`) })
	},
	faultRetryAfterGarbage: func(t *testing.T, e *env) bool {
		refused := e.post("/exports", RoleNoCredits, germanyExport)
		missing := e.get("/companies/"+nameUUID("x"), RoleRead)
		limited := provoke429(e)
		return refused.status == 402 && refused.header.Get("Retry-After") == "soon" &&
			missing.header.Get("Retry-After") == "soon" && wholeSeconds(limited.header.Get("Retry-After"))
	},
}

// wholeSeconds reports whether a Retry-After value is whole seconds, at least 1.
func wholeSeconds(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= 1
}

// provoke429 spends READ's GET /credits bucket and one request more.
func provoke429(e *env) *result {
	for range 60 {
		e.get("/credits", RoleRead)
	}
	return e.get("/credits", RoleRead)
}

func TestEachFaultChangesTheBehaviourItNames(t *testing.T) {
	assertEachShows(t, "fault", Faults(), faultCases, func(name string) Option { return WithFaults(name) })
}

// assertEachShows proves every fault or variation by its case: the symptom
// is absent on a default server and present with the option on, and every
// entry of the catalogue has a case.
func assertEachShows(t *testing.T, kind string, list []FaultInfo, cases map[string]func(*testing.T, *env) bool, option func(string) Option) {
	for _, f := range list {
		t.Run(f.Name, func(t *testing.T) {
			shows, ok := cases[f.Name]
			if !ok {
				t.Fatalf("%s %s has no case", kind, f.Name)
			}
			if shows(t, newEnv(t)) {
				t.Errorf("the %s %s shows on a default server", kind, f.Name)
			}
			if !shows(t, newEnv(t, option(f.Name))) {
				t.Errorf("with the %s %s on, it does not show (%s)", kind, f.Name, f.Description)
			}
		})
	}
	if len(cases) != len(list) {
		t.Errorf("%d %s cases for %d %ss", len(cases), kind, len(list), kind)
	}
}

func TestFaultAndVariationCatalogues(t *testing.T) {
	for kind, list := range map[string][]FaultInfo{"fault": Faults(), "variation": Variations()} {
		seen := map[string]bool{}
		for _, f := range list {
			if seen[f.Name] || f.Name == "" || f.Description == "" || (kind == "fault") != (f.Breaks != "") {
				t.Errorf("%s entry %+v: duplicate or incomplete", kind, f)
			}
			seen[f.Name] = true
		}
	}
}

func TestCheckFaultsAndVariations(t *testing.T) {
	if err := CheckFaults([]string{faultEnvelopeFlat, faultRetryAfterZero}); err != nil {
		t.Errorf("valid faults rejected: %v", err)
	}
	if err := CheckFaults(nil); err != nil {
		t.Errorf("no faults rejected: %v", err)
	}
	err := CheckFaults([]string{faultEnvelopeFlat, "envelop-flat"})
	if err == nil || !strings.Contains(err.Error(), `"envelop-flat"`) || !strings.Contains(err.Error(), faultRetryAfterZero) {
		t.Errorf("unknown fault: error %v, want it named and the valid names listed", err)
	}
	if err := CheckVariations([]string{variationGzip}); err != nil {
		t.Errorf("valid variation rejected: %v", err)
	}
	if err := CheckVariations([]string{faultEnvelopeFlat}); err == nil {
		t.Errorf("a fault accepted as a variation")
	}
}

func TestNewPanicsOnOptionsACallerCouldHaveValidated(t *testing.T) {
	for name, opt := range map[string]Option{
		"unknown fault":            WithFaults("no-such-fault"),
		"unknown variation":        WithVariations("no-such-variation"),
		"zero rate window":         WithRateWindow(0),
		"zero unauthenticated cap": WithUnauthenticatedLimit(0),
		"timings out of order":     WithExportTimings(5*time.Second, 2*time.Second),
		"negative latency":         WithLatency(-time.Second),
		"nil clock":                WithClock(nil),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New did not panic")
				}
			}()
			New(opt)
		})
	}
}
