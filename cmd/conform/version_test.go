package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cornect/conform/internal/reference"
)

func TestProbesCarryTheBuildVersionInTheUserAgent(t *testing.T) {
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
	res := runConform(t, tokenEnv(ref.Tokens(), srv.URL+"/api/v1"), "run", "--focus", "AUTH-MISSING")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "conform/" + build
	if len(agents) != 1 || agents[want] == 0 {
		t.Errorf("User-Agents seen %v, want only %q", agents, want)
	}
}
