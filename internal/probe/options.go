package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a Client. Zero values take the documented defaults.
type Options struct {
	BaseURL     string        // e.g. https://staging.example.com/api/v1
	Timeout     time.Duration // per request, default 10s
	MaxBody     int64         // bytes of a response body read at most, default 64 KiB
	TLSConfig   *tls.Config
	Credentials []Credential // every token of the run, for redaction
	// Limits are the documented per-token limits, keyed by
	// OperationKey(method, template); requests are paced within them.
	Limits map[string]int
	// Periods are the periods of Limits by the same keys: how long an
	// emptied bucket takes to refill whole; a key not listed is a minute
	// (the docs' "N/min"). UndocumentedLimit and FailedAuthLimit are per
	// minute whatever they say: conform's assumptions, not a documented
	// bucket.
	Periods map[string]time.Duration
	// UndocumentedLimit paces, per token, an operation Limits has no limit
	// for (one only an OpenAPI document lists), default 60 a minute.
	UndocumentedLimit int
	// FailedAuthLimit paces, per minute, every request meant to fail
	// authentication, whatever its operation: the docs say such traffic is
	// limited per client address and publish no number. Default 120
	// (DefaultFailedAuthLimit). A target's 429s slow the class further, to
	// what its Retry-After says.
	FailedAuthLimit int
	MaxRetryWait    time.Duration // longest wait on one unprovoked 429, default 30s
	MaxRetries      int           // unprovoked 429s waited out per request, default 100
	// RetryBudget bounds the waiting on unprovoked 429s and overloaded
	// answers of one class of requests (a token on an endpoint, or
	// everything that fails authentication) between two answers of the
	// class, default 3 minutes; past it a 429 is returned Throttled, a 502,
	// 503 or 504 Overloaded.
	RetryBudget time.Duration
	// Now is the clock exchanges are timed with; nil is time.Now.
	Now func() time.Time
	// Clock is the time the client waits on (pacing, Retry-After, the
	// backoff from overloaded answers); nil is the real time.
	Clock Clock
	// Logf receives notes on waits (pacing and Retry-After); may be nil.
	Logf func(format string, args ...any)
	// OnWait hears of each wait, as data, before it starts; may be nil.
	OnWait func(Wait)
	// UserAgent is sent with every probe, default "conform"; a command sets
	// "conform/<version>" so a target's logs say which conform sent it.
	UserAgent string
	// Concurrency is how many requests the client has in flight at most,
	// whatever its callers do, default 16: a fragile target behind a small
	// pool of workers is probed gently with 1 or 2.
	Concurrency int
	// SlowAfter is how long the first byte of a response may take before
	// the exchange is marked Slow, default 2s (DefaultSlowAfter); negative
	// marks none.
	SlowAfter time.Duration
	// MaxOverloadRetries bounds the retries of one request answered 502,
	// 503 or 504 (an overloaded target or gateway), default 4; negative
	// retries none. Each waits Retry-After when the answer has one, else
	// OverloadBackoff (default 250ms) doubled per retry with jitter, never
	// more than MaxOverloadWait (default 5s), and the waits come out of the
	// class's RetryBudget. An answer still overloaded is returned marked
	// Overloaded. A 500 is not retried: it is the target's answer.
	MaxOverloadRetries int
	OverloadBackoff    time.Duration
	MaxOverloadWait    time.Duration
	// Dial, when set, opens the client's connections instead of the
	// network (tests run a target on an in-memory network).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// withDefaults fills in the documented default of every option left zero.
func (o Options) withDefaults() Options {
	orDefault := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	orDefault(&o.Timeout, DefaultTimeout)
	orDefault(&o.MaxRetryWait, 30*time.Second)
	orDefault(&o.RetryBudget, 3*time.Minute)
	orDefault(&o.OverloadBackoff, 250*time.Millisecond)
	orDefault(&o.MaxOverloadWait, 5*time.Second)
	if o.SlowAfter == 0 { // negative marks none
		o.SlowAfter = DefaultSlowAfter
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 100
	}
	if o.MaxOverloadRetries == 0 { // negative retries none
		o.MaxOverloadRetries = 4
	}
	positive := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	positive(&o.Concurrency, DefaultConcurrency)
	positive(&o.FailedAuthLimit, DefaultFailedAuthLimit)
	positive(&o.UndocumentedLimit, DefaultUndocumentedLimit)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.UserAgent == "" {
		o.UserAgent = "conform"
	}
	return o
}

// parseBaseURL checks the base URL: http or https, a host, and no
// credentials in it.
func parseBaseURL(base string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", base, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: scheme must be http or https", base)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q: no host", base)
	}
	if u.User != nil {
		u.User = nil // not shown: url.Redacted masks only a password, and a token may be the user
		return nil, fmt.Errorf("base URL %q: credentials in the URL are not allowed; tokens come from CONFORM_TOKEN_* variables", u.String())
	}
	return u, nil
}

// httpClients are the client's two HTTP clients: one that keeps
// connections alive and reuses them, and one that dials a connection per
// request (Request.FreshConnection). Neither follows a redirect.
func httpClients(o Options) (keep, fresh *http.Client) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY, as in any Go program. Through an
	// HTTPS proxy the request goes in a CONNECT tunnel with TLS end to end,
	// so the proxy sees the host name and never a header. Go never proxies
	// a loopback target (localhost, 127.0.0.1, ::1).
	tr.Proxy = http.ProxyFromEnvironment
	tr.TLSClientConfig = o.TLSConfig
	tr.MaxIdleConnsPerHost = 32
	tr.ResponseHeaderTimeout = o.Timeout
	// A target sending megabytes of headers on every response must not
	// cost megabytes a response: past the cap nothing more is read.
	tr.MaxResponseHeaderBytes = MaxHeaderBytes
	if o.Dial != nil {
		tr.DialContext, tr.Proxy = o.Dial, nil
	}
	// A request on a connection of its own never waits behind another
	// request's response, or behind work a server does on a kept-alive
	// connection after answering (Starlette's BackgroundTasks).
	once := tr.Clone()
	once.DisableKeepAlives = true
	return noRedirects(tr), noRedirects(once)
}

// noRedirects is a client over tr that never follows a redirect: a
// redirect is evidence, and following one could send a token to another
// host.
func noRedirects(tr http.RoundTripper) *http.Client {
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
