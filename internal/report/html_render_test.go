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

// layoutProbe runs in a host page around the report, which it loads in an
// iframe of the width under test (headless Chromium's window is never
// narrower than 500 px; an iframe is as narrow as asked). It unfolds
// every check, then lists each element that keeps its content behind a
// scrollbar of its own or clips it (but the coverage matrix's box, which
// scrolls sideways by design), each box whose text spills out of it, any
// element that reaches past the screen, and a page wider than the screen.
const layoutProbe = `<!doctype html><html><body style="margin:0">
<iframe id="report" style="border:0;height:900px;width:WIDTHpx"></iframe>
<script>
var frame = document.getElementById("report");
frame.onload = function () {
  var d = frame.contentDocument, w = frame.contentWindow, found = [];
  d.querySelectorAll("details").forEach(function (x) { x.open = true; });
  function name(el) { return el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + (el.id ? "#" + el.id : ""); }
  d.querySelectorAll("body *").forEach(function (el) {
    var cs = w.getComputedStyle(el);
    var wide = el.scrollWidth > el.clientWidth + 1, tall = el.scrollHeight > el.clientHeight + 1;
    var scrolls = function (o) { return o === "auto" || o === "scroll"; };
    var clips = function (o) { return o === "hidden" || o === "clip"; };
    var matrix = el.classList.contains("coverage-wrap");
    if ((scrolls(cs.overflowX) && wide && !matrix) || (scrolls(cs.overflowY) && tall)) { found.push("scrolls inside: " + name(el)); }
    if ((clips(cs.overflowX) && wide) || (clips(cs.overflowY) && tall)) { found.push("clips: " + name(el)); }
    if (!el.closest(".coverage-wrap") && el.getBoundingClientRect().right > w.innerWidth + 1) { found.push("reaches past the screen: " + name(el)); }
  });
  d.querySelectorAll("details > summary, .facts dd, .meta dd, .finding h3, .violations li").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) { found.push("spills out of its box: " + name(el)); }
  });
  if (!d.querySelector(".coverage-wrap table.coverage")) { found.push("no coverage table in its box"); }
  if (d.documentElement.scrollWidth > w.innerWidth) { found.push("the page is " + d.documentElement.scrollWidth + " px wide on a " + w.innerWidth + " px screen"); }
  var out = document.createElement("output");
  out.id = "layout-probe";
  out.textContent = found.length ? found.slice(0, 20).join("\n") : "ok";
  document.body.appendChild(out);
};
frame.src = "report.html";
</script></body></html>`

// TestHTMLReportFitsAPhoneAndNeverScrollsInsideThePage renders a failing
// report with a long body and the coverage of a whole run, every check
// unfolded, in headless Chromium at a desktop and a phone width: the page
// is never wider than the screen, no element keeps its content behind a
// scrollbar of its own or clips it, and only the coverage matrix, in a
// box of its own, may scroll sideways.
func TestHTMLReportFitsAPhoneAndNeverScrollsInsideThePage(t *testing.T) {
	browser := findChromium(t)
	r := everyOutcome()
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
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.html"), page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	probe := regexp.MustCompile(`(?s)<output id="layout-probe">(.*?)</output>`)
	for _, width := range []int{1280, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			host := filepath.Join(dir, fmt.Sprintf("host-%d.html", width))
			if err := os.WriteFile(host, []byte(strings.Replace(layoutProbe, "WIDTH", fmt.Sprint(width), 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--allow-file-access-from-files", "--virtual-time-budget=5000",
				"--user-data-dir="+filepath.Join(dir, fmt.Sprint("profile-", width)), fmt.Sprintf("--window-size=%d,900", max(width+40, 600)),
				"--dump-dom", "file://"+host)
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
// checker, on a report that holds every outcome (passed, failed, a known
// failure, warning, skipped, inconclusive, not run, an error of conform),
// every check unfolded, in headless Chromium. It needs axe-core from npm, so it runs only where
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
	var rendered bytes.Buffer
	if err := HTML(&rendered, everyOutcome()); err != nil {
		t.Fatal(err)
	}
	page := rendered.Bytes()
	for _, class := range []string{"passed", "failed", "known", "warning", "skipped", "inconclusive", "not-run", "error"} {
		if !strings.Contains(string(page), `<details class="check `+class+`"`) {
			t.Fatalf("the report axe checks has no %s check", class)
		}
	}
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
