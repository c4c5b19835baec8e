package suite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cornect/conform/internal/match"
	"github.com/cornect/conform/internal/probe"
	"github.com/cornect/conform/internal/report"
)

// exportsFamily creates one small export (the profile's cheapest body;
// re-exports are free) and probes it before it is ready, and from another
// workspace.
func (r *run) exportsFamily() *family {
	var created probe.Exchange
	var id string
	// Sent by the setup right after the export was created: the early
	// download, and the export's status when the download was served;
	// NOTFOUND-OTHER-WORKSPACE's requests (workspaceProbes).
	var early, earlyStatus probe.Exchange
	var workspace []probe.Exchange
	needExport := func(s *spec) {
		s.record(created)
		if id == "" {
			s.inconclusive(fmt.Sprintf("could not create an export to probe with: expected 2xx with export_job.id from %s %s, got %s",
				created.Method, created.Path, created.Outcome()))
		}
	}

	notReady := newSpec("EXPORT-NOT-READY", "", func(_ context.Context, s *spec) {
		needExport(s)
		got := early
		s.record(got)
		if got.Status >= 200 && got.Status <= 299 {
			status := earlyStatus
			s.record(status)
			// Only an export known to be unfinished makes the 2xx a
			// violation: a completed one (or one whose status could not be
			// read) provoked nothing.
			switch st := exportStatus(status); st {
			case "pending", "processing":
			case "completed":
				s.inconclusive("the export completed before the early download could be sent; nothing was provoked")
			default:
				s.inconclusive(fmt.Sprintf("the download got %s and the export's status could not be read (%s): whether it was finished is unknown", got.Outcome(), status.Outcome()))
			}
		}
		s.judge(got, match.BeError(match.ErrorExpectation{Status: r.profile().Exports.NotReadyStatus}))
	})

	// workspaceProbes are NOTFOUND-OTHER-WORKSPACE's requests: the two
	// workspaces (from GET /credits), then each probe twice, on the export
	// id with the other workspace's token and on a random id, to compare
	// the answers.
	workspaceProbes := func(id string) []probe.Request {
		bal := r.endpoint(r.profile().Credits.BalanceEndpoint)
		reqs := []probe.Request{r.as(bal, probe.RoleReadWrite), r.as(bal, probe.RoleNoCredits)}
		probes := []string{r.profile().Exports.StatusEndpoint, r.profile().Exports.DownloadEndpoint}
		for _, pid := range probes {
			e := r.endpoint(pid)
			reqs = append(reqs, r.withID(r.as(e, probe.RoleNoCredits), e, id))
		}
		for _, pid := range probes {
			reqs = append(reqs, r.as(r.endpoint(pid), probe.RoleNoCredits))
		}
		return reqs
	}
	otherWorkspace := newSpec("NOTFOUND-OTHER-WORKSPACE", "", func(ctx context.Context, s *spec) {
		needExport(s)
		// The workspaces and the probes, all at once; the probes are only
		// judged when the workspaces differ.
		probes := []string{r.profile().Exports.StatusEndpoint, r.profile().Exports.DownloadEndpoint}
		exs := workspace
		a, okA := match.ParseCredits(exs[0])
		b, okB := match.ParseCredits(exs[1])
		theirs, missing := exs[2:2+len(probes)], exs[2+len(probes):]
		if !okA || !okB || a.WorkspaceID == "" {
			s.record(exs[0], exs[1])
			s.skip(fmt.Sprintf("%s and %s must belong to different workspaces (as told by workspace_id of GET /credits), and GET /credits did not tell", probe.RoleReadWrite.Var(), probe.RoleNoCredits.Var()))
		}
		if a.WorkspaceID == b.WorkspaceID {
			// One workspace behind both tokens: the setup, or the target
			// leaking? The export of one hidden from the other says they
			// are in different workspaces, so GET /credits showed the
			// second token the first's workspace: a leak. Otherwise a
			// request without credentials decides (sameWorkspace).
			hidden := !slices.ContainsFunc(theirs, func(ex probe.Exchange) bool { return ex.Status != 404 })
			if !hidden {
				// The setup, or a target serving one answer to anyone:
				// sameWorkspace judges which, and nothing is left to
				// compare.
				s.sameWorkspace(ctx, a.WorkspaceID, exs[0], exs[1])
				return
			}
			s.record(exs[0])
			s.violate(exs[1], "workspace-isolation", "body /workspace_id",
				fmt.Sprintf("shows workspace %q, the workspace of %s, to %s", a.WorkspaceID, probe.RoleReadWrite.Var(), probe.RoleNoCredits.Var()),
				fmt.Sprintf("GET /credits shows %s the workspace of %s (%q), yet the export %s created is hidden from it (404): the tokens are in different workspaces, and GET /credits serves one workspace's answer to another's token",
					probe.RoleNoCredits.Var(), probe.RoleReadWrite.Var(), a.WorkspaceID, probe.RoleReadWrite.Var()))
		}
		s.judge(theirs, match.BeError(match.ErrorExpectation{Status: 404}))
		// "Indistinguishable from a missing one": a different code tells
		// the caller the export exists, so the same code is part of the MUST.
		if ops := unanswered(missing); len(ops) > 0 {
			s.inconclusive("no answer for a missing export (" + strings.Join(ops, ", ") + "): nothing to compare another workspace's with")
		}
		var pairs [][2]probe.Exchange
		for i := range theirs {
			pairs = append(pairs, [2]probe.Exchange{theirs[i], missing[i]})
		}
		s.judgeAt(r.readingLevel(r.profile().Readings.OtherWorkspaceSameCode, report.Must), pairs, match.Indistinguishable())
	})

	f := &family{name: "an export that is not ready yet", specs: []*spec{notReady, otherWorkspace}}
	// A conforming target refuses the early download, so no status query follows.
	f.budget = func(runnable []*spec) []probe.Request {
		reqs := []probe.Request{r.as(r.endpoint(r.profile().Exports.CreateEndpoint), probe.RoleReadWrite)}
		if slices.Contains(runnable, notReady) {
			reqs = append(reqs, r.as(r.endpoint(r.profile().Exports.DownloadEndpoint), probe.RoleReadWrite))
		}
		if slices.Contains(runnable, otherWorkspace) {
			reqs = append(reqs, workspaceProbes("")...)
		}
		return reqs
	}
	// Everything that follows the creation is sent here, at once: the
	// early download must meet the export before it is ready, whatever
	// the checks before these are still waiting for.
	f.setup = func(ctx context.Context, runnable []*spec) {
		if !slices.Contains(runnable, notReady) && !slices.Contains(runnable, otherWorkspace) {
			return
		}
		created = r.do(ctx, r.as(r.endpoint(r.profile().Exports.CreateEndpoint), probe.RoleReadWrite))
		id = exportID(created)
		if id == "" {
			return
		}
		if slices.Contains(runnable, notReady) {
			dl := r.endpoint(r.profile().Exports.DownloadEndpoint)
			// Right after the export was created, on a connection of its
			// own: a server holding the creating connection for background
			// work would otherwise see this download seconds late.
			q := r.withID(r.as(dl, probe.RoleReadWrite), dl, id)
			q.FreshConnection = true
			early = r.do(ctx, q)
			if early.Status >= 200 && early.Status <= 299 {
				st := r.endpoint(r.profile().Exports.StatusEndpoint)
				q := r.withID(r.as(st, probe.RoleReadWrite), st, id)
				q.FreshConnection = true // at once, not behind the held connection
				earlyStatus = r.do(ctx, q)
			}
		}
		if slices.Contains(runnable, otherWorkspace) {
			workspace = r.doAll(ctx, workspaceProbes(id)...)
		}
	}
	return f
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

func exportStatus(ex probe.Exchange) string {
	var body struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(ex.Body, &body)
	return body.Status
}
