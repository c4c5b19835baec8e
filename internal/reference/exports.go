package reference

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// exportCap is the most companies one export holds.
const exportCap = 10000

// Export statuses. Exports here never fail.
const (
	statusPending    = "pending"
	statusProcessing = "processing"
	statusCompleted  = "completed"
)

const (
	sourceSearch = "search"
	sourceList   = "list"
	formatCSV    = "csv"
	formatJSON   = "json"
)

// export is an export job. Its status is not stored: it follows from its age
// on the clock (see WithExportTimings).
type export struct {
	id          string
	workspaceID string
	name        string
	format      string
	sourceType  string
	companies   []*company // in file order
	createdAt   time.Time
	file        []byte // rendered on first use once completed
}

// list is a saved company list, the source of an export with source_type list.
type list struct {
	id          string
	workspaceID string
	companies   []*company
}

// exportRequest is a validated POST /exports body.
type exportRequest struct {
	name       string
	sourceType string
	filters    searchFilters
	sortBy     string
	sortOrder  string
	listID     string
	format     string
}

// decodeExportRequest validates a POST /exports body, collecting every problem.
func (s *Server) decodeExportRequest(obj map[string]json.RawMessage) (exportRequest, []fieldProblem) {
	f := &fields{obj: obj, anyEnum: map[string]bool{
		"export_format": s.broken(faultExportFormatUnchecked),
		"sort_order":    s.broken(faultSortOrderUnchecked),
		"source_type":   s.broken(faultSourceTypeUnchecked),
	}}
	var req exportRequest
	if _, present := f.raw("name"); !present {
		f.problem("name", problemRequired)
	} else if name, ok := f.str("name"); ok {
		if strings.TrimSpace(name) == "" {
			f.problem("name", problemNonEmpty)
		}
		req.name = name
	}
	req.sourceType = f.enum("source_type", sourceSearch, sourceSearch, sourceList)
	req.format = f.enum("export_format", formatCSV, formatCSV, formatJSON)
	req.sortOrder = f.enum("sort_order", "asc", "asc", "desc")
	req.sortBy, _ = f.str("sort_by")
	if _, present := f.raw("list_id"); !present && req.sourceType == sourceList {
		f.problem("list_id", problemListID)
	} else if id, ok := f.str("list_id"); ok {
		if !uuidFormat.MatchString(id) && !s.broken(faultListIDUnchecked) {
			f.problem("list_id", problemUUID)
		}
		req.listID = id
	}
	if obj, ok := f.object("search_filters"); ok {
		var problems []fieldProblem
		req.filters, problems = s.decodeFilters(obj, "search_filters.")
		f.problems = append(f.problems, problems...)
	}
	return req, f.problems
}

type exportJob struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	ExportFormat string `json:"export_format"`
	SourceType   string `json:"source_type"`
}

type createExportResponse struct {
	ExportJob       exportJob `json:"export_job"`
	RequestedCount  int       `json:"requested_count"`
	AlreadyUnlocked int       `json:"already_unlocked"`
	NewCount        int       `json:"new_count"`
	Cost            int       `json:"cost"`
	CreditsCharged  int       `json:"credits_charged"`
	WouldSkip       int       `json:"would_skip"`
	CappedAt10k     bool      `json:"capped_at_10k"`
	TransactionID   *string   `json:"transaction_id"`
}

// createExport is POST /exports: validate, find the companies, charge one
// credit per company the workspace never exported, then create the job. A
// refused charge creates nothing.
func (s *Server) createExport(c *call) (reply, *apiError) {
	obj, err := s.decodeObject(c)
	if err != nil {
		return reply{}, err
	}
	req, problems := s.decodeExportRequest(obj)
	if len(problems) > 0 {
		return reply{}, validationFailed(problems)
	}

	ws := c.workspace
	var selected []*company
	if req.sourceType == sourceList {
		l := s.lists[strings.ToLower(req.listID)]
		if l == nil || l.workspaceID != ws.id {
			return reply{}, notFound("No list with that id in your workspace.")
		}
		selected = slices.Clone(l.companies)
	} else {
		selected = s.data.search(req.filters)
	}
	sortCompanies(selected, req.sortBy, req.sortOrder)
	capped := len(selected) > exportCap
	if capped {
		selected = selected[:exportCap]
	}
	already := 0
	for _, co := range selected {
		if ws.unlocked[co.index] {
			already++
		}
	}
	cost := len(selected) - already

	id := newUUID()
	txID, err := s.chargeExport(ws, cost, id, c.now)
	if err != nil {
		return reply{}, err
	}
	for _, co := range selected {
		ws.unlocked[co.index] = true
	}
	e := &export{
		id: id, workspaceID: ws.id, name: req.name, format: req.format, sourceType: req.sourceType,
		companies: selected, createdAt: c.now,
	}
	s.exports[id] = e
	status, _ := s.progress(e, c.now) // pending, unless the timings or instant-exports say otherwise

	rep := jsonReply(http.StatusCreated, createExportResponse{
		ExportJob:       exportJob{ID: id, Name: req.name, Status: status, ExportFormat: req.format, SourceType: req.sourceType},
		RequestedCount:  len(selected),
		AlreadyUnlocked: already,
		NewCount:        cost,
		Cost:            cost,
		CreditsCharged:  cost,
		CappedAt10k:     capped,
		TransactionID:   txID,
	})
	rep.header = http.Header{"Location": {"/api/v1/exports/" + id}}
	return rep, nil
}

// sortCompanies orders an export by sort_by (name, domain, country,
// employee_count or founded_year; anything else keeps the dataset order) and
// sort_order.
func sortCompanies(cs []*company, by, order string) {
	key := func(a, b *company) int { return 0 }
	switch by {
	case "name":
		key = func(a, b *company) int { return strings.Compare(a.Name, b.Name) }
	case "domain":
		key = func(a, b *company) int { return strings.Compare(a.Domain, b.Domain) }
	case "country":
		key = func(a, b *company) int { return strings.Compare(a.Country, b.Country) }
	case "employee_count":
		key = func(a, b *company) int { return cmp.Compare(a.EmployeeCount, b.EmployeeCount) }
	case "founded_year":
		key = func(a, b *company) int { return cmp.Compare(a.FoundedYear, b.FoundedYear) }
	}
	slices.SortFunc(cs, func(a, b *company) int {
		r := cmp.Or(key(a, b), cmp.Compare(a.index, b.index))
		if order == "desc" {
			return -r
		}
		return r
	})
}

// findExport finds the export named by the path in the caller's workspace.
// Another workspace's export is answered exactly like a missing one.
func (s *Server) findExport(c *call) (*export, *apiError) {
	e := s.exports[strings.ToLower(c.params["export_id"])]
	if e != nil && e.workspaceID != c.workspace.id {
		if s.broken(faultCrossWorkspace403) {
			return nil, &apiError{status: http.StatusForbidden, code: "FORBIDDEN", message: "This export belongs to another workspace."}
		}
		if s.broken(faultCrossWorkspaceOtherCode) {
			return nil, &apiError{status: http.StatusNotFound, code: "EXPORT_OF_ANOTHER_WORKSPACE", message: "This export belongs to another workspace."}
		}
		e = nil
	}
	if e == nil {
		return nil, notFound("No export with that id in your workspace.")
	}
	return e, nil
}

// progress is where an export stands at now.
func (s *Server) progress(e *export, now time.Time) (status string, processed int) {
	age := now.Sub(e.createdAt)
	total := len(e.companies)
	switch {
	case age >= s.cfg.exportCompleted || s.varies(variationInstantExports):
		return statusCompleted, total
	case age >= s.cfg.exportProcessing:
		span := s.cfg.exportCompleted - s.cfg.exportProcessing
		return statusProcessing, int(int64(total) * int64(age-s.cfg.exportProcessing) / int64(span))
	default:
		return statusPending, 0
	}
}

type exportView struct {
	ID               string  `json:"id"`
	WorkspaceID      string  `json:"workspace_id"`
	Name             string  `json:"name"`
	ExportFormat     string  `json:"export_format"`
	SourceType       string  `json:"source_type"`
	Status           string  `json:"status"`
	TotalRecords     int     `json:"total_records"`
	ProcessedRecords int     `json:"processed_records"`
	FileSizeBytes    *int    `json:"file_size_bytes"`
	CreatedAt        string  `json:"created_at"`
	CompletedAt      *string `json:"completed_at"`
}

// getExport is GET /exports/{export_id}.
func (s *Server) getExport(c *call) (reply, *apiError) {
	e, err := s.findExport(c)
	if err != nil {
		return reply{}, err
	}
	status, processed := s.progress(e, c.now)
	v := exportView{
		ID: e.id, WorkspaceID: e.workspaceID, Name: e.name, ExportFormat: e.format, SourceType: e.sourceType,
		Status: status, TotalRecords: len(e.companies), ProcessedRecords: processed, CreatedAt: timestamp(e.createdAt),
	}
	if status == statusCompleted {
		size := len(e.render())
		done := timestamp(e.createdAt.Add(s.cfg.exportCompleted))
		v.FileSizeBytes, v.CompletedAt = &size, &done
	}
	return jsonReply(http.StatusOK, v), nil
}
