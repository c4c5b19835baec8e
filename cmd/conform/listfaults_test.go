package main

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cornect/conform/internal/reference"
)

// TestListFaultsWrapsToTheWidth lists the faults at a terminal's usual
// widths, one too narrow for the names' column, and unwrapped: every line
// fits, every name starts its entry, and no word of a description is lost
// or reordered by the wrapping (a word longer than the room is cut in
// pieces).
func TestListFaultsWrapsToTheWidth(t *testing.T) {
	var want []string // every word, in order
	for _, f := range reference.Faults() {
		want = append(want, f.Name)
		want = append(want, strings.Fields(f.Description+" (breaks: "+f.Breaks+")")...)
	}
	for _, v := range reference.Variations() {
		want = append(want, v.Name)
		want = append(want, strings.Fields(v.Description)...)
	}
	for _, width := range []int{0, 200, 120, 80, 50} {
		var b strings.Builder
		listFaults(&b, width)
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		var words []string
		for _, l := range lines {
			if strings.HasPrefix(l, "faults (") || strings.HasPrefix(l, "(--break") || strings.HasPrefix(l, "variations (") || strings.HasPrefix(l, "(--vary") || !strings.HasPrefix(l, " ") {
				continue // the headings
			}
			words = append(words, strings.Fields(l)...)
			if n := utf8.RuneCountInString(l); width > 0 && n > width {
				t.Errorf("width %d: a line of %d characters: %q", width, n, l)
			}
		}
		if width == 0 && strings.Join(words, " ") != strings.Join(want, " ") || strings.Join(words, "") != strings.Join(want, "") {
			t.Errorf("width %d: the words of the list differ from the faults and variations:\n%s", width, b.String())
		}
		entries := 0
		for _, l := range lines {
			if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
				entries++
			}
		}
		if entries != len(reference.Faults())+len(reference.Variations()) {
			t.Errorf("width %d: %d lines start an entry, want one per fault and variation", width, entries)
		}
		if width == 0 && len(lines) != entries+3 {
			t.Errorf("unwrapped: %d lines, want one per entry and the headings", len(lines))
		}
		if width > 0 && width < 120 && len(lines) <= entries+3 {
			t.Errorf("width %d: nothing was wrapped", width)
		}
	}
}

func TestOutputWidthIsTheTerminalsOrCOLUMNS(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "COLUMNS" {
				return v
			}
			return ""
		}
	}
	var b strings.Builder
	for v, want := range map[string]int{"": 0, "100": 100, " 72 ": 72, "wide": 0, "-3": 0} {
		if got := outputWidth(&b, env(v)); got != want {
			t.Errorf("COLUMNS=%q, not a terminal: width %d, want %d", v, got, want)
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := outputWidth(f, env("")); got != 0 {
		t.Errorf("a regular file: width %d, want 0", got)
	}
}
