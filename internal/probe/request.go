package probe

import (
	"strings"
)

// TokenPlaceholder in Request.Authorization stands for Request.Token's value.
const TokenPlaceholder = "{token}"

// DefaultAccept is what a probe accepts unless it says otherwise: what
// curl, the docs' fetch() example and Python requests send. A server that
// answers JSON only to Accept: application/json fails its real clients.
const DefaultAccept = "*/*"

// Request is what a check asks the probe to send.
type Request struct {
	Method string
	// Path is relative to the base URL with parameters filled in, e.g. /exports/4f…;
	// Template is the profile's form of it (/exports/{export_id}), used for pacing and reports.
	Path     string
	Template string
	Body     []byte
	// ContentType defaults to application/json when Body is set.
	ContentType string
	// Accept is the Accept header; empty sends DefaultAccept, as curl,
	// fetch and Python requests do. OmitAccept sends none at all.
	Accept     string
	OmitAccept bool
	// Authorization is the header value to send; nil sends no header at all.
	// TokenPlaceholder in it is replaced by Token's value.
	Authorization *string
	Token         Credential
	// Provoke marks a request meant to hit the rate limit: it is not paced and
	// a 429 is returned as is instead of being waited out.
	Provoke bool
	// Unauthenticated marks a request that is meant to fail authentication
	// even though it carries a credential (an expired or revoked token):
	// the target limits it per client address, not per token.
	Unauthenticated bool
	// FreshConnection sends the request on a connection of its own, never
	// a kept-alive one, so it cannot queue behind another request or behind
	// work the server still does on a connection after its answer (a
	// download right after POST /exports on a Starlette app with
	// BackgroundTasks). For probes whose timing or order matters.
	FreshConnection bool
}

// Bearer is the usual Authorization value for a credential.
func Bearer(c Credential) (*string, Credential) {
	v := "Bearer " + TokenPlaceholder
	return &v, c
}

// Header returns a pointer to a literal Authorization value.
func Header(v string) *string { return &v }

func (r Request) authValue() (actual, shown string, ok bool) {
	if r.Authorization == nil {
		return "", "", false
	}
	v := *r.Authorization
	return strings.ReplaceAll(v, TokenPlaceholder, r.Token.value),
		strings.ReplaceAll(v, TokenPlaceholder, r.Token.String()), true
}

// role is the token role the request presents, when it presents one.
func (r Request) role() Role {
	if v, _, ok := r.authValue(); ok && r.Token.Present() && strings.Contains(v, r.Token.value) {
		return r.Token.Role
	}
	return ""
}

// NoAuthorization is Exchange.Auth of a request sent without the header.
const NoAuthorization = "no Authorization header"

// describeAuth says in words how the request authenticates.
func (r Request) describeAuth() string {
	_, shown, ok := r.authValue()
	switch {
	case !ok:
		return NoAuthorization
	case shown == "":
		return "empty Authorization header"
	default:
		return "Authorization: " + shown
	}
}

// accept is the Accept value to send; ok is false when none is.
func (r Request) accept() (string, bool) {
	switch {
	case r.OmitAccept:
		return "", false
	case r.Accept != "":
		return r.Accept, true
	}
	return DefaultAccept, true
}

// curl renders a copy-pasteable command that sends every header conform
// sent, so pasting it gets what conform got: Accept (or `-H 'Accept:'`,
// which stops curl sending its own), User-Agent, Accept-Encoding (as
// --compressed), Authorization and Content-Type. Literal parts are
// single-quoted; the Authorization header is double-quoted so
// $CONFORM_TOKEN_… expands. Each part is redacted before it is quoted,
// since quoting can split a secret's bytes.
func curl(method, url, userAgent string, r Request, red *Redactor) string {
	parts := []string{"curl", "-sS", "-i", "--compressed", "-X", method, shellQuote(red.String(url))}
	if v, ok := r.accept(); ok {
		parts = append(parts, "-H", shellQuote("Accept: "+v))
	} else {
		parts = append(parts, "-H", shellQuote("Accept:"))
	}
	parts = append(parts, "-A", shellQuote(userAgent))
	if _, shown, ok := r.authValue(); ok {
		if shown == "" {
			// curl sends an empty header only in its "Name;" form.
			parts = append(parts, "-H", shellQuote("Authorization;"))
		} else {
			parts = append(parts, "-H", doubleQuote("Authorization: "+red.String(shown)))
		}
	}
	if r.Body != nil {
		parts = append(parts, "-H", shellQuote("Content-Type: "+r.contentType()), "--data-raw", shellQuote(red.String(string(r.Body))))
	}
	return strings.Join(parts, " ")
}

func (r Request) contentType() string {
	if r.ContentType != "" {
		return r.ContentType
	}
	return "application/json"
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// doubleQuote quotes s for a POSIX shell keeping $VAR references live; other
// characters special inside double quotes are escaped.
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\', '`':
			b.WriteByte('\\')
		case '$':
			if !strings.HasPrefix(s[i:], "$CONFORM_") {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}
