package openapi_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cornect/conform/internal/openapi"
	"github.com/cornect/conform/internal/reference"
)

func TestLoadReadsFilesAndURLs(t *testing.T) {
	ref := httptest.NewServer(reference.New())
	defer ref.Close()
	yamlDoc := readTestdata(t, "pets-3.1.yaml")
	yamlSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(yamlDoc)
	}))
	defer yamlSrv.Close()

	tests := []struct {
		name, location string
		want           []openapi.Operation
	}{
		{"a file", filepath.Join("testdata", "pets-3.1.json"), petOperations},
		{"a YAML file", filepath.Join("testdata", "pets-3.1.yaml"), petOperations},
		{"a YAML document from a URL", yamlSrv.URL + "/openapi.yaml", petOperations},
		{"the reference server's /openapi.json", ref.URL + "/openapi.json", referenceOperations},
		{"the reference server's /api/v1/openapi.json", ref.URL + "/api/v1/openapi.json", referenceOperations},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := openapi.Load(t.Context(), tt.location, ref.Client(), 0)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, bodiesAsText); diff != "" {
				t.Errorf("operations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	doc := readTestdata(t, "pets-3.1.json")
	mux := http.NewServeMux()
	mux.HandleFunc("/moved.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/openapi.json", http.StatusFound)
	})
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(doc) })
	mux.HandleFunc("/streamed.json", func(w http.ResponseWriter, r *http.Request) {
		for range 4 { // flushed in parts: chunked, with no Content-Length to trust
			_, _ = w.Write(doc)
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	small := int64(len(doc) - 1)

	tests := []struct {
		name     string
		location string
		maxBytes int64
		is       error    // the error wraps it, when set
		want     []string // substrings of the error
		not      string   // must not appear in the error
	}{
		{name: "a redirect", location: srv.URL + "/moved.json", want: []string{"302 Found", `redirect to "/openapi.json"`, "not followed"}},
		{name: "a status other than 200", location: srv.URL + "/missing.json", want: []string{"404 Not Found"}},
		{name: "a URL's credentials, shown redacted", location: strings.Replace(srv.URL, "://", "://conform:hunter2@", 1) + "/missing.json",
			want: []string{"conform:xxxxx@"}, not: "hunter2"},
		{name: "a document larger than the bound, by Content-Length", location: srv.URL + "/openapi.json", maxBytes: small, is: openapi.ErrTooLarge},
		{name: "a document larger than the bound, streamed", location: srv.URL + "/streamed.json", maxBytes: int64(2 * len(doc)), is: openapi.ErrTooLarge},
		{name: "a file larger than the bound", location: filepath.Join("testdata", "pets-3.1.json"), maxBytes: small, is: openapi.ErrTooLarge},
		{name: "a missing file", location: filepath.Join("testdata", "missing.json"), is: fs.ErrNotExist},
		{name: "a directory", location: "testdata", want: []string{"is a directory"}},
		{name: "another scheme", location: "ftp://example.com/openapi.json", want: []string{`unsupported scheme "ftp"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := openapi.Load(t.Context(), tt.location, nil, tt.maxBytes)
			if err == nil {
				t.Fatalf("Load succeeded with %d operations, want an error", len(ops))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if tt.not != "" && strings.Contains(err.Error(), tt.not) {
				t.Errorf("error %q contains %q", err, tt.not)
			}
		})
	}

	t.Run("a cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := openapi.Load(ctx, srv.URL+"/openapi.json", nil, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}
