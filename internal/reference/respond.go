package reference

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// reply is a successful response, built under the lock and written after it.
type reply struct {
	status      int
	body        any    // encoded as JSON unless raw is set
	raw         []byte // sent as is, with contentType
	contentType string
	header      http.Header // extra headers, e.g. Location
}

func jsonReply(status int, body any) reply {
	return reply{status: status, body: body}
}

// writeReply writes a successful response.
func (s *Server) writeReply(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	body, contentType := rep.raw, rep.contentType
	if body == nil {
		body, contentType = mustJSON(rep.body), s.jsonContentType()
	}
	h.Set("Content-Type", contentType)
	w.WriteHeader(rep.status)
	_, _ = w.Write(body) // a failed write means the client went away
}

// jsonContentType is the Content-Type of every JSON response, success or error.
func (s *Server) jsonContentType() string {
	if s.varies(variationCharset) {
		return "application/json; charset=utf-8"
	}
	return "application/json"
}

// delay waits the configured latency in real time; it reports false when the
// client gave up first.
func (s *Server) delay(ctx context.Context) bool {
	d := s.cfg.latency
	if s.varies(variationLatency40ms) {
		d += 40 * time.Millisecond
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// transport applies the variations about how bytes travel (gzip,
// Connection: close) and returns the writer to use and a function to call
// when the response is complete.
func (s *Server) transport(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	if s.varies(variationConnectionClose) {
		w.Header().Set("Connection", "close")
	}
	if !s.varies(variationGzip) || !acceptsGzip(r.Header.Values("Accept-Encoding")) {
		return w, func() {}
	}
	gw := &gzipWriter{ResponseWriter: w, gz: gzip.NewWriter(w)}
	return gw, func() { _ = gw.gz.Close() }
}

// acceptsGzip reports whether Accept-Encoding lists gzip (or *) with a
// non-zero quality.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if (coding == "gzip" || coding == "*") && !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

func zeroQuality(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}

// gzipWriter compresses everything written through it.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(status int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	h := g.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	return g.gz.Write(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func secondsDuration(n int) time.Duration { return time.Duration(n) * time.Second }

// timestamp formats t the way every time in the API is sent: RFC 3339, UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
