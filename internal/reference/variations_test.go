package reference

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// variationCases hold, per variation, a scenario whose outcome shows the
// variation: false on a default server, true with the variation on.
var variationCases = map[string]func(t *testing.T, e *env) bool{
	variationRewordedMessages: func(t *testing.T, e *env) bool {
		return e.get("/credits", "").envelope(t).Detail.Message != msgMissingAuth
	},
	variationExtraMembers: func(t *testing.T, e *env) bool {
		var body struct {
			RequestID string `json:"request_id"`
			Detail    struct {
				TraceID string `json:"trace_id"`
			} `json:"detail"`
		}
		_ = json.Unmarshal(e.get("/credits", "").body, &body)
		return body.RequestID != "" && body.Detail.TraceID != ""
	},
	variationNoDetails: func(t *testing.T, e *env) bool {
		return e.post("/exports", RoleRead, `{"name":"x"}`).envelope(t).Detail.Details == nil &&
			e.post("/exports", RoleReadWrite, `{}`).envelope(t).Detail.Details == nil
	},
	variationCharset: func(t *testing.T, e *env) bool {
		const want = "application/json; charset=utf-8"
		return e.get("/credits", "").header.Get("Content-Type") == want && e.get("/credits", RoleRead).header.Get("Content-Type") == want
	},
	variationOtherCodes: func(t *testing.T, e *env) bool {
		return e.get("/nowhere", RoleRead).envelope(t).Detail.Code == "RESOURCE_NOT_FOUND" &&
			e.post("/exports", RoleReadWrite, `{}`).envelope(t).Detail.Code == "UNPROCESSABLE" &&
			provoke429(e).envelope(t).Detail.Code == "TOO_MANY_REQUESTS"
	},
	variationGzip: func(t *testing.T, e *env) bool {
		r := e.get("/credits", "", setHeader("Accept-Encoding", "gzip, deflate"))
		if r.header.Get("Content-Encoding") != "gzip" {
			return false
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("Content-Encoding gzip but not gzip: %v", err)
		}
		plain, _ := io.ReadAll(zr)
		return bytes.HasPrefix(plain, []byte(`{"detail":{"code":"MISSING_AUTH_HEADER"`)) &&
			e.get("/credits", "").header.Get("Content-Encoding") == "" // only when asked for
	},
	variationConnectionClose: func(t *testing.T, e *env) bool {
		return e.get("/credits", RoleRead).header.Get("Connection") == "close" && e.get("/credits", "").header.Get("Connection") == "close"
	},
	variationLatency40ms: func(t *testing.T, e *env) bool {
		start := time.Now()
		e.get("/credits", RoleRead)
		return time.Since(start) >= 40*time.Millisecond
	},
	variationDetailsNull: func(t *testing.T, e *env) bool {
		var body struct {
			Detail map[string]json.RawMessage `json:"detail"`
		}
		_ = json.Unmarshal(e.get("/credits", "").body, &body)
		details, present := body.Detail["details"]
		scope := e.post("/exports", RoleRead, `{"name":"x"}`).envelope(t).Detail.Details
		return present && string(details) == "null" && string(scope) == `{"token_scope":"read","required":"read_write"}`
	},
	variationProblemJSON: func(t *testing.T, e *env) bool {
		return e.get("/credits", "").header.Get("Content-Type") == "application/problem+json" &&
			e.get("/credits", RoleRead).header.Get("Content-Type") == "application/json" // errors only
	},
	variationMultiChallenge: func(t *testing.T, e *env) bool {
		presented := e.get("/credits", RoleExpired).header.Get("WWW-Authenticate")
		return e.get("/credits", "").header.Get("WWW-Authenticate") == `Basic realm="cornect", Bearer realm="cornect"` &&
			strings.HasPrefix(presented, `Basic realm="cornect", Bearer realm="cornect", error="invalid_token"`)
	},
	variationMalformedJSON400: func(t *testing.T, e *env) bool {
		syntax := e.post("/exports", RoleReadWrite, `{"name":`)
		invalid := e.post("/exports", RoleReadWrite, `{"name":42}`)
		return syntax.status == http.StatusBadRequest && syntax.envelope(t).Detail.Code == codeMalformedJSON &&
			invalid.status == http.StatusUnprocessableEntity
	},
	variationInstantExports: func(t *testing.T, e *env) bool {
		created := e.createExport(RoleReadWrite, `{"name":"now","search_filters":{"countries":["Poland"]}}`)
		return created.ExportJob.Status == statusCompleted &&
			e.post("/exports/"+created.ExportJob.ID+"/download", RoleRead, "").status == http.StatusOK
	},
	variationLowUnauthenticatedLimit: func(t *testing.T, e *env) bool {
		for range lowUnauthenticatedLimit {
			if r := e.get("/credits", "", fromIP("192.0.2.7")); r.status != http.StatusUnauthorized {
				t.Fatalf("status %d before the limit was spent", r.status)
			}
		}
		return e.get("/credits", "", fromIP("192.0.2.7")).status == http.StatusTooManyRequests
	},
	variationMethodAfterScope: func(t *testing.T, e *env) bool {
		read, write := e.do(http.MethodPatch, v1+"/exports", RoleRead, ""), e.do(http.MethodPatch, v1+"/exports", RoleReadWrite, "")
		return read.status == http.StatusForbidden && read.envelope(t).Detail.Code == "INSUFFICIENT_SCOPE" &&
			write.status == http.StatusMethodNotAllowed && e.do(http.MethodPatch, v1+"/exports", "", "").status == http.StatusUnauthorized
	},
	variationURLInMessages: func(t *testing.T, e *env) bool {
		const link = "https://cornect.io/app/settings/api-tokens"
		return strings.Contains(e.get("/credits", "").envelope(t).Detail.Message, link) &&
			strings.Contains(e.get("/credits", RoleExpired).envelope(t).Detail.Message, link) &&
			!strings.Contains(e.post("/exports", RoleRead, `{"name":"x"}`).envelope(t).Detail.Message, link) // 401s only
	},
}

func TestEachVariationShows(t *testing.T) {
	assertEachShows(t, "variation", Variations(), variationCases, func(name string) Option { return WithVariations(name) })
}

// TestVariationsKeepTheContract replays every documented error under each
// variation: same status, same code, JSON (application/json or a +json type),
// the envelope with a message.
func TestVariationsKeepTheContract(t *testing.T) {
	for _, v := range Variations() {
		if v.Name == variationLatency40ms {
			continue // timing only; covered by TestEachVariationShows
		}
		t.Run(v.Name, func(t *testing.T) {
			for _, tc := range documentedErrorCases {
				e := newEnv(t, WithVariations(v.Name))
				r := tc.provoke(e)
				mt, _, err := mime.ParseMediaType(r.header.Get("Content-Type"))
				if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) { // problem-json is JSON too (RFC 6839)
					t.Errorf("%s: Content-Type %q", tc.code, r.header.Get("Content-Type"))
				}
				w := r.envelope(t)
				if r.status != documentedStatus(tc.code) || w.Detail.Code != tc.code || w.Detail.Message == "" {
					t.Errorf("%s: status %d, envelope %s", tc.code, r.status, short(r.body))
				}
			}
		})
	}
}

func documentedStatus(code string) int {
	return documentedError(code, "", nil).status
}

func TestGzipAndConnectionCloseOverRealHTTP(t *testing.T) {
	srv := New(WithVariations(variationGzip, variationConnectionClose))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+v1+"/credits", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Tokens()[RoleRead])
	resp, err := http.DefaultClient.Do(req) // the transport asks for gzip and decompresses
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cr creditsResponse
	if err := json.NewDecoder(resp.Body).Decode(&cr); err != nil || !resp.Uncompressed || !resp.Close {
		t.Errorf("decode err %v, uncompressed %v, close %v", err, resp.Uncompressed, resp.Close)
	}
	if cr.Balance != workspaceAGrant {
		t.Errorf("balance %d", cr.Balance)
	}
}

func TestLatencyDelaysEveryResponse(t *testing.T) {
	e := newEnv(t, WithLatency(30*time.Millisecond))
	for _, r := range []func() *result{
		func() *result { return e.get("/credits", RoleRead) },
		func() *result { return e.get("/credits", "") },
		func() *result { return e.get("/nowhere", "") },
	} {
		start := time.Now()
		r()
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("answered after %v, want at least 30ms", d)
		}
	}
}

func TestLatencyGivesUpWithTheClient(t *testing.T) {
	srv := New(WithLatency(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, v1+"/credits", nil)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { srv.ServeHTTP(rec, req); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ServeHTTP kept waiting after the client went away")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("answered a client that went away: %s", rec.Body)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"gzip", true}, {"deflate, gzip;q=0.5", true}, {"*", true}, {"GZIP", true},
		{"gzip;q=0", false}, {"gzip; q=0.000", false}, {"deflate, br", false}, {"", false},
	} {
		if got := acceptsGzip([]string{tc.header}); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
