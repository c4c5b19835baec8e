package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
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
	u, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	keep, fresh := httpClients(o)
	return &Client{
		base:         u,
		http:         keep,
		fresh:        fresh,
		opts:         o,
		redact:       NewRedactor(o.Credentials...),
		pace:         newPacer(o.Limits, o.UndocumentedLimit, o.FailedAuthLimit, o.Periods, o.Clock),
		back:         newBackoff(o.RetryBudget),
		gate:         newGate(o.Concurrency),
		burstGate:    newGate(o.Concurrency),
		health:       newHealth(),
		retrying:     make(chan struct{}, 1),
		classes:      map[string]int{},
		overloadWall: wallTime{now: o.Clock.Now},
	}, nil
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

// do sends r and returns the captured exchange (Do watches the target's
// answers around it): paced within its class's limit (paceFirst), sent one
// attempt at a time (attempt), and sent again as the retry policy says
// (retry) while an unprovoked 429 or an overloaded answer (502, 503, 504)
// is all it got.
func (c *Client) do(ctx context.Context, r Request) Exchange {
	t := c.newTry(r)
	if err := c.paceFirst(ctx, t); err != nil {
		return c.record(t.r, nil, 0, err)
	}
	for {
		ex, release, err := c.attempt(ctx, t)
		if err != nil {
			if t.last != nil {
				return *t.last // the 429 or overloaded answer being waited out
			}
			return c.record(t.r, nil, 0, err)
		}
		if !c.retry(ctx, t, &ex, release) {
			return ex
		}
		t.last = &ex
		c.paceRetry(t)
	}
}

// try is one request through its attempts: its classes, and the retries
// and waits so far, which every exchange of it carries.
type try struct {
	r                 Request
	key               string // its operation, OperationKey(method, template)
	paceKey, limitKey string // Classify
	// tokenVar names its token, "" in the class of failed authentication;
	// paced is what a pacing wait names: the operation, or that class.
	tokenVar, paced string
	cls             *class
	retries         int // after 429s
	waited          time.Duration
	overloads       int // after 502, 503, 504
	overWaited      time.Duration
	last            *Exchange // the 429 or overloaded answer being waited out
}

func (c *Client) newTry(r Request) *try {
	if r.Template == "" {
		r.Template = r.Path
	}
	t := &try{r: r, key: OperationKey(r.Method, r.Template)}
	t.paceKey, t.limitKey = Classify(r)
	t.paced = t.key
	if t.paceKey == FailedAuthClass {
		t.paced = FailedAuthClass
	} else {
		t.tokenVar = r.Token.Var
	}
	c.count(t.paceKey)
	t.cls = c.back.class(t.paceKey)
	return t
}

// attempt sends the request once, let in by its class (a class slowed by
// a 429 holds it until the wait is over; a request provoked past a limit
// is never held), and notes the answer in the target's health. release
// lets the class's next request in; on an error it has been called.
func (c *Client) attempt(ctx context.Context, t *try) (ex Exchange, release func(), err error) {
	release = func() {}
	if !t.r.Provoke {
		if _, release, err = t.cls.enter(ctx, c.opts.Clock); err != nil {
			return Exchange{}, nil, err
		}
	}
	ex, err = c.send(ctx, t.r)
	if err != nil {
		release()
		return Exchange{}, nil, err
	}
	c.health.note(t.key, t.tokenVar != "", ex)
	ex.Retries, ex.RetryWaited = t.retries, t.waited
	ex.OverloadRetries, ex.OverloadWaited = t.overloads, t.overWaited
	return ex, release, nil
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
