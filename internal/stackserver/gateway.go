package stackserver

import (
	"fmt"
	"net/http"
	"strconv"
)

// A route whose backend is dead behind the gateway: every request to it,
// with or without credentials, gets the gateway's own error, forever,
// while the other routes answer. nginx routing to a port nobody listens on
// answers 502; with a proxy_read_timeout shorter than the stuck backend,
// 504; without one, nothing comes back until the client gives up.

// WithDeadRoute makes every request to route ("METHOD /path", from
// Routes) get status (502 or 504) with nginx's HTML page, as a gateway
// answers for a backend it cannot reach or that does not answer in time;
// status 0 holds the request unanswered instead, until the client goes
// away or the server closes (a stuck backend behind a gateway without a
// read timeout). route "" switches it off.
func WithDeadRoute(route string, status int) Option {
	return func(cfg *config) {
		if status != 0 && status != http.StatusBadGateway && status != http.StatusGatewayTimeout {
			cfg.invalid(fmt.Sprintf("WithDeadRoute: status must be 502, 504 or 0, got %d", status))
			return
		}
		cfg.deadRoute, cfg.deadStatus = route, status
	}
}

// nginxPage is the page nginx sends for an error of its own.
func nginxPage(status int) string {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}

// serveDead answers a request to the dead route; it reports false for
// any other route.
func (s *Server) serveDead(rt *route, w http.ResponseWriter, r *http.Request) bool {
	if !s.routeIs(rt, s.cfg.deadRoute) {
		return false
	}
	if s.cfg.deadStatus == 0 {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return true
	}
	body := nginxPage(s.cfg.deadStatus)
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(s.cfg.deadStatus)
	_, _ = w.Write([]byte(body))
	return true
}
