package report

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEveryStatusColourReadsOnItsBackgrounds holds the colour of every
// status (its badge, its count, its border) to WCAG's 4.5:1 for normal
// text, on the status's own background and on a card, in the light and
// the dark scheme, as the stylesheet of the HTML report sets them. axe
// finds a badge of too little contrast only where the sample report puts
// one; this finds it wherever the stylesheet could.
func TestEveryStatusColourReadsOnItsBackgrounds(t *testing.T) {
	css := htmlCSS
	dark := strings.Index(css, "@media (prefers-color-scheme: dark)")
	if dark < 0 {
		t.Fatal("no dark scheme in the stylesheet")
	}
	variable := regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`)
	vars := func(block string) map[string]string {
		out := map[string]string{}
		for _, m := range variable.FindAllStringSubmatch(block, -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	light := vars(css[:dark])
	darkVars := vars(css[dark:])
	rule := regexp.MustCompile(`(?m)^([.a-z, -]+) \{ --accent: var\(--([a-z-]+)\); --accent-bg: var\(--([a-z-]+)\); \}`)
	rules := rule.FindAllStringSubmatch(css, -1)
	if len(rules) < 6 {
		t.Fatalf("found %d status rules in the stylesheet, want one per status", len(rules))
	}
	for _, scheme := range []struct {
		name string
		vars map[string]string
	}{{"light", light}, {"dark", darkVars}} {
		colour := func(name string) string {
			if c, ok := scheme.vars[name]; ok {
				return c
			}
			return light[name] // a dark scheme inherits what it does not set
		}
		for _, r := range rules {
			fg := colour(r[2])
			for _, bg := range []string{r[3], "card"} {
				if ratio := contrast(fg, colour(bg)); ratio < 4.5 {
					t.Errorf("%s, %s scheme: --%s %s on --%s %s has contrast %.2f:1, want at least 4.5:1", r[1], scheme.name, r[2], fg, bg, colour(bg), ratio)
				}
			}
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(0) + 0.7152*channel(1) + 0.0722*channel(2)
}
