package openapi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cornect/conform/internal/openapi"
)

// minimalDoc is a JSON (or YAML) document of n operations, n/2 paths with
// a GET and a POST each (and one more GET for an odd n).
func minimalDoc(n int, yaml bool) string {
	var b strings.Builder
	if yaml {
		b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity: [{b: [read]}]\npaths:\n")
		for i := 0; i < n; i += 2 {
			if i+1 < n {
				fmt.Fprintf(&b, "  /x%d: {get: {}, post: {}}\n", i)
			} else {
				fmt.Fprintf(&b, "  /x%d: {get: {}}\n", i)
			}
		}
		return b.String()
	}
	b.WriteString(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "security": [{"b": ["read"]}], "paths": {`)
	for i := 0; i < n; i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		if i+1 < n {
			fmt.Fprintf(&b, `"/x%d": {"summary": "s", "get": {}, "post": {"parameters": [{"name": "get", "in": "query"}]}}`, i)
		} else {
			fmt.Fprintf(&b, `"/x%d": {"get": {}}`, i)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// TestADocumentPastTheOperationLimitIsRefused: a document of more than
// MaxOperations operations is refused with one line, before the library
// builds its model (ErrTooManyOperations comes from the count that runs
// before it); one of MaxOperations is read.
func TestADocumentPastTheOperationLimitIsRefused(t *testing.T) {
	for _, yaml := range []bool{false, true} {
		t.Run(fmt.Sprintf("yaml %v", yaml), func(t *testing.T) {
			ops, err := openapi.Parse([]byte(minimalDoc(openapi.MaxOperations, yaml)), "at.json")
			if err != nil || len(ops) != openapi.MaxOperations {
				t.Fatalf("a document at the limit: %d operations, %v", len(ops), err)
			}
			_, err = openapi.Parse([]byte(minimalDoc(openapi.MaxOperations+1, yaml)), "past.json")
			if !errors.Is(err, openapi.ErrTooManyOperations) || strings.Contains(err.Error(), "\n") ||
				!strings.Contains(err.Error(), fmt.Sprintf("more than %d operations", openapi.MaxOperations)) {
				t.Errorf("past the limit: %v", err)
			}
		})
	}
}

// TestADocumentPastItsSizeIsRefused: JSON is measured without its white
// space (a pretty-printed document is not penalised), YAML as it is.
func TestADocumentPastItsSizeIsRefused(t *testing.T) {
	pretty := minimalDoc(100, false)
	pretty = strings.ReplaceAll(pretty, ", ", ","+strings.Repeat(" ", openapi.MaxJSONBytes/100)+"\n")
	if len(pretty) <= openapi.MaxJSONBytes {
		t.Fatalf("the padded document is only %d bytes", len(pretty))
	}
	if _, err := openapi.Parse([]byte(pretty), "pretty.json"); err != nil {
		t.Errorf("a pretty-printed document small without its white space: %v", err)
	}
	big := strings.Replace(minimalDoc(10, false), `"paths"`, `"x-pad": "`+strings.Repeat("x", openapi.MaxJSONBytes)+`", "paths"`, 1)
	if _, err := openapi.Parse([]byte(big), "big.json"); !errors.Is(err, openapi.ErrTooLarge) || !strings.Contains(err.Error(), "without its white space") {
		t.Errorf("JSON past the limit: %v", err)
	}
	yaml := minimalDoc(10, true) + "x-pad: " + strings.Repeat("x", openapi.MaxYAMLBytes) + "\n"
	if _, err := openapi.Parse([]byte(yaml), "big.yaml"); !errors.Is(err, openapi.ErrTooLarge) || !strings.Contains(err.Error(), "convert it to JSON") {
		t.Errorf("YAML past the limit: %v", err)
	}
}

// TestLoadReturnsWhenItsContextEnds: Ctrl-C while a large document is
// parsed returns at once, not when the parse is done.
func TestLoadReturnsWhenItsContextEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(minimalDoc(openapi.MaxOperations, false)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err := openapi.Load(ctx, path, nil, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the context's error", err)
	}
	// Parsing this document takes about half a second here; a loaded
	// machine may take longer to return, but not that long.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("returned after %s", took)
	}
}
