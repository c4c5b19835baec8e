package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestATokenStraddlingTheReadLimitIsRedactedWhole: the body is read past
// the limit by the longest secret form and redacted before it is cut, so a
// token the limit falls inside keeps no part of itself.
func TestATokenStraddlingTheReadLimitIsRedactedWhole(t *testing.T) {
	const limit = 4096
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(strings.Repeat("x", limit-20) + tok + strings.Repeat("y", 100)))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, func(o *Options) { o.MaxBody = limit })
	ex := c.Do(context.Background(), readRequest("/credits"))
	v := readCred().value
	for _, part := range []string{v[:20], v[:12], strings.TrimPrefix(v, "cornect_")[:12]} {
		if strings.Contains(ex.BodyText, part) {
			t.Errorf("the body keeps %q of the token: …%s", part, ex.BodyText[len(ex.BodyText)-40:])
		}
	}
	if !ex.Truncated || len(ex.Body) > limit {
		t.Errorf("truncated %v, %d bytes kept; want cut at %d", ex.Truncated, len(ex.Body), limit)
	}
}
