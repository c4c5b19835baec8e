package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Options configure a Client. Zero values take the documented defaults.
type Options struct {
	BaseURL     string        // e.g. https://staging.example.com/api/v1
	Timeout     time.Duration // per request, default 10s
	MaxBody     int64         // bytes of a response body read at most, default 1 MiB
	TLSConfig   *tls.Config
	Credentials []Credential // every token of the run, for redaction
	// Limits are the documented per-token limits per minute, keyed by
	// OperationKey(method, template); requests are paced within them.
	Limits       map[string]int
	MaxRetryWait time.Duration // longest wait on one unprovoked 429, default 30s
	MaxRetries   int           // unprovoked 429s waited out per request, default 100
	// RetryBudget bounds the waiting on unprovoked 429s of one class of
	// requests (a token on an endpoint, or everything unauthenticated) over
	// the whole run, default 3 minutes; past it a 429 is returned Throttled.
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
}

// Stats count what the client did during a run.
type Stats struct {
	Requests    int64         `json:"requests"`
	Retries     int64         `json:"retries_after_429"`
	RetryWaited time.Duration `json:"retry_waited_ns"`
	PaceWaited  time.Duration `json:"pace_waited_ns"`
}

// Client sends probes to one target.
type Client struct {
	base    *url.URL
	http    *http.Client
	opts    Options
	redact  *Redactor
	pace    *pacer
	back    *backoff
	sent    atomic.Int64
	seq     atomic.Int64
	retries atomic.Int64
	waited  atomic.Int64
}

// DefaultTimeout and DefaultMaxBody are the documented defaults of Options.
const (
	DefaultTimeout = 10 * time.Second
	DefaultMaxBody = 1 << 20
)

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
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY, as in any Go program. Through an
	// HTTPS proxy the request goes in a CONNECT tunnel with TLS end to end,
	// so the proxy sees the host name and never a header. Go never proxies
	// a loopback target (localhost, 127.0.0.1, ::1).
	tr.Proxy = http.ProxyFromEnvironment
	tr.TLSClientConfig = o.TLSConfig
	tr.MaxIdleConnsPerHost = 32
	tr.ResponseHeaderTimeout = o.Timeout
	return &Client{
		base: u,
		http: &http.Client{
			Transport: tr,
			// Never follow redirects: a redirect is evidence, and following one
			// could send a token to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		opts:   o,
		redact: NewRedactor(o.Credentials...),
		pace:   newPacer(o.Limits),
		back:   newBackoff(o.RetryBudget),
	}, nil
}

// BaseURL is the target's base URL as given.
func (c *Client) BaseURL() string { return c.base.String() }

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:    c.sent.Load(),
		Retries:     c.retries.Load(),
		RetryWaited: time.Duration(c.waited.Load()),
		PaceWaited:  c.pace.waited(),
	}
}

// Do sends r, waiting out unprovoked 429s, and returns the captured exchange.
func (c *Client) Do(ctx context.Context, r Request) Exchange {
	if r.Template == "" {
		r.Template = r.Path
	}
	key := OperationKey(r.Method, r.Template)
	paceKey, classKey, tokenVar := "", "unauthenticated", ""
	if r.Token.Present() && !r.Unauthenticated {
		paceKey = r.Token.Var + " " + key
		classKey, tokenVar = paceKey, r.Token.Var
	}
	cls := c.back.class(classKey)
	var retries int
	var waited time.Duration
	var last *Exchange // the 429 being waited out
	for {
		if paceKey != "" {
			if r.Provoke {
				c.pace.take(paceKey, key)
			} else if err := c.pace.wait(ctx, paceKey, key, c.logf, func(d time.Duration) { c.onWait(Wait{Cause: WaitPacing, Operation: key, Token: tokenVar, Duration: d}) }); err != nil {
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
		ex := c.once(ctx, r)
		ex.Retries, ex.RetryWaited = retries, waited
		if ex.Status != http.StatusTooManyRequests || r.Provoke {
			release()
			return ex
		}
		d := c.retryDelay(ex.Header.Get("Retry-After"))
		if retries >= c.opts.MaxRetries || !cls.block(d, c.opts.RetryBudget) {
			release()
			ex.Throttled = true
			c.logf("%s %s: still 429 after %d retries (%s waited); conform stops waiting, and the check is inconclusive", r.Method, r.Template, retries, waited.Round(time.Millisecond))
			return ex
		}
		release()
		c.logf("%s %s: 429 the suite did not provoke; waiting %s as Retry-After asks, then retrying", r.Method, r.Template, d.Round(time.Millisecond))
		c.onWait(Wait{Cause: WaitRetryAfter, Operation: key, Token: tokenVar, Duration: d})
		retries++
		waited += d
		c.retries.Add(1)
		c.waited.Add(int64(d))
		last = &ex
	}
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

func (c *Client) once(ctx context.Context, r Request) Exchange {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, c.url(r.Path), body)
	if err != nil {
		return c.record(r, nil, 0, err)
	}
	if actual, _, ok := r.authValue(); ok {
		// Set through the map so an empty value is still sent.
		req.Header["Authorization"] = []string{actual}
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", r.contentType())
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	start := c.opts.Now()
	c.sent.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.record(r, nil, c.opts.Now().Sub(start), err)
	}
	defer resp.Body.Close()
	buf, readErr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	ex := c.record(r, resp, c.opts.Now().Sub(start), nil)
	if int64(len(buf)) > c.opts.MaxBody {
		buf, ex.Truncated = buf[:c.opts.MaxBody], true
	}
	ex.BodyBytes = len(buf)
	ex.Body = c.redact.Bytes(buf)
	ex.BodyText = string(ex.Body)
	if readErr != nil {
		ex.Err = "reading the body: " + c.describeErr(readErr)
	}
	return ex
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
		Curl:      curl(r.Method, u, r, c.redact),
		Duration:  d,
	}
	if _, shown, ok := r.authValue(); ok {
		ex.ReqHeader["Authorization"] = []string{c.redact.String(shown)}
	}
	if r.Body != nil {
		ex.ReqHeader.Set("Content-Type", r.contentType())
		ex.ReqBody = c.redact.String(string(r.Body))
	}
	if err != nil {
		ex.Err = c.describeErr(err)
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
	default:
		msg = err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
	}
	return c.redact.String(msg)
}
