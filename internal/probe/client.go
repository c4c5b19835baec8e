package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configure a Client. Zero values take the documented defaults.
type Options struct {
	BaseURL     string        // e.g. https://staging.example.com/api/v1
	Timeout     time.Duration // per request, default 10s
	MaxBody     int64         // bytes of a response body read at most, default 64 KiB
	TLSConfig   *tls.Config
	Credentials []Credential // every token of the run, for redaction
	// Limits are the documented per-token limits per minute, keyed by
	// OperationKey(method, template); requests are paced within them.
	Limits map[string]int
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

// Stats count what the client did during a run.
type Stats struct {
	Requests    int64         `json:"requests"`
	Retries     int64         `json:"retries_after_429"`
	RetryWaited time.Duration `json:"retry_waited_ns"`
	PaceWaited  time.Duration `json:"pace_waited_ns"`
	// FreshRetries counts the sends of requests again on a fresh connection
	// after a kept-alive one died under them (Exchange.FreshRetry).
	FreshRetries int64 `json:"retries_on_fresh_connection,omitempty"`
	// OverloadRetries counts the retries of answers 502, 503 and 504, and
	// OverloadWaited the waiting before them (Options.MaxOverloadRetries).
	OverloadRetries int64         `json:"retries_after_overload,omitempty"`
	OverloadWaited  time.Duration `json:"overload_waited_ns,omitempty"`
	// OverloadWall is the wall time during which at least one request was
	// backing off from an overloaded answer: concurrent waits count once.
	OverloadWall time.Duration `json:"overload_wall_ns,omitempty"`
	// BareRetries counts the unprovoked 429s without Retry-After retried
	// after a backoff of conform's own, and BareWaited that backoff; they
	// are not in Retries and RetryWaited, which count the waits a
	// Retry-After asked for.
	BareRetries int64         `json:"retries_after_429_without_retry_after,omitempty"`
	BareWaited  time.Duration `json:"waited_without_retry_after_ns,omitempty"`
	// RetryWall and BareWall are RetryWaited and BareWaited as wall time:
	// the waits of concurrent requests that overlap count once.
	RetryWall time.Duration `json:"retry_wall_ns,omitempty"`
	BareWall  time.Duration `json:"bare_wall_ns,omitempty"`
	// Lowered lists the times the client lowered its concurrency: refusals
	// without Retry-After while several requests were in flight.
	Lowered []Lowering `json:"concurrency_lowered,omitempty"`
}

// Client sends probes to one target.
type Client struct {
	base  *url.URL
	http  *http.Client // keeps connections alive and reuses them
	fresh *http.Client // dials a connection per request (Request.FreshConnection)
	// retrying lets one fresh retry at a time go out: when a worker crash
	// killed several kept-alive connections, the request that crashed it is
	// retried too, and would crash it again, taking the other retries' new
	// connections down with it if they were open at that moment. A channel,
	// not a mutex, so a retry waiting its turn still hears its context.
	retrying chan struct{}
	opts     Options
	redact   *Redactor
	pace     *pacer
	back     *backoff
	sent     atomic.Int64
	seq      atomic.Int64
	retries  atomic.Int64
	waited   atomic.Int64
	// freshRetries counts requests sent again on a fresh connection.
	freshRetries atomic.Int64
	overloads    atomic.Int64 // retries of 502, 503 and 504
	overWaited   atomic.Int64
	bare         atomic.Int64 // retries of 429s without Retry-After
	bareWaited   atomic.Int64
	gate         *gate   // the requests in flight, Options.Concurrency and lower
	burstGate    *gate   // provoked requests in flight, Options.Concurrency, never lowered
	health       *health // which operations answered (Broken)

	classMu sync.Mutex
	classes map[string]int // requests by class (Classify)

	watch outageWatch // whether the target still answers (outage.go)
	// overloadWall is the wall time of the backoff from overloaded answers;
	// retryWall and bareWall, of the waits on 429s with and without
	// Retry-After.
	overloadWall        wallTime
	retryWall, bareWall spans
}

// MaxHeaderBytes caps the response headers conform reads.
const MaxHeaderBytes = 64 << 10

// DefaultTimeout and DefaultMaxBody are the documented defaults of Options.
const (
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBody bounds what is read of a body: an error envelope is
	// a few hundred bytes, and a longer error body fails its check's size
	// rule anyway; a target sending megabytes on every response must not
	// cost conform megabytes a response.
	DefaultMaxBody     = 64 << 10
	DefaultConcurrency = 16
	DefaultSlowAfter   = 2 * time.Second
	// DefaultFailedAuthLimit and DefaultUndocumentedLimit are the paces,
	// per minute, of what the docs give no number for: requests that fail
	// authentication (per client), and an operation without a documented
	// limit (per token).
	DefaultFailedAuthLimit   = 120
	DefaultUndocumentedLimit = 60
)

// FailedAuthClass is the class, in pacing and in SentByClass, of the requests
// meant to fail authentication: limited per client address, not per token.
const FailedAuthClass = "failed authentication"

// New checks the base URL and builds a client.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", o.BaseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: scheme must be http or https", o.BaseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q: no host", o.BaseURL)
	}
	if u.User != nil {
		u.User = nil // not shown: url.Redacted masks only a password, and a token may be the user
		return nil, fmt.Errorf("base URL %q: credentials in the URL are not allowed; tokens come from CONFORM_TOKEN_* variables", u.String())
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 30 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RetryBudget <= 0 {
		o.RetryBudget = 3 * time.Minute
	}
	if o.UserAgent == "" {
		o.UserAgent = "conform"
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.SlowAfter == 0 {
		o.SlowAfter = DefaultSlowAfter
	}
	if o.MaxOverloadRetries == 0 {
		o.MaxOverloadRetries = 4
	}
	if o.OverloadBackoff <= 0 {
		o.OverloadBackoff = 250 * time.Millisecond
	}
	if o.MaxOverloadWait <= 0 {
		o.MaxOverloadWait = 5 * time.Second
	}
	if o.FailedAuthLimit <= 0 {
		o.FailedAuthLimit = DefaultFailedAuthLimit
	}
	if o.UndocumentedLimit <= 0 {
		o.UndocumentedLimit = DefaultUndocumentedLimit
	}
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
	return &Client{
		base:      u,
		http:      noRedirects(tr),
		fresh:     noRedirects(once),
		opts:      o,
		redact:    NewRedactor(o.Credentials...),
		pace:      newPacer(o.Limits, o.UndocumentedLimit, o.FailedAuthLimit),
		back:      newBackoff(o.RetryBudget),
		gate:      newGate(o.Concurrency),
		burstGate: newGate(o.Concurrency),
		health:    newHealth(),
		retrying:  make(chan struct{}, 1),
		classes:   map[string]int{},
	}, nil
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

// Concurrency is how many requests the client has in flight at most, as
// configured; it may have lowered it since (Stats.Lowered).
func (c *Client) Concurrency() int { return c.gate.initial }

// BaseURL is the target's base URL as given.
func (c *Client) BaseURL() string { return c.base.String() }

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:    c.sent.Load(),
		Retries:     c.retries.Load(),
		RetryWaited: time.Duration(c.waited.Load()),
		PaceWaited:  c.pace.waited(),

		FreshRetries:    c.freshRetries.Load(),
		OverloadRetries: c.overloads.Load(),
		OverloadWaited:  time.Duration(c.overWaited.Load()),
		OverloadWall:    c.overloadWall.total(),
		RetryWall:       c.retryWall.total(),
		BareWall:        c.bareWall.total(),
		BareRetries:     c.bare.Load(),
		BareWaited:      time.Duration(c.bareWaited.Load()),
		Lowered:         c.gate.lowerings(),
	}
}

// do sends r, waiting out unprovoked 429s and overloaded answers (502, 503,
// 504), and returns the captured exchange (Do watches the target's
// answers around it).
func (c *Client) do(ctx context.Context, r Request) Exchange {
	if r.Template == "" {
		r.Template = r.Path
	}
	key := OperationKey(r.Method, r.Template)
	paceKey, limitKey := Classify(r)
	tokenVar := ""
	if paceKey != FailedAuthClass {
		tokenVar = r.Token.Var
	}
	classKey := paceKey
	c.count(paceKey)
	paced := key // what a pacing wait names: the operation, or the class of failed authentication
	if paceKey == FailedAuthClass {
		paced = FailedAuthClass
	}
	cls := c.back.class(classKey)
	var retries, overloads int
	var waited, overWaited time.Duration
	var last *Exchange // the 429 or overloaded answer being waited out
	for {
		// A retry is not paced again: the 429 or the overloaded answer
		// said the request was not served, and the target's Retry-After or
		// the backoff spaces the retries; a retry after a 429 still counts.
		if last != nil && !last.Overloaded {
			// Counted against conform's own pace, without waiting: the
			// target's Retry-After already spaced it.
			c.pace.take(paceKey, limitKey)
		}
		if last == nil {
			if r.Provoke {
				c.pace.take(paceKey, limitKey)
			} else if err := c.pace.wait(ctx, paceKey, limitKey, c.logf, func(d time.Duration) {
				c.onWait(Wait{Cause: WaitPacing, Operation: paced, Token: tokenVar, Duration: d})
			}); err != nil {
				return c.record(r, nil, 0, err)
			}
		}
		release := func() {}
		if !r.Provoke {
			_, rel, err := cls.enter(ctx)
			if err != nil {
				if last != nil {
					return *last
				}
				return c.record(r, nil, 0, err)
			}
			release = rel
		}
		ex, err := c.send(ctx, r)
		if err != nil {
			release()
			if last != nil {
				return *last
			}
			return c.record(r, nil, 0, err)
		}
		c.health.note(key, tokenVar != "", ex)
		ex.Retries, ex.RetryWaited = retries, waited
		ex.OverloadRetries, ex.OverloadWaited = overloads, overWaited
		if ex.Status == http.StatusTooManyRequests && !r.Provoke && len(ex.Header.Values("Retry-After")) == 0 {
			// No Retry-After: nothing says when to come back, so conform
			// backs off on its own, after sending fewer at once.
			d := c.retryDelay("")
			blocked := retries < c.opts.MaxRetries && cls.block(d, c.opts.RetryBudget)
			release()
			c.lowerOn(r, key, "429")
			if !blocked {
				ex.Throttled = true
				c.logf("%s %s: still 429 without Retry-After after %d retries; conform stops retrying, and the check is inconclusive", r.Method, r.Template, retries)
				return ex
			}
			c.logf("%s %s: 429 the suite did not provoke, without Retry-After; backing off %s, then retrying", r.Method, r.Template, d.Round(time.Millisecond))
			c.onWait(Wait{Cause: WaitBackoff, Operation: key, Token: tokenVar, Duration: d})
			retries++
			c.bare.Add(1)
			c.bareWaited.Add(int64(d))
			c.bareWall.add(time.Now(), d)
			last = &ex
			continue
		}
		if ex.Status == http.StatusTooManyRequests && !r.Provoke {
			d := c.retryDelay(ex.Header.Get("Retry-After"))
			// Blocked before the next request of a slowed class is let in.
			blocked := retries < c.opts.MaxRetries && cls.block(d, c.opts.RetryBudget)
			release()
			if !blocked {
				ex.Throttled = true
				c.logf("%s %s: still 429 after %d retries (%s waited); conform stops waiting, and the check is inconclusive", r.Method, r.Template, retries, waited.Round(time.Millisecond))
				return ex
			}
			c.logf("%s %s: 429 the suite did not provoke; waiting %s as Retry-After asks, then retrying", r.Method, r.Template, d.Round(time.Millisecond))
			c.onWait(Wait{Cause: WaitRetryAfter, Operation: key, Token: tokenVar, Duration: d})
			retries++
			waited += d
			c.retries.Add(1)
			c.waited.Add(int64(d))
			c.retryWall.add(time.Now(), d)
			last = &ex
			continue
		}
		release()
		if !overloaded(ex.Status) {
			if !r.Provoke {
				cls.answered()
			}
			return ex
		}
		ex.Overloaded = true // unless a retry gets past it
		if ex.Status == http.StatusServiceUnavailable && !r.Provoke && len(ex.Header.Values("Retry-After")) == 0 {
			c.lowerOn(r, key, "503")
		}
		d := c.overloadDelay(ex.Header.Get("Retry-After"), overloads)
		if r.Provoke || overloads >= c.opts.MaxOverloadRetries || !cls.spend(d, c.opts.RetryBudget) {
			if !r.Provoke {
				c.logf("%s %s: still %d after %d retries (%s waited): the target is overloaded; conform stops waiting, and the check is inconclusive", r.Method, r.Template, ex.Status, overloads, overWaited.Round(time.Millisecond))
			}
			return ex
		}
		c.logf("%s %s: %d, the target is overloaded; waiting %s, then retrying", r.Method, r.Template, ex.Status, d.Round(time.Millisecond))
		c.onWait(Wait{Cause: WaitOverload, Operation: key, Token: tokenVar, Duration: d})
		if !c.overloadSleep(ctx, d) {
			return ex
		}
		overloads++
		overWaited += d
		c.overloads.Add(1)
		c.overWaited.Add(int64(d))
		last = &ex
	}
}

// Classify names the class a request is paced in and the key of its limit:
// a request meant to fail authentication is paced with every other such
// request (the target limits them per client), FailedAuthClass for both;
// the others per token and operation ("CONFORM_TOKEN_READ GET /credits"),
// within the operation's limit (OperationKey).
func Classify(r Request) (class, limit string) {
	template := r.Template
	if template == "" {
		template = r.Path
	}
	key := OperationKey(r.Method, template)
	if r.Token.Present() && !r.Unauthenticated {
		return r.Token.Var + " " + key, key
	}
	return FailedAuthClass, FailedAuthClass
}

func (c *Client) count(class string) {
	c.classMu.Lock()
	defer c.classMu.Unlock()
	c.classes[class]++
}

// SentByClass counts the requests sent in each class (Classify), each once
// however often it was retried.
func (c *Client) SentByClass() map[string]int {
	c.classMu.Lock()
	defer c.classMu.Unlock()
	out := make(map[string]int, len(c.classes))
	for k, v := range c.classes {
		out[k] = v
	}
	return out
}

// overloaded says whether status is a gateway's or server's "not now"
// (502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout): worth
// retrying, and no answer to the request. A 500 is an answer, a failure.
func overloaded(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// overloadDelay is the wait before retry n+1 of an overloaded answer:
// Retry-After when it names a positive delay, else OverloadBackoff doubled
// n times with jitter (half of it to all of it), either within
// MaxOverloadWait.
func (c *Client) overloadDelay(retryAfter string, n int) time.Duration {
	if d, ok := ParseRetryAfter(retryAfter, time.Now()); ok && d > 0 {
		return min(d, c.opts.MaxOverloadWait)
	}
	d := c.opts.OverloadBackoff
	for range n {
		if d >= c.opts.MaxOverloadWait {
			break
		}
		d *= 2
	}
	d = min(d, c.opts.MaxOverloadWait)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// retryDelay honours Retry-After (seconds or HTTP-date) within MaxRetryWait,
// with a little jitter; without a usable value it backs off one second.
func (c *Client) retryDelay(v string) time.Duration {
	d, ok := ParseRetryAfter(v, time.Now())
	if !ok || d < time.Second {
		d = time.Second
	}
	d += time.Duration(rand.Int64N(int64(100 * time.Millisecond)))
	return min(d, c.opts.MaxRetryWait)
}

func (c *Client) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

func (c *Client) url(path string) string {
	return c.base.String() + path
}

// send sends r once it has one of the client's Concurrency slots, and
// again on a fresh connection (maxFreshRetries at most) when the one it
// went out on died before a byte of a response
// (wire.retryFresh); it returns an error, and sends nothing, when ctx ends
// first.
func (c *Client) send(ctx context.Context, r Request) (Exchange, error) {
	if err := ctx.Err(); err != nil {
		return Exchange{}, err
	}
	// A request sent past a limit on purpose (a rate-limit burst) keeps
	// the concurrency the run began with: a gate lowered by refusals
	// elsewhere would stretch the burst until the bucket refills under it,
	// and a missing limiter could no longer be told.
	g := c.gate
	if r.Provoke {
		g = c.burstGate
	}
	if err := g.enter(ctx); err != nil {
		return Exchange{}, err
	}
	defer g.leave()
	ex, w := c.once(ctx, r, r.FreshConnection)
	if !w.retryFresh(ctx) {
		return ex, nil
	}
	// The request met a connection that died before a byte of response
	// (the server closed it at rest, or a worker crashed with it): the
	// failure may belong to whatever killed the connection, not to this
	// request, so it goes again on a connection of its own, at most
	// freshRetries times: a new connection can itself die in the next
	// crash of a worker, which the crashing request, retried too, causes.
	first := ex.Err
	for range maxFreshRetries {
		c.logf("%s %s: no response (%s); sending it again on a fresh connection", r.Method, r.Template, ex.Err)
		c.freshRetries.Add(1)
		select {
		case c.retrying <- struct{}{}:
		case <-ctx.Done():
			return c.record(r, nil, 0, ctx.Err()), nil
		}
		ex, w = c.once(ctx, r, true)
		<-c.retrying
		ex.FreshRetry, ex.FirstErr = true, first
		if !w.retryFresh(ctx) {
			break
		}
	}
	return ex, nil
}

// maxFreshRetries bounds the fresh retries of one request: an endpoint
// that drops every connection costs three requests and fails its check.
const maxFreshRetries = 2

// wire is what one attempt learned of the connection it went out on.
type wire struct {
	reused   bool  // the connection was kept alive from an earlier request
	answered bool  // at least one byte of a response arrived
	err      error // the transport's, when no response came
}

// retryFresh says whether an attempt that got no response may be sent
// again on a fresh connection: not a byte came back. That is what a
// request meets on a kept-alive connection the server had closed, and on
// any connection, new ones too, of a worker that crashed under another
// request: its failure belongs to that request. Not when ctx is done, and
// not after a timeout: a request that timed out may still be running on
// the server, and an endpoint that hangs would cost every probe twice the
// timeout. The retry is the last attempt, so an endpoint that resets every
// connection costs 1+maxFreshRetries requests and fails its own check.
func (w wire) retryFresh(ctx context.Context) bool {
	if w.err == nil || w.answered || ctx.Err() != nil {
		return false
	}
	var ne net.Error
	return !errors.Is(w.err, context.DeadlineExceeded) && !(errors.As(w.err, &ne) && ne.Timeout())
}

// once sends r one time, on a connection of its own when fresh.
func (c *Client) once(ctx context.Context, r Request, fresh bool) (Exchange, wire) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	var reused, answered atomic.Bool
	var firstByte atomic.Int64 // since start
	var start time.Time
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		// Called again for the connection of a retry net/http makes itself
		// (a GET whose kept-alive connection was closed under it).
		GotConn: func(i httptrace.GotConnInfo) { reused.Store(i.Reused) },
		GotFirstResponseByte: func() {
			firstByte.Store(int64(c.opts.Now().Sub(start)))
			answered.Store(true)
		},
	})
	req, err := http.NewRequestWithContext(ctx, r.Method, c.url(r.Path), body)
	if err != nil {
		return c.record(r, nil, 0, err), wire{err: err}
	}
	if actual, _, ok := r.authValue(); ok {
		// Set through the map so an empty value is still sent.
		req.Header["Authorization"] = []string{actual}
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", r.contentType())
	}
	if v, ok := r.accept(); ok {
		req.Header.Set("Accept", v)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	hc := c.http
	if fresh {
		hc = c.fresh
	}
	start = c.opts.Now()
	c.sent.Add(1)
	resp, err := hc.Do(req)
	w := wire{reused: reused.Load(), answered: answered.Load(), err: err}
	if err != nil {
		ex := c.record(r, nil, c.opts.Now().Sub(start), err)
		c.timeFirstByte(&ex, w.answered, firstByte.Load())
		return ex, w
	}
	defer resp.Body.Close()
	// Read past the limit by the longest secret form, redact, and only then
	// cut: a token straddling the limit is replaced whole, never cut in two.
	margin := int64(c.redact.Longest())
	buf, readErr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+margin+1))
	ex := c.record(r, resp, c.opts.Now().Sub(start), nil)
	c.timeFirstByte(&ex, w.answered, firstByte.Load())
	over := int64(len(buf)) > c.opts.MaxBody
	redacted := c.redact.Bytes(buf)
	if over {
		redacted, ex.Truncated = redacted[:min(int64(len(redacted)), c.opts.MaxBody)], true
	}
	ex.BodyBytes = int(min(int64(len(buf)), c.opts.MaxBody))
	ex.Body = redacted
	ex.BodyText = string(ex.Body)
	if readErr != nil {
		ex.Err = "reading the body: " + c.describeErr(readErr)
	}
	return ex, w
}

// timeFirstByte records when the response began, and whether that was
// implausibly late.
func (c *Client) timeFirstByte(ex *Exchange, answered bool, since int64) {
	if !answered {
		return
	}
	ex.FirstByte = time.Duration(since)
	ex.Slow = c.opts.SlowAfter > 0 && ex.FirstByte > c.opts.SlowAfter
}

// record builds the redacted exchange; resp may be nil.
func (c *Client) record(r Request, resp *http.Response, d time.Duration, err error) Exchange {
	u := c.redact.String(c.url(r.Path))
	ex := Exchange{
		Seq:       c.seq.Add(1),
		Method:    r.Method,
		URL:       u,
		Path:      c.redact.String(r.Template),
		Auth:      c.redact.String(r.describeAuth()),
		Role:      r.role(),
		ReqHeader: http.Header{},
		Curl:      curl(r.Method, u, c.opts.UserAgent, r, c.redact),
		Duration:  d,
	}
	if _, shown, ok := r.authValue(); ok {
		ex.ReqHeader["Authorization"] = []string{c.redact.String(shown)}
	}
	if r.Body != nil {
		ex.ReqHeader.Set("Content-Type", r.contentType())
		ex.ReqBody = c.redact.String(string(r.Body))
	}
	if v, ok := r.accept(); ok {
		ex.ReqHeader.Set("Accept", v)
	}
	if err != nil {
		ex.Err = c.describeErr(err)
		var ne net.Error
		ex.TimedOut = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	if resp != nil {
		ex.Status = resp.StatusCode
		ex.Header = http.Header{}
		for k, vs := range resp.Header {
			for _, v := range vs {
				ex.Header.Add(k, c.redact.String(v))
			}
		}
	}
	return ex
}

// describeErr turns a transport error into a sentence, redacted.
func (c *Client) describeErr(err error) string {
	var msg string
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cert):
		msg = fmt.Sprintf("the target's TLS certificate is not trusted: %v (for a private CA, pass its certificate with --ca-cert)", cert.Err)
	case errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("no answer within %s (--request-timeout)", c.opts.Timeout)
	case errors.Is(err, context.Canceled):
		msg = "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "connection refused: nothing accepts connections at " + c.base.Host
	case errors.Is(err, io.EOF):
		msg = "the target closed the connection without answering"
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "the connection closed before the whole response arrived (unexpected EOF)"
	case errors.Is(err, syscall.ECONNRESET):
		msg = "the target reset the connection"
	case strings.Contains(err.Error(), "server response headers exceeded"):
		msg = fmt.Sprintf("the response headers exceed %d KiB, the most conform reads; nothing more of the response was read", MaxHeaderBytes>>10)
	default:
		msg = err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
	}
	return c.redact.String(msg)
}
