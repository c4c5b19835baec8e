package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHTMLRendersInARealBrowser renders the HTML report in headless Chromium
// and checks the picture: the page is laid out at full width, and the red of
// a failed check and the green of a passed one are on screen, so the inline
// styles applied without any external asset. It runs where Chromium is
// installed (Debian package chromium) and skips elsewhere.
func TestHTMLRendersInARealBrowser(t *testing.T) {
	browser := findChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteFile(page, func(w io.Writer) error { return HTML(w, sampleResult()) }); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1200,1600",
		"--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 1600 {
		t.Errorf("screenshot is %dx%d, want 1200x1600", b.Dx(), b.Dy())
	}
	if n := countNear(img, 0xcf, 0x22, 0x2e); n < 200 {
		t.Errorf("only %d pixels of the failed red: the styles did not apply, or no failure is shown", n)
	}
	if n := countNear(img, 0x1a, 0x7f, 0x37); n < 200 {
		t.Errorf("only %d pixels of the passed green", n)
	}
	if os.Getenv("CONFORM_KEEP_SCREENSHOT") != "" {
		_ = os.WriteFile(os.Getenv("CONFORM_KEEP_SCREENSHOT"), mustRead(t, shot), 0o644)
	}
}

// findChromium is the path of a Chromium, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on this machine (apt-get install chromium)")
	return ""
}

// layoutProbe is added to a copy of the report (which has no script of
// its own): it unfolds every check, then lists each element that shows its
// content in a scroller of its own or clips it, each box whose text spills
// out of it, and whether the coverage matrix reaches past what the page
// can scroll to.
const layoutProbe = `<script>
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
var found = [];
function name(el) { return el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + (el.id ? "#" + el.id : ""); }
document.querySelectorAll("body *").forEach(function (el) {
  var cs = getComputedStyle(el);
  var wide = el.scrollWidth > el.clientWidth + 1, tall = el.scrollHeight > el.clientHeight + 1;
  var scrolls = function (o) { return o === "auto" || o === "scroll"; };
  var clips = function (o) { return o === "hidden" || o === "clip"; };
  if ((scrolls(cs.overflowX) && wide) || (scrolls(cs.overflowY) && tall)) { found.push("scrolls inside: " + name(el)); }
  if ((clips(cs.overflowX) && wide) || (clips(cs.overflowY) && tall)) { found.push("clips: " + name(el)); }
});
document.querySelectorAll(".cell, details > summary, .facts dd, .meta dd").forEach(function (el) {
  if (el.scrollWidth > el.clientWidth + 1) { found.push("spills out of its box: " + name(el)); }
});
var table = document.querySelector("table.coverage");
if (!table) { found.push("no coverage table"); }
else if (table.getBoundingClientRect().right > document.documentElement.scrollWidth + 1) { found.push("coverage reaches past the page"); }
var out = document.createElement("output");
out.id = "layout-probe";
out.textContent = found.length ? found.join("\n") : "ok";
document.body.appendChild(out);
</script>`

// TestHTMLReportNeverScrollsInsideThePage renders a failing report with a
// long body and the coverage of a whole run, every check unfolded, in
// headless Chromium at a desktop and a phone width: no element may keep
// its content behind a scrollbar of its own or clip it, and the coverage
// matrix is whole (it wraps, or widens the page).
func TestHTMLReportNeverScrollsInsideThePage(t *testing.T) {
	browser := findChromium(t)
	r := sampleResult()
	// The coverage of a sweep: as many check IDs as the catalogue has, long
	// codes in their titles, on operations with long paths.
	for i := range 26 {
		c := r.Checks[3]
		c.ID = fmt.Sprintf("CHECK-%02d-WITH-A-LONG-ID", i)
		c.Title = "TOKEN_NOT_WORKSPACE_BOUND_AND_SOME_MORE 401"
		c.Variant = ""
		c.Operations = nil
		for _, op := range []string{"/exports/{export_id}/download", "/workspaces/{workspace_id}/members/{member_id}/tokens/{token_id}", "/credits"} {
			c.Operations = append(c.Operations, OperationResult{Method: "POST", Path: op, Status: Failed})
		}
		r.Checks = append(r.Checks, c)
	}
	var page bytes.Buffer
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(page.String(), "</body>", layoutProbe+"</body>", 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	probe := regexp.MustCompile(`(?s)<output id="layout-probe">(.*?)</output>`)
	for _, width := range []int{1200, 400} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir="+filepath.Join(dir, fmt.Sprint("profile-", width)), fmt.Sprintf("--window-size=%d,900", width),
				"--dump-dom", "file://"+path)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, stderr.String())
			}
			m := probe.FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("the layout probe did not run; the DOM ends:\n%s", tail(stdout.String(), 400))
			}
			if got := html.UnescapeString(m[1]); got != "ok" {
				t.Errorf("at %dpx:\n%s", width, got)
			}
		})
	}
}

// TestHTMLReportHasNoAxeViolations runs axe-core, the accessibility
// checker, on the golden failing report with every check unfolded, in
// headless Chromium. It needs axe-core from npm, so it runs only where
// CONFORM_AXE_JS names its axe.min.js (npm install axe-core; then
// CONFORM_AXE_JS=$PWD/node_modules/axe-core/axe.min.js go test
// ./internal/report -run Axe -v). What axe cannot decide by itself
// ("incomplete", such as the contrast of a ✓ alone in a cell) is logged.
func TestHTMLReportHasNoAxeViolations(t *testing.T) {
	axe := os.Getenv("CONFORM_AXE_JS")
	if axe == "" {
		t.Skip("CONFORM_AXE_JS is not set (the path of axe-core's axe.min.js, from npm install axe-core)")
	}
	browser := findChromium(t)
	lib, err := os.ReadFile(axe)
	if err != nil {
		t.Fatal(err)
	}
	page := mustRead(t, filepath.Join("testdata", "run.report.html"))
	runner := `<script>` + string(lib) + `</script><script>
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
axe.run(document, {resultTypes: ["violations", "incomplete"]}).then(function (r) {
  var brief = function (v) { return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); })}; };
  var out = document.createElement("output");
  out.id = "axe-result";
  out.textContent = JSON.stringify({violations: r.violations.map(brief), incomplete: r.incomplete.map(brief)});
  document.body.appendChild(out);
});
</script>`
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte(strings.Replace(string(page), "</body>", runner+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1200,1600", "--virtual-time-budget=10000",
		"--dump-dom", "file://"+path).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`(?s)<output id="axe-result">(.*?)</output>`).FindSubmatch(out)
	if m == nil {
		t.Fatal("axe did not report")
	}
	type finding struct {
		ID, Impact, Help string
		Nodes            []string
	}
	var res struct{ Violations, Incomplete []finding }
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &res); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Violations {
		t.Errorf("axe: %s (%s): %s, on %d elements, e.g. %v", f.ID, f.Impact, f.Help, len(f.Nodes), f.Nodes[:min(3, len(f.Nodes))])
	}
	for _, f := range res.Incomplete {
		t.Logf("axe cannot decide %s on %d elements (check by eye), e.g. %v", f.ID, len(f.Nodes), f.Nodes[:min(3, len(f.Nodes))])
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// countNear counts pixels within a small distance of an RGB colour.
func countNear(img image.Image, r, g, b uint8) int {
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(uint8(pr>>8), r) && near(uint8(pg>>8), g) && near(uint8(pb>>8), b) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8) bool {
	d := int(a) - int(b)
	return d > -24 && d < 24
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
