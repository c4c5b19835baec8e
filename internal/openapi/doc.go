// Package openapi discovers the operations of an API from its OpenAPI
// document (3.0, 3.1 or 3.2, in JSON or YAML), so that checks every endpoint
// must pass, such as refusing requests without a valid token, run against
// every operation the document lists and not only those a profile names.
//
// For each operation it reports the method, the path template, the path
// parameters, the scope it needs, whether the document declares it public,
// a request body to send and the documented rate limit. See Operation for
// how each is read.
//
// Documents are untrusted input: only references inside the document
// ("#/components/...") are resolved. A $ref to another file or to a URL is
// refused, never read or fetched, so a hostile document cannot make conform
// read local files or send requests anywhere. Load bounds the size of what it
// reads and does not follow redirects unless the caller's client does.
//
// # Library
//
// Parsed with github.com/getkin/kin-openapi (openapi3), not pb33f/libopenapi:
// both read 3.0 and 3.1 and are actively maintained, but kin-openapi refuses
// external references by default with a typed error and logs nothing, where
// libopenapi logs through slog and returns a partial model beside its error.
// Dependencies grow alike (go mod graph: 83 to 109 lines, 110 with libopenapi)
// and a minimal program weighs 12 MB against 18 MB.
package openapi
