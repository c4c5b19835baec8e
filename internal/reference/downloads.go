package reference

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// downloadLifetime is how long a presigned download URL works.
const downloadLifetime = 15 * time.Minute

type downloadResponse struct {
	DownloadURL string `json:"download_url"`
	ExpiresAt   string `json:"expires_at"`
}

// downloadExport is POST /exports/{export_id}/download: a presigned URL for a
// completed export, 400 for one still in progress.
func (s *Server) downloadExport(c *call) (reply, *apiError) {
	e, err := s.findExport(c)
	if err != nil {
		return reply{}, err
	}
	if status, _ := s.progress(e, c.now); status != statusCompleted && !s.broken(faultDownloadUnfinished200) {
		return reply{}, &apiError{
			status:  http.StatusBadRequest,
			code:    codeExportNotReady,
			message: "The export is not completed yet. Poll GET /exports/{export_id} until its status is completed.",
			details: map[string]string{"status": status},
		}
	}
	expires := c.now.Add(downloadLifetime)
	return jsonReply(http.StatusOK, downloadResponse{
		DownloadURL: s.presign(c.r, e.id, expires),
		ExpiresAt:   timestamp(expires),
	}), nil
}

// presign builds the absolute download URL of an export on the host the
// request was sent to.
func (s *Server) presign(r *http.Request, exportID string, expires time.Time) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	u := url.URL{
		Scheme:   scheme,
		Host:     r.Host,
		Path:     "/files/" + exportID,
		RawQuery: url.Values{"expires": {exp}, "signature": {s.signature(exportID, exp)}}.Encode(),
	}
	return u.String()
}

func (s *Server) signature(exportID, expires string) string {
	mac := hmac.New(sha256.New, s.signingKey)
	mac.Write([]byte(exportID + "\n" + expires))
	return hex.EncodeToString(mac.Sum(nil))
}

// fetchFile is GET /files/{export_id}: the presigned download itself. It
// needs no token; the signature is the credential.
func (s *Server) fetchFile(c *call) (reply, *apiError) {
	id := c.params["export_id"]
	q := c.r.URL.Query()
	exp := q.Get("expires")
	expUnix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("signature")), []byte(s.signature(id, exp))) {
		return reply{}, accessDenied("The download URL's signature is not valid.")
	}
	if !c.now.Before(time.Unix(expUnix, 0)) {
		return reply{}, accessDenied("The download URL has expired. Request a new one.")
	}
	e := s.exports[id]
	if e == nil {
		return reply{}, notFound("No such file.")
	}
	contentType := "text/csv; charset=utf-8"
	if e.format == formatJSON {
		contentType = s.jsonContentType()
	}
	return reply{
		status:      http.StatusOK,
		raw:         e.render(),
		contentType: contentType,
		header:      http.Header{"Content-Disposition": {`attachment; filename="` + e.id + "." + e.fileExtension() + `"`}},
	}, nil
}

func accessDenied(message string) *apiError {
	return &apiError{status: http.StatusForbidden, code: codeAccessDenied, message: message}
}

func (e *export) fileExtension() string {
	if e.format == formatJSON {
		return formatJSON
	}
	return formatCSV
}

// render returns the export file, building it on first use: a JSON array of
// companies for json, CSV (lists joined with "; ") otherwise.
func (e *export) render() []byte {
	if e.file != nil {
		return e.file
	}
	if e.format == formatJSON {
		e.file = mustJSON(append([]*company{}, e.companies...))
		return e.file
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"id", "name", "domain", "country", "state", "city", "industry", "naics_code",
		"technologies", "keywords", "employee_count", "founded_year"})
	for _, c := range e.companies {
		_ = w.Write([]string{c.ID, c.Name, c.Domain, c.Country, c.State, c.City, c.Industry, c.NAICSCode,
			strings.Join(c.Technologies, "; "), strings.Join(c.Keywords, "; "),
			strconv.Itoa(c.EmployeeCount), strconv.Itoa(c.FoundedYear)})
	}
	w.Flush()
	e.file = buf.Bytes()
	return e.file
}
