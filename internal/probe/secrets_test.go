package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/onsi/gomega/format"
)

func TestACredentialNeverFormatsItsValue(t *testing.T) {
	c := readCred()
	r := Request{Method: "GET", Path: "/credits", Token: c}
	values := map[string]any{"Credential": c, "*Credential": &c, "Request": r, "[]Credential": []Credential{c}}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%10.3s", "%-v"} {
			t.Run(name+" "+verb, func(t *testing.T) {
				got := fmt.Sprintf(verb, v)
				if strings.Contains(got, testToken) || strings.Contains(got, fmt.Sprintf("%x", testToken)) || strings.Contains(got, "0123456789") {
					t.Errorf("%s of a %s shows the value: %s", verb, name, got)
				}
			})
		}
	}
	if got := fmt.Sprint(c); got != "$CONFORM_TOKEN_READ" {
		t.Errorf("fmt.Sprint = %q, want $CONFORM_TOKEN_READ", got)
	}
	if got := fmt.Sprintf("%#v", c); got != "probe.Credential{$CONFORM_TOKEN_READ}" {
		t.Errorf("%%#v = %q", got)
	}
	if got := fmt.Sprintf("%q", c); got != `"$CONFORM_TOKEN_READ"` {
		t.Errorf("%%q = %s", got)
	}
	b, err := json.Marshal(r)
	if err != nil || bytes.Contains(b, []byte(testToken)) {
		t.Errorf("JSON of a request: %s (%v)", b, err)
	}
	// Gomega prints struct fields, unexported ones too, in failure messages.
	for name, v := range values {
		if got := format.Object(v, 1); strings.Contains(got, testToken) {
			t.Errorf("Gomega's rendering of a %s shows the value: %s", name, got)
		}
	}
}

func TestTheRedactorReplacesEveryKnownValue(t *testing.T) {
	read := NewCredential("CONFORM_TOKEN_READ", "cornect_abc")
	write := NewCredential("CONFORM_TOKEN_READ_WRITE", "cornect_abcdef") // holds the read value
	red := NewRedactor(read, write, NewCredential("CONFORM_TOKEN_EXPIRED", ""))
	tests := []struct{ in, want string }{
		{"Bearer cornect_abc", "Bearer $CONFORM_TOKEN_READ"},
		{"Bearer cornect_abcdef", "Bearer $CONFORM_TOKEN_READ_WRITE"},
		{"cornect_abccornect_abcdefcornect_abc", "$CONFORM_TOKEN_READ$CONFORM_TOKEN_READ_WRITE$CONFORM_TOKEN_READ"},
		{"nothing secret", "nothing secret"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := red.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(red.Bytes([]byte(tt.in))); got != tt.want {
			t.Errorf("Bytes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var none *Redactor
	if got := none.String("cornect_abc"); got != "cornect_abc" {
		t.Errorf("a nil redactor changed its input: %q", got)
	}
}

func TestTheRedactingWriterCatchesASecretSplitAcrossWrites(t *testing.T) {
	red := NewRedactor(readCred())
	tests := []struct {
		name   string
		writes []string
		flush  bool
		want   string
	}{
		{"split mid-token", []string{"sent Bearer " + testToken[:10], testToken[10:] + " to the target\n"}, false, "sent Bearer $CONFORM_TOKEN_READ to the target\n"},
		{"one byte at a time", strings.Split("a "+testToken+" b\n", ""), false, "a $CONFORM_TOKEN_READ b\n"},
		{"a trailing partial line waits for Flush", []string{"line one\n", "partial " + testToken[:5], testToken[5:]}, true, "line one\npartial $CONFORM_TOKEN_READ"},
		{"several lines in one write", []string{"x\n" + testToken + "\ny " + testToken[:3], testToken[3:] + "\n"}, false, "x\n$CONFORM_TOKEN_READ\ny $CONFORM_TOKEN_READ\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewRedactingWriter(&out, red)
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
				if strings.Contains(out.String(), testToken[:5]) {
					t.Fatalf("part of the token was passed on before its line ended: %q", out.String())
				}
			}
			if tt.flush {
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
}
