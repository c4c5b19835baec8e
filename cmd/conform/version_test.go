package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

// One version string everywhere: what `conform version` prints is what
// every probe's User-Agent, the console's first line and the JSON report
// carry.
func TestProbesReportsAndVersionCarryOneVersion(t *testing.T) {
	v := runConform(t, nil, "version")
	first, _, _ := strings.Cut(v.stdout, "\n")
	build, ok := strings.CutPrefix(first, "conform ")
	if v.code != exitOK || !ok || build == "" {
		t.Fatalf("conform version: exit %d, %q", v.code, v.stdout)
	}

	ref := reference.New()
	var mu sync.Mutex
	agents := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()]++
		mu.Unlock()
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	jsonReport := filepath.Join(t.TempDir(), "report.json")
	res := runConform(t, tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), "run", "--focus", "AUTH-MISSING", "--json-report", jsonReport)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.HasPrefix(res.stdout, "conform "+build+" — ") {
		t.Errorf("console starts %q, want the version %q", firstLine([]byte(res.stdout)), build)
	}
	raw, err := os.ReadFile(jsonReport)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &report); err != nil || report.Version != build {
		t.Errorf("JSON report's version %q (%v), want %q", report.Version, err, build)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "conform/" + build
	if len(agents) != 1 || agents[want] == 0 {
		t.Errorf("User-Agents seen %v, want only %q", agents, want)
	}
}
