package probe

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf16"
)

// tokenPrefix starts every CAPI token; what follows is its secret.
const tokenPrefix = "cornect_"

// SecretForms lists, each once, the forms in which a server could echo a
// token value, the value first:
//   - its secret without the cornect_ prefix;
//   - base64 (standard, URL, and both unpadded) of the value and of the
//     Authorization header value "Bearer <value>";
//   - URL query and path escaping, JSON string escaping as encoders write
//     it (Go's, with \u003c for <, > and &; without those; with non-ASCII
//     as \uXXXX, like Python; and with \/ too, like PHP) and HTML escaping,
//     of the value and of its secret.
//
// Base64 is found only when the token, or "Bearer <token>", was encoded on
// its own: encoded inside a longer text ("user:token" in a Basic header, a
// JSON document) its base64 is not a substring of the longer base64, since
// the text's 3-byte groups shift with what comes before it. Searching
// every shift would mean guessing at the text around it; these two are the
// forms an echo of what was sent takes.
func SecretForms(value string) []string {
	if value == "" {
		return nil
	}
	var forms []string
	seen := map[string]bool{}
	add := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	plain := []string{value}
	if secret, ok := strings.CutPrefix(value, tokenPrefix); ok && secret != "" {
		plain = append(plain, secret)
	}
	for _, p := range plain {
		add(p)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(value)))
		add(enc.EncodeToString([]byte("Bearer " + value)))
	}
	for _, p := range plain {
		add(url.QueryEscape(p))
		add(url.PathEscape(p))
		for _, f := range jsonForms(p) {
			add(f)
		}
		add(html.EscapeString(p))
	}
	return forms
}

// jsonForms is s inside a JSON string, without the quotes, as common
// encoders write it.
func jsonForms(s string) []string {
	goDefault, _ := json.Marshal(s) // escapes <, > and & as \u003c…
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	noHTML := strings.TrimSuffix(b.String(), "\n")
	ascii := asciiJSON(unquote(noHTML))
	return []string{unquote(string(goDefault)), unquote(noHTML), ascii, strings.ReplaceAll(ascii, "/", `\/`)}
}

func unquote(q string) string { return q[1 : len(q)-1] }

// asciiJSON writes every non-ASCII rune of an escaped JSON string as
// \uXXXX (a surrogate pair past U+FFFF), as Python's json.dumps does.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
