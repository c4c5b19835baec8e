package probe

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Credential is a token the suite may present, known by the name of the
// environment variable it came from. Its value must never reach an output.
type Credential struct {
	Var   string // e.g. CONFORM_TOKEN_READ
	Role  Role   // the role it was read for; empty for a credential made from a variable name alone
	value string
}

// NewCredential wraps a token value read from the environment.
func NewCredential(envVar, value string) Credential {
	return Credential{Var: envVar, value: value}
}

// Present reports whether the credential has a value.
func (c Credential) Present() bool { return c.value != "" }

// String shows the credential as its shell variable, never its value.
func (c Credential) String() string { return "$" + c.Var }

// GoString keeps %#v from printing the value too.
func (c Credential) GoString() string { return "probe.Credential{" + c.String() + "}" }

// Format shows String (GoString for %#v) whatever the verb: without it, verbs
// that ignore String, such as %d, print the struct's fields, value included.
func (c Credential) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' || verb == 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// GomegaString keeps Gomega's failure messages, which print struct fields
// unexported ones included, from showing the value.
func (c Credential) GomegaString() string { return c.String() }

// Redactor replaces known secret values with their variable names.
type Redactor struct {
	longest int // bytes of the longest form
	repl    *strings.Replacer
	shapes  bool // also mask anything shaped like a token
}

// tokenShape is what a CAPI token looks like.
var tokenShape = regexp.MustCompile(`cornect_[A-Za-z0-9_-]+`)

// NewShapeRedactor masks anything shaped like a token (cornect_…), for the
// outputs written before the run's tokens are known, such as usage errors
// that quote a mistyped argument.
func NewShapeRedactor() *Redactor {
	return &Redactor{shapes: true}
}

// NewRedactor builds a redactor for the given credentials; empty values are
// ignored. Each value is replaced in every form SecretForms lists, since a
// server may echo a token encoded or escaped rather than as sent.
func NewRedactor(creds ...Credential) *Redactor {
	type pair struct{ form, name string }
	var all []pair
	for _, c := range creds {
		for _, f := range SecretForms(c.value) {
			all = append(all, pair{f, c.String()})
		}
	}
	// Longer forms first: the replacer tries its pairs in order, so a form
	// that contains another (a token and its bare secret, or another
	// token) is replaced whole.
	sort.SliceStable(all, func(i, j int) bool { return len(all[i].form) > len(all[j].form) })
	var pairs []string
	longest := 0
	for _, p := range all {
		pairs = append(pairs, p.form, p.name)
		longest = max(longest, len(p.form))
	}
	return &Redactor{repl: strings.NewReplacer(pairs...), longest: longest}
}

// Longest is the length of the longest form it redacts: text cut at a
// limit must be read that much past it, redacted, then cut, or a secret
// straddling the limit would keep its first part.
func (r *Redactor) Longest() int {
	if r == nil {
		return 0
	}
	return r.longest
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	if r.repl != nil {
		s = r.repl.Replace(s)
	}
	if r.shapes {
		s = tokenShape.ReplaceAllString(s, "cornect_…")
	}
	return s
}

// Bytes redacts b, returning a new slice.
func (r *Redactor) Bytes(b []byte) []byte {
	return []byte(r.String(string(b)))
}
