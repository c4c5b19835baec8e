package openapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cornect/conform/internal/userfile"
)

// DefaultMaxBytes bounds a document when Load is given no bound: generous
// for a generated document of a few hundred operations.
const DefaultMaxBytes = 16 << 20

// ErrTooLarge is wrapped by the error of a document larger than its bound.
var ErrTooLarge = errors.New("document too large")

// fetchTimeout bounds a fetch with the client Load makes when given none.
const fetchTimeout = 30 * time.Second

// Load reads the document at location, an http(s) URL or a file path, and
// parses it (see Parse). A URL is fetched with client, as is: the caller's
// client decides about redirects, timeouts and credentials; a nil client is
// one that follows no redirect and gives up after 30 seconds. A redirect that
// the client does not follow, or any status but 200, is an error. At most
// maxBytes are read (DefaultMaxBytes when maxBytes <= 0); a larger document is
// refused with ErrTooLarge, one of more than MaxOperations operations with
// ErrTooManyOperations. When ctx ends, Load returns at once with its error.
func Load(ctx context.Context, location string, client *http.Client, maxBytes int64) ([]Operation, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	u, err := url.Parse(location)
	isURL := IsURL(location)
	if !isURL && err == nil && u.Scheme != "" && strings.Contains(location, "://") {
		return nil, fmt.Errorf("openapi document %q: unsupported scheme %q; give an http(s) URL or a file path", location, u.Scheme)
	}
	if !isURL {
		doc, err := readFile(location, maxBytes)
		if err != nil {
			return nil, err
		}
		return parse(ctx, doc, location)
	}
	source := u.Redacted()
	doc, err := fetch(ctx, u, source, client, maxBytes)
	if err != nil {
		return nil, err
	}
	return parse(ctx, doc, source)
}

// parse is Parse, given up when ctx ends: parsing a large document takes
// seconds, and Ctrl-C must not wait for them. The abandoned parse ends on
// its own, its result unread.
func parse(ctx context.Context, doc []byte, source string) ([]Operation, error) {
	type parsed struct {
		ops []Operation
		err error
	}
	done := make(chan parsed, 1)
	go func() {
		ops, err := Parse(doc, source)
		done <- parsed{ops, err}
	}()
	select {
	case p := <-done:
		return p.ops, p.err
	case <-ctx.Done():
		return nil, fmt.Errorf("openapi document %q: not read to its end: %w", source, ctx.Err())
	}
}

// IsURL reports whether Load fetches location, an http(s) URL, rather than
// reading it as a file.
func IsURL(location string) bool {
	u, err := url.Parse(location)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// readFile reads a document file, refusing a FIFO, a device or a directory
// (see userfile.Read).
func readFile(path string, maxBytes int64) ([]byte, error) {
	b, err := userfile.Read(path, maxBytes)
	switch {
	case errors.Is(err, userfile.ErrTooLarge):
		return nil, tooLarge(path, maxBytes)
	case err != nil:
		return nil, fmt.Errorf("reading openapi document: %w", err)
	}
	return b, nil
}

func fetch(ctx context.Context, u *url.URL, source string, client *http.Client, maxBytes int64) ([]byte, error) {
	if client == nil {
		client = &http.Client{
			Timeout:       fetchTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching openapi document %q: %w", source, err)
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching openapi document %q: %w", source, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
		return nil, fmt.Errorf("fetching openapi document %q: answered %s, a redirect to %q, which is not followed; give that URL instead",
			source, resp.Status, resp.Header.Get("Location"))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetching openapi document %q: answered %s, want 200 OK", source, resp.Status)
	case resp.ContentLength > maxBytes:
		return nil, tooLarge(source, maxBytes)
	}
	return readAtMost(resp.Body, source, maxBytes)
}

// readAtMost reads r to its end, refusing more than maxBytes.
func readAtMost(r io.Reader, source string, maxBytes int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading openapi document %q: %w", source, err)
	}
	if int64(len(b)) > maxBytes {
		return nil, tooLarge(source, maxBytes)
	}
	return b, nil
}

func tooLarge(source string, maxBytes int64) error {
	return fmt.Errorf("openapi document %q: larger than %s: %w", source, userfile.Size(maxBytes), ErrTooLarge)
}
