package reference

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// count is how many companies of the dataset keep accepts, among the first n.
func count(n int, keep func(*company) bool) int {
	k := 0
	for _, c := range companies().all[:n] {
		if keep(c) {
			k++
		}
	}
	return k
}

func inCountries(names ...string) func(*company) bool {
	return func(c *company) bool { return slices.Contains(names, c.Country) }
}

func TestCreditMath(t *testing.T) {
	e := newEnv(t)
	poland := count(companyCount, inCountries("Poland"))
	austria := count(companyCount, inCountries("Austria"))

	first := e.createExport(RoleReadWrite, `{"name":"poland","search_filters":{"countries":["Poland"]}}`)
	if first.RequestedCount != poland || first.AlreadyUnlocked != 0 || first.NewCount != poland ||
		first.Cost != poland || first.CreditsCharged != poland || first.TransactionID == nil || first.CappedAt10k {
		t.Fatalf("first export: %+v, want %d new", first, poland)
	}
	cr := e.credits(RoleRead)
	if cr.Balance != workspaceAGrant-poland {
		t.Errorf("balance %d, want %d", cr.Balance, workspaceAGrant-poland)
	}
	tx := cr.RecentTransactions[0]
	if tx.ID != *first.TransactionID || tx.Amount != -poland || tx.Reason != reasonExportCharge ||
		tx.Reference != "export:"+first.ExportJob.ID+":create" || tx.CreatedAt != timestamp(epoch) {
		t.Errorf("newest transaction %+v", tx)
	}

	again := e.createExport(RoleReadWrite, `{"name":"poland again","search_filters":{"countries":["Poland"]}}`)
	if again.AlreadyUnlocked != poland || again.NewCount != 0 || again.Cost != 0 || again.TransactionID != nil {
		t.Errorf("re-export: %+v, want free", again)
	}
	if got := e.credits(RoleRead); got.Balance != cr.Balance || len(got.RecentTransactions) != len(cr.RecentTransactions) {
		t.Errorf("re-export changed the credits: %+v", got)
	}

	overlap := e.createExport(RoleReadWrite, `{"name":"both","search_filters":{"countries":["Poland","Austria"]}}`)
	if overlap.RequestedCount != poland+austria || overlap.AlreadyUnlocked != poland || overlap.Cost != austria {
		t.Errorf("overlapping export: %+v, want %d already and %d new", overlap, poland, austria)
	}

	e.clock.Advance(time.Minute) // the next export would exceed 5 per minute
	all := e.createExport(RoleReadWrite, `{"name":"everything"}`)
	unlockedInCap := count(exportCap, inCountries("Poland", "Austria"))
	if all.RequestedCount != exportCap || !all.CappedAt10k || all.AlreadyUnlocked != unlockedInCap || all.Cost != exportCap-unlockedInCap {
		t.Errorf("broad export: %+v, want capped at %d with %d already unlocked", all, exportCap, unlockedInCap)
	}
	if got := e.credits(RoleRead).Balance; got != workspaceAGrant-poland-austria-all.Cost {
		t.Errorf("balance %d after the capped export", got)
	}
}

func TestInsufficientBalanceCreatesAndChargesNothing(t *testing.T) {
	e := newEnv(t)
	before := e.credits(RoleNoCredits)
	germany := count(companyCount, inCountries("Germany"))

	r := e.post("/exports", RoleNoCredits, `{"name":"germany","search_filters":{"countries":["Germany"]}}`)
	w := r.expectError(t, http.StatusPaymentRequired, "insufficient_balance")
	if got := string(w.Detail.Details); got != `{"balance":0,"required":`+strconv.Itoa(germany)+`}` {
		t.Errorf("details %s", got)
	}
	after := e.credits(RoleNoCredits)
	if after.Balance != 0 || !slices.Equal(after.RecentTransactions, before.RecentTransactions) {
		t.Errorf("credits changed: %+v, before %+v", after, before)
	}
	if len(e.srv.exports) != 1 {
		t.Errorf("%d exports exist, want only the seeded one", len(e.srv.exports))
	}
	// Nothing was unlocked either: once A pays for Germany, none is already unlocked in B.
	if free := e.createExport(RoleNoCredits, `{"name":"austria","search_filters":{"countries":["Austria"]}}`); free.Cost != 0 || free.TransactionID != nil {
		t.Errorf("B's re-export of what it bought: %+v, want free", free)
	}
}

func TestSeededWorkspaceBHistory(t *testing.T) {
	cr := newEnv(t).credits(RoleNoCredits)
	austria := count(companyCount, inCountries("Austria"))
	if cr.Balance != 0 || len(cr.RecentTransactions) != 2 {
		t.Fatalf("workspace B credits %+v", cr)
	}
	charge, grant := cr.RecentTransactions[0], cr.RecentTransactions[1]
	if charge.Amount != -austria || charge.Reason != reasonExportCharge || !strings.HasPrefix(charge.Reference, "export:") ||
		grant.Amount != austria || grant.Reason != reasonGrant || charge.CreatedAt <= grant.CreatedAt {
		t.Errorf("history (newest first) %+v", cr.RecentTransactions)
	}
}

func TestExportLifecycleFollowsTheClock(t *testing.T) {
	e := newEnv(t, WithExportTimings(2*time.Second, 6*time.Second))
	created := e.createExport(RoleReadWrite, `{"name":"lifecycle","search_filters":{"countries":["Italy"]}}`)
	if created.ExportJob.Status != statusPending || created.ExportJob.ExportFormat != formatCSV || created.ExportJob.SourceType != sourceSearch {
		t.Fatalf("export_job %+v", created.ExportJob)
	}
	id := created.ExportJob.ID
	view := func() exportView {
		t.Helper()
		r := e.get("/exports/"+id, RoleRead)
		r.expectStatus(t, http.StatusOK)
		return decodeAs[exportView](t, r)
	}

	v := view()
	if v.Status != statusPending || v.ProcessedRecords != 0 || v.FileSizeBytes != nil || v.CompletedAt != nil ||
		v.CreatedAt != timestamp(epoch) || v.WorkspaceID != workspaceAID || v.Name != "lifecycle" || v.TotalRecords != created.RequestedCount {
		t.Errorf("pending view %+v", v)
	}
	e.post("/exports/"+id+"/download", RoleRead, "").expectError(t, http.StatusBadRequest, codeExportNotReady)

	e.clock.Advance(4 * time.Second)
	if v := view(); v.Status != statusProcessing || v.ProcessedRecords != v.TotalRecords/2 {
		t.Errorf("halfway view %+v", v)
	}
	e.post("/exports/"+id+"/download", RoleRead, "").expectError(t, http.StatusBadRequest, codeExportNotReady)

	e.clock.Advance(2 * time.Second)
	v = view()
	if v.Status != statusCompleted || v.ProcessedRecords != v.TotalRecords || v.FileSizeBytes == nil ||
		v.CompletedAt == nil || *v.CompletedAt != timestamp(epoch.Add(6*time.Second)) {
		t.Fatalf("completed view %+v", v)
	}

	r := e.post("/exports/"+id+"/download", RoleRead, "")
	r.expectStatus(t, http.StatusOK)
	dl := decodeAs[downloadResponse](t, r)
	if dl.ExpiresAt != timestamp(epoch.Add(6*time.Second+downloadLifetime)) {
		t.Errorf("expires_at %s", dl.ExpiresAt)
	}
	u, err := url.Parse(dl.DownloadURL)
	if err != nil || !u.IsAbs() || u.Host != "example.com" || u.Path != "/files/"+id {
		t.Fatalf("download_url %q", dl.DownloadURL)
	}

	file := e.do(http.MethodGet, u.RequestURI(), "", "")
	file.expectStatus(t, http.StatusOK)
	if ct := file.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || len(file.body) != *v.FileSizeBytes {
		t.Errorf("file: Content-Type %q, %d bytes, want %d", ct, len(file.body), *v.FileSizeBytes)
	}
	rows, err := csv.NewReader(bytes.NewReader(file.body)).ReadAll()
	if err != nil || len(rows) != v.TotalRecords+1 || rows[0][0] != "id" {
		t.Errorf("CSV: %d rows (err %v), want a header and %d", len(rows), err, v.TotalRecords)
	}

	tampered := strings.Replace(u.RequestURI(), "signature=", "signature=00", 1)
	e.do(http.MethodGet, tampered, "", "").expectError(t, http.StatusForbidden, codeAccessDenied)
	e.do(http.MethodGet, "/files/"+id, "", "").expectError(t, http.StatusForbidden, codeAccessDenied)
	e.clock.Advance(downloadLifetime)
	e.do(http.MethodGet, u.RequestURI(), "", "").expectError(t, http.StatusForbidden, codeAccessDenied)
}

func TestJSONExportSortedAsAsked(t *testing.T) {
	e := newEnv(t, WithExportTimings(0, 0))
	created := e.createExport(RoleReadWrite, `{"name":"j","export_format":"json","sort_by":"employee_count","sort_order":"desc","search_filters":{"countries":["Switzerland"]}}`)
	r := e.post("/exports/"+created.ExportJob.ID+"/download", RoleRead, "")
	r.expectStatus(t, http.StatusOK)
	u, _ := url.Parse(decodeAs[downloadResponse](t, r).DownloadURL)
	file := e.do(http.MethodGet, u.RequestURI(), "", "")
	file.expectStatus(t, http.StatusOK)
	var got []company
	if err := json.Unmarshal(file.body, &got); err != nil || len(got) != created.RequestedCount {
		t.Fatalf("JSON file: %d companies (err %v), want %d", len(got), err, created.RequestedCount)
	}
	if !slices.IsSortedFunc(got, func(a, b company) int { return b.EmployeeCount - a.EmployeeCount }) {
		t.Errorf("file not sorted by employee_count desc")
	}
}

func TestAnotherWorkspacesExportIsIndistinguishableFromAMissingOne(t *testing.T) {
	e := newEnv(t, WithExportTimings(0, 0))
	mine := e.createExport(RoleReadWrite, `{"name":"a","search_filters":{"countries":["Poland"]}}`).ExportJob.ID
	missing := nameUUID("never created")
	for _, op := range []struct {
		name string
		do   func(id string) *result
	}{
		{"status", func(id string) *result { return e.get("/exports/"+id, RoleNoCredits) }},
		{"download", func(id string) *result { return e.post("/exports/"+id+"/download", RoleNoCredits, "") }},
	} {
		t.Run(op.name, func(t *testing.T) {
			other, none := op.do(mine), op.do(missing)
			other.expectError(t, http.StatusNotFound, codeNotFound)
			if !bytes.Equal(other.body, none.body) || other.status != none.status {
				t.Errorf("another workspace's export %d %s, a missing one %d %s", other.status, other.body, none.status, none.body)
			}
		})
	}
	e.get("/exports/"+mine, RoleRead).expectStatus(t, http.StatusOK)
}

func TestListExports(t *testing.T) {
	e := newEnv(t)
	got := e.createExport(RoleReadWrite, `{"name":"l","source_type":"list","list_id":"`+strings.ToUpper(ListTargetAccounts)+`"}`)
	if got.RequestedCount != 40 || got.ExportJob.SourceType != sourceList {
		t.Errorf("list export %+v", got)
	}
	e.post("/exports", RoleReadWrite, `{"name":"l","source_type":"list","list_id":"`+ListOtherWorkspace+`"}`).
		expectError(t, http.StatusNotFound, codeNotFound)
	e.post("/exports", RoleReadWrite, `{"name":"l","source_type":"list","list_id":"`+nameUUID("no list")+`"}`).
		expectError(t, http.StatusNotFound, codeNotFound)
}

func TestCreatedExportHasLocation(t *testing.T) {
	e := newEnv(t)
	r := e.post("/exports", RoleReadWrite, `{"name":"loc","search_filters":{"countries":["Poland"]}}`)
	r.expectStatus(t, http.StatusCreated)
	id := decodeAs[createExportResponse](t, r).ExportJob.ID
	if got := r.header.Get("Location"); got != v1+"/exports/"+id {
		t.Errorf("Location %q", got)
	}
}

// TestDownloadOverRealHTTP follows the presigned URL with a plain client,
// without credentials, on a real loopback server.
func TestDownloadOverRealHTTP(t *testing.T) {
	clock := NewManualClock(epoch)
	srv := New(WithClock(clock))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	call := func(method, path, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+v1+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.Tokens()[RoleReadWrite])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := call(http.MethodPost, "/exports", `{"name":"real","search_filters":{"countries":["Poland"]}}`)
	var created createExportResponse
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	clock.Advance(time.Minute)

	resp = call(http.MethodPost, "/exports/"+created.ExportJob.ID+"/download", "")
	var dl downloadResponse
	_ = json.NewDecoder(resp.Body).Decode(&dl)
	resp.Body.Close()
	if !strings.HasPrefix(dl.DownloadURL, ts.URL+"/files/") {
		t.Fatalf("download_url %q is not on %s", dl.DownloadURL, ts.URL)
	}
	file, err := http.Get(dl.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Body.Close()
	body, _ := io.ReadAll(file.Body)
	if file.StatusCode != http.StatusOK || bytes.Count(body, []byte("\n")) != created.RequestedCount+1 {
		t.Errorf("file: status %d, %d lines, want %d", file.StatusCode, bytes.Count(body, []byte("\n")), created.RequestedCount+1)
	}
}
