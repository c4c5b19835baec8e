package probe

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Exchange is one request and what came back, with every secret replaced by
// its variable name. Status is 0 when no response arrived (Err says why).
type Exchange struct {
	// Seq numbers the exchanges of a client in the order they were sent.
	Seq       int64       `json:"-"`
	Method    string      `json:"method"`
	URL       string      `json:"url"`
	Path      string      `json:"path"`           // the profile path, e.g. /exports/{export_id}
	Auth      string      `json:"auth"`           // how the request authenticated, for people: "Authorization: Bearer $CONFORM_TOKEN_READ", "no Authorization header"
	Role      Role        `json:"role,omitempty"` // the token role presented, if any
	ReqHeader http.Header `json:"request_headers"`
	ReqBody   string      `json:"request_body,omitempty"`
	Curl      string      `json:"curl"`
	Status    int         `json:"status"`
	Header    http.Header `json:"response_headers,omitempty"`
	Body      []byte      `json:"-"`
	BodyText  string      `json:"response_body,omitempty"`
	BodyBytes int         `json:"body_bytes"`          // bytes of the body read
	Truncated bool        `json:"truncated,omitempty"` // the body was longer than the read limit
	Err       string      `json:"error,omitempty"`
	// TimedOut marks an exchange that got no answer within the request
	// timeout (Err says so too).
	TimedOut bool          `json:"timed_out,omitempty"`
	Duration time.Duration `json:"duration_ns"` // from sending to the end of the body
	// FirstByte is how long the first byte of the response took, 0 when
	// none came; Slow marks one later than Options.SlowAfter (default 2s),
	// so a check can say the target answered implausibly late.
	FirstByte time.Duration `json:"first_byte_ns,omitempty"`
	Slow      bool          `json:"slow,omitempty"`
	Retries   int           `json:"retries,omitempty"` // unprovoked 429s waited out before this answer
	// Throttled marks an unprovoked 429 that conform stopped waiting out
	// (retries or budget spent): the target's limit, not its answer to the
	// probe, so the check judging it is inconclusive.
	Throttled   bool          `json:"throttled,omitempty"`
	RetryWaited time.Duration `json:"retry_waited_ns,omitempty"`
	// Overloaded marks a 502, 503 or 504 conform stopped retrying
	// (Options.MaxOverloadRetries, or the budget spent), or one answering
	// a Provoke request, which is never retried: the target was short of
	// workers, which says nothing of its contract, so the check judging it
	// is inconclusive. OverloadRetries and OverloadWaited count the
	// overloaded answers retried before this one and the waiting.
	Overloaded      bool          `json:"overloaded,omitempty"`
	OverloadRetries int           `json:"overload_retries,omitempty"`
	OverloadWaited  time.Duration `json:"overload_waited_ns,omitempty"`
	// FreshRetry marks a request sent a second time, on a fresh
	// connection, because its first attempt got no byte of a response on a
	// kept-alive connection (one a crash or the server had closed);
	// FirstErr is that attempt's error. The rest is the second attempt's.
	FreshRetry bool   `json:"fresh_retry,omitempty"`
	FirstErr   string `json:"first_error,omitempty"`
	// Summarized marks an exchange kept without its response body and
	// headers; SummaryReason says why when it is not that it broke no rule
	// of the check that kept it.
	Summarized    bool   `json:"summarized,omitempty"`
	SummaryReason string `json:"summary_reason,omitempty"`
}

// PastEvidenceCap is the SummaryReason of a failing exchange past the
// ones a check keeps whole.
const PastEvidenceCap = "headers and body not kept: past the failing exchanges a check keeps whole; its violations are all listed"

// HeadersOnly is the exchange as a check that reads only some response
// headers keeps it: a summary with those headers, each cut to 1 KiB.
func (e Exchange) HeadersOnly(headers ...string) Exchange {
	kept := e.SummaryOf("body and other headers not kept: this check reads only " + strings.Join(headers, " and "))
	for _, h := range headers {
		for _, v := range e.Header.Values(h) {
			if len(v) > evidenceHeaderLimit {
				v = v[:evidenceHeaderLimit] + fmt.Sprintf("… [%d bytes]", len(v))
			}
			if kept.Header == nil {
				kept.Header = http.Header{}
			}
			kept.Header.Add(h, strings.Clone(v))
		}
	}
	return kept
}

// Summary is the exchange without its response body and headers: what a
// report keeps of an exchange that broke no rule.
func (e Exchange) Summary() Exchange {
	e.Body, e.BodyText, e.Header = nil, "", nil
	e.Summarized, e.SummaryReason = true, ""
	return e
}

// SummaryOf is the summary of an exchange kept so for another reason
// than that it broke no rule.
func (e Exchange) SummaryOf(reason string) Exchange {
	e = e.Summary()
	e.SummaryReason = reason
	return e
}

// evidenceHeaderLimit caps each response header value kept as evidence.
const evidenceHeaderLimit = 1 << 10

// ForEvidence is the exchange as a report keeps it once judged: the body
// cut to what reports show (EvidenceBodyLimit; BodyBytes still says how
// much was read) and each response header value to 1 KiB, so a target
// that sends large bodies or headers on every response costs a report
// kilobytes per failure, not megabytes.
func (e Exchange) ForEvidence() Exchange {
	if len(e.Body) > EvidenceBodyLimit {
		e.Body = e.Body[:EvidenceBodyLimit]
	}
	if len(e.BodyText) > EvidenceBodyLimit {
		e.BodyText, e.Truncated = e.BodyText[:EvidenceBodyLimit], true
	}
	e.Header = capHeaders(e.Header, evidenceHeaderLimit)
	return e
}

// Detached is the exchange once judged, as reports keep it: its body as
// text only (the bytes are for judging), in a copy of its own, so a part
// cut from a larger body (ForEvidence) no longer keeps the whole in memory.
func (e Exchange) Detached() Exchange {
	e.Body = nil
	e.BodyText = strings.Clone(e.BodyText)
	return e
}

// capHeaders copies h with each value cut to limit bytes, saying so.
func capHeaders(h http.Header, limit int) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if len(v) > limit {
				v = v[:limit] + fmt.Sprintf("… [%d bytes]", len(v))
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// Line is the request in one line for headings:
// "GET http://host/api/v1/credits (Authorization: Bearer $CONFORM_TOKEN_READ)".
func (e Exchange) Line() string {
	return fmt.Sprintf("%s %s (%s)", e.Method, e.URL, e.Auth)
}

// Outcome is the response in a few words: "401 Unauthorized" or the transport error.
func (e Exchange) Outcome() string {
	if e.Status == 0 {
		return "no response: " + e.Err
	}
	return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
}

// EvidenceHeaders are the response headers that matter to the contract.
var EvidenceHeaders = []string{"Content-Type", "Content-Encoding", "WWW-Authenticate", "Retry-After", "Allow", "Location"}

// EvidenceBodyLimit is how much of a response body reports show.
const EvidenceBodyLimit = 2048

// Evidence renders the exchange for a person fixing a failure: the curl line,
// the status, the headers that matter and the body cut at 2 KiB.
func (e Exchange) Evidence(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%srequest:  %s\n", indent, e.Curl)
	fmt.Fprintf(&b, "%sresponse: %s", indent, e.Outcome())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (%s", e.Duration.Round(time.Millisecond))
		if e.Slow {
			fmt.Fprintf(&b, "; slow: the first byte came after %s", e.FirstByte.Round(time.Millisecond))
		}
		b.WriteString(")")
	}
	b.WriteString("\n")
	if e.Summarized {
		// A summary may keep the few headers a check reads (HeadersOnly).
		for _, h := range EvidenceHeaders {
			if v := e.Header.Values(h); len(v) > 0 {
				fmt.Fprintf(&b, "%s          %s: %s\n", indent, h, strings.Join(v, ", "))
			}
		}
		why := "headers and body not kept: no rule of the check was broken here"
		if e.SummaryReason != "" {
			why = e.SummaryReason
		}
		fmt.Fprintf(&b, "%s          (%s)\n", indent, why)
		return b.String()
	}
	for _, h := range EvidenceHeaders {
		if v := e.Header.Values(h); len(v) > 0 {
			fmt.Fprintf(&b, "%s          %s: %s\n", indent, h, strings.Join(v, ", "))
		}
	}
	if e.Status != 0 {
		body := e.BodyText
		cut := e.Truncated
		if len(body) > EvidenceBodyLimit {
			body, cut = body[:EvidenceBodyLimit], true
		}
		if body == "" {
			body = "(empty body)"
		}
		for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
			fmt.Fprintf(&b, "%s          %s\n", indent, l)
		}
		if cut {
			fmt.Fprintf(&b, "%s          … [body cut: %d bytes read, shown up to %d]\n", indent, e.BodyBytes, EvidenceBodyLimit)
		}
		if e.Err != "" {
			fmt.Fprintf(&b, "%s          … [%s]\n", indent, e.Err)
		}
	}
	if e.FreshRetry {
		fmt.Fprintf(&b, "%s          (sent again on a fresh connection: the first attempt got no byte of a response: %s)\n", indent, e.FirstErr)
	}
	return b.String()
}
