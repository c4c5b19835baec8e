package stackserver

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBody is the most of a body the parser reads, the reference's limit;
// the reference itself refuses a longer one.
const maxBody = 1 << 20

// parseBody is FastAPI's body parsing, which comes before the route's
// dependencies (authentication among them): a non-empty body whose
// Content-Type is JSON or absent must parse as JSON. What passes is handed
// on unchanged for the reference to validate after authentication; a body
// of another Content-Type is left to it too, as FastAPI leaves it to
// validation.
func (s *Server) parseBody(r *http.Request) *apiError {
	if r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) == 0 || len(body) > maxBody || !jsonOrUnlabelled(r.Header.Get("Content-Type")) {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return malformedJSON(s.cfg.parseStatus, err)
	}
	return nil
}

func jsonOrUnlabelled(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
