package probe

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// derivedForms builds, independently of SecretForms, the ways a server could
// echo a token: bare, base64 of it or of its Authorization header value,
// URL-escaped, JSON-escaped the way common encoders do it.
func derivedForms(v string) map[string]string {
	forms := map[string]string{"as is": v, "without its prefix": strings.TrimPrefix(v, "cornect_"), "HTML-escaped": html.EscapeString(v)}
	for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "URL": base64.URLEncoding, "raw std": base64.RawStdEncoding, "raw URL": base64.RawURLEncoding} {
		forms[name+" base64"] = enc.EncodeToString([]byte(v))
		forms[name+" base64 of the Authorization value"] = enc.EncodeToString([]byte("Bearer " + v))
	}
	forms["query-escaped"] = url.QueryEscape(v)
	forms["path-escaped"] = url.PathEscape(v)
	q, _ := json.Marshal(v)
	forms["JSON-escaped"] = string(q[1 : len(q)-1])
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	plain := strings.TrimSuffix(b.String(), "\n")
	forms["JSON-escaped without HTML escapes"] = plain[1 : len(plain)-1]
	var ascii strings.Builder
	for _, r := range plain[1 : len(plain)-1] {
		switch {
		case r < 0x80:
			ascii.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&ascii, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&ascii, `\u%04x`, r)
		}
	}
	forms["JSON-escaped to ASCII (Python)"] = ascii.String()
	forms["JSON-escaped to ASCII, slashes too (PHP)"] = strings.ReplaceAll(ascii.String(), "/", `\/`)
	return forms
}

// hostileToken holds every character class an escaping treats apart.
const hostileToken = `cornect_Zq9+x/Y<&>"\é=W7kLmN2p€😀`

func TestTheRedactorReplacesDerivedFormsOfAToken(t *testing.T) {
	for _, value := range []string{testToken, hostileToken} {
		red := NewRedactor(NewCredential("CONFORM_TOKEN_READ", value))
		for what, form := range derivedForms(value) {
			in := "echo [" + form + "] end"
			if got, want := red.String(in), "echo [$CONFORM_TOKEN_READ] end"; got != want {
				t.Errorf("%s of %q: String(%q) = %q, want %q", what, value, in, got, want)
			}
		}
	}
}

func TestSecretFormsListsEachFormOnce(t *testing.T) {
	forms := SecretForms(hostileToken)
	for what, form := range derivedForms(hostileToken) {
		if !slices.Contains(forms, form) {
			t.Errorf("SecretForms leaves out the %s form %q", what, form)
		}
	}
	seen := map[string]bool{}
	for _, f := range forms {
		if f == "" || seen[f] {
			t.Errorf("SecretForms holds %q twice or empty", f)
		}
		seen[f] = true
	}
	if got := SecretForms(""); len(got) != 0 {
		t.Errorf("SecretForms(\"\") = %q, want none", got)
	}
	if got := SecretForms("cornect_"); slices.Contains(got, "") {
		t.Errorf("SecretForms of a bare prefix holds an empty form: %q", got)
	}
}
