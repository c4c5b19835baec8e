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
	ex := &export{r: r}
	// A conforming target refuses the early download, so no status query follows.
	ex.notReady = drivenCheck("EXPORT-NOT-READY", "", ex.judgeNotReady, func() []probe.Request {
		return []probe.Request{r.as(r.endpoint(r.profile().Exports.DownloadEndpoint), probe.RoleReadWrite)}
	})
	ex.otherWorkspace = drivenCheck("NOTFOUND-OTHER-WORKSPACE", "", ex.judgeOtherWorkspace, func() []probe.Request { return ex.workspaceProbes("") })
	f := &family{name: "an export that is not ready yet", specs: []*spec{ex.notReady, ex.otherWorkspace}}
	f.budget = func([]*spec) []probe.Request { return []probe.Request{ex.create()} }
	f.setup = ex.setup
	return f
}

// export is the export the family's setup creates, what the setup sent
// with it, and its checks.
type export struct {
	r                        *run
	notReady, otherWorkspace *spec
	created                  probe.Exchange
	id                       string // "" when it could not be created
	// Sent by the setup right after the export was created: the early
	// download, and the export's status when the download was served;
	// NOTFOUND-OTHER-WORKSPACE's requests (workspaceProbes).
	early, earlyStatus probe.Exchange
	workspace          []probe.Exchange
}

// setup creates the export and sends everything that follows the
// creation at once: the early download must meet the export before it is
// ready, whatever the checks before these are still waiting for.
func (x *export) setup(ctx context.Context, runnable []*spec) {
	r := x.r
	if !slices.Contains(runnable, x.notReady) && !slices.Contains(runnable, x.otherWorkspace) {
		return
	}
	x.created = r.do(ctx, x.create())
	x.id = exportID(x.created)
	if x.id == "" {
		return
	}
	if slices.Contains(runnable, x.notReady) {
		dl := r.endpoint(r.profile().Exports.DownloadEndpoint)
		// Right after the export was created, on a connection of its own:
		// a server holding the creating connection for background work
		// would otherwise see this download seconds late.
		q := r.withID(r.as(dl, probe.RoleReadWrite), dl, x.id)
		q.FreshConnection = true
		x.early = r.do(ctx, q)
		if x.early.Status >= 200 && x.early.Status <= 299 {
			st := r.endpoint(r.profile().Exports.StatusEndpoint)
			q := r.withID(r.as(st, probe.RoleReadWrite), st, x.id)
			q.FreshConnection = true // at once, not behind the held connection
			x.earlyStatus = r.do(ctx, q)
		}
	}
	if slices.Contains(runnable, x.otherWorkspace) {
		x.workspace = r.doAll(ctx, x.workspaceProbes(x.id)...)
	}
}

func (x *export) create() probe.Request {
	return x.r.as(x.r.endpoint(x.r.profile().Exports.CreateEndpoint), probe.RoleReadWrite)
}

// need makes the check inconclusive without an export to probe.
func (x *export) need(s *spec) {
	s.record(x.created)
	if x.id == "" {
		s.inconclusive(fmt.Sprintf("could not create an export to probe with: expected 2xx with export_job.id from %s %s, got %s",
			x.created.Method, x.created.Path, x.created.Outcome()))
	}
}

func (x *export) judgeNotReady(_ context.Context, s *spec) {
	r := x.r
	x.need(s)
	got := x.early
	s.record(got)
	if got.Status >= 200 && got.Status <= 299 {
		status := x.earlyStatus
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
}

// workspaceProbes are NOTFOUND-OTHER-WORKSPACE's requests: the two
// workspaces (from GET /credits), then each probe twice, on the export
// id with the other workspace's token and on a random id, to compare
// the answers.
func (x *export) workspaceProbes(id string) []probe.Request {
	r := x.r
	bal := r.endpoint(r.profile().Credits.BalanceEndpoint)
	reqs := []probe.Request{r.as(bal, probe.RoleReadWrite), r.as(bal, probe.RoleNoCredits)}
	for _, pid := range x.probed() {
		e := r.endpoint(pid)
		reqs = append(reqs, r.withID(r.as(e, probe.RoleNoCredits), e, id))
	}
	for _, pid := range x.probed() {
		reqs = append(reqs, r.as(r.endpoint(pid), probe.RoleNoCredits))
	}
	return reqs
}

// probed are the endpoints probed from the other workspace.
func (x *export) probed() []string {
	return []string{x.r.profile().Exports.StatusEndpoint, x.r.profile().Exports.DownloadEndpoint}
}

func (x *export) judgeOtherWorkspace(ctx context.Context, s *spec) {
	r := x.r
	x.need(s)
	// The workspaces and the probes, sent at once by the setup; the probes
	// are only judged when the workspaces differ.
	exs := x.workspace
	a, okA := match.ParseCredits(exs[0])
	b, okB := match.ParseCredits(exs[1])
	n := len(x.probed())
	theirs, missing := exs[2:2+n], exs[2+n:]
	if !okA || !okB || a.WorkspaceID == "" {
		s.record(exs[0], exs[1])
		s.skip(fmt.Sprintf("%s and %s must belong to different workspaces (as told by workspace_id of GET /credits), and GET /credits did not tell", probe.RoleReadWrite.Var(), probe.RoleNoCredits.Var()))
	}
	if a.WorkspaceID == b.WorkspaceID && !x.oneWorkspaceLeaks(ctx, s, a.WorkspaceID, exs[0], exs[1], theirs) {
		return
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
}

// oneWorkspaceLeaks decides a check whose two tokens both showed one
// workspace: the setup, or the target leaking? The export of one hidden
// from the other says they are in different workspaces, so GET /credits
// showed the second token the first's workspace: a leak, a violation, and
// the probes are judged still (true). Otherwise a request without
// credentials decides (sameWorkspace), and nothing is left to compare.
func (x *export) oneWorkspaceLeaks(ctx context.Context, s *spec, workspace string, first, second probe.Exchange, theirs []probe.Exchange) bool {
	hidden := !slices.ContainsFunc(theirs, func(ex probe.Exchange) bool { return ex.Status != 404 })
	if !hidden {
		s.sameWorkspace(ctx, workspace, first, second)
		return false
	}
	s.record(first)
	s.violate(second, "workspace-isolation", "body /workspace_id",
		fmt.Sprintf("shows workspace %q, the workspace of %s, to %s", workspace, probe.RoleReadWrite.Var(), probe.RoleNoCredits.Var()),
		fmt.Sprintf("GET /credits shows %s the workspace of %s (%q), yet the export %s created is hidden from it (404): the tokens are in different workspaces, and GET /credits serves one workspace's answer to another's token",
			probe.RoleNoCredits.Var(), probe.RoleReadWrite.Var(), workspace, probe.RoleReadWrite.Var()))
	return true
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
