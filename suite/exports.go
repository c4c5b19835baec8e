package suite

import (
	"encoding/json"
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
)

// exportFixture is an export created once for the checks that need one.
type exportFixture struct {
	created probe.Exchange
	id      string
}

// exportID reads the new export's id from a create response: export_job.id
// as documented, or a top-level id.
func exportID(ex probe.Exchange) string {
	if ex.Status < 200 || ex.Status > 299 {
		return ""
	}
	var body struct {
		ExportJob struct {
			ID string `json:"id"`
		} `json:"export_job"`
		ID string `json:"id"`
	}
	if json.Unmarshal(ex.Body, &body) != nil {
		return ""
	}
	if body.ExportJob.ID != "" {
		return body.ExportJob.ID
	}
	return body.ID
}

// requireExport fails the running check when the export it needs could not be created.
func requireExport(f exportFixture) {
	if f.id != "" {
		return
	}
	Fail(fmt.Sprintf("could not create an export to probe with: expected 2xx with export_job.id from %s %s, got %s\n%s",
		f.created.Method, f.created.Path, f.created.Outcome(), f.created.Evidence("  ")))
}

// describeExports creates one small export (the profile's cheapest body;
// re-exports are free) and probes it before it is ready, and from another
// workspace.
func describeExports() {
	Describe("an export that is not ready yet", Ordered, func() {
		var f exportFixture
		BeforeAll(func(ctx SpecContext) {
			cred := token(RoleReadWrite)
			f.created = do(ctx, request(endpoint(profile().Exports.CreateEndpoint), bearer(cred), cred))
			f.id = exportID(f.created)
		})

		check("EXPORT-NOT-READY", func(ctx SpecContext) {
			record(f.created)
			requireExport(f)
			cred := token(RoleReadWrite)
			dl := endpoint(profile().Exports.DownloadEndpoint)
			got := sendOne(ctx, withID(request(dl, bearer(cred), cred), dl, f.id))
			if got.Status >= 200 && got.Status <= 299 {
				st := endpoint(profile().Exports.StatusEndpoint)
				status := sendOne(ctx, withID(request(st, bearer(cred), cred), st, f.id))
				if exportStatus(status) == "completed" {
					Skip("the export completed before the early download could be sent; nothing was provoked")
				}
			}
			judge(got, match.BeError(match.ErrorExpectation{Status: profile().Exports.NotReadyStatus}))
		})

		check("NOTFOUND-OTHER-WORKSPACE", func(ctx SpecContext) {
			owner, other := token(RoleReadWrite), token(RoleNoCredits)
			record(f.created)
			requireExport(f)
			// The workspaces (from GET /credits) and the probes, all at once;
			// the probes are only judged when the workspaces differ.
			bal := endpoint(profile().Credits.BalanceEndpoint)
			reqs := []probe.Request{request(bal, bearer(owner), owner), request(bal, bearer(other), other)}
			// Each probe twice: on the other workspace's export, and on a
			// random id, to compare the answers.
			probes := []string{profile().Exports.StatusEndpoint, profile().Exports.DownloadEndpoint}
			for _, id := range probes {
				e := endpoint(id)
				reqs = append(reqs, withID(request(e, bearer(other), other), e, f.id))
			}
			for _, id := range probes {
				reqs = append(reqs, request(endpoint(id), bearer(other), other))
			}
			exs := send(ctx, reqs...)
			a, okA := match.ParseCredits(exs[0])
			b, okB := match.ParseCredits(exs[1])
			if !okA || !okB || a.WorkspaceID == "" || a.WorkspaceID == b.WorkspaceID {
				Skip(fmt.Sprintf("%s and %s must belong to different workspaces (as told by workspace_id of GET /credits)", TokenVar(RoleReadWrite), TokenVar(RoleNoCredits)))
			}
			theirs, missing := exs[2:2+len(probes)], exs[2+len(probes):]
			judge(theirs, match.BeError(match.ErrorExpectation{Status: 404}))
			// The page promises the 404; the same code as for a missing id is
			// the rest of "indistinguishable", judged as a SHOULD: a server
			// whose codes flicker (HTTP-STABLE-CODE) would fail it by chance.
			var pairs [][2]probe.Exchange
			for i := range theirs {
				pairs = append(pairs, [2]probe.Exchange{theirs[i], missing[i]})
			}
			judgeShould(pairs, match.Indistinguishable())
		})
	})
}

func exportStatus(ex probe.Exchange) string {
	var body struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(ex.Body, &body)
	return body.Status
}
