package reference

import (
	"bytes"
	_ "embed"
	"net/http"
)

// openAPIDocument describes the six endpoints under /api/v1 as this server
// implements them (OpenAPI 3.1): scopes as security requirements and as
// x-cornect-scope, documented limits as x-cornect-rate-limit-per-minute, and
// every error response as the one ErrorEnvelope schema. A test holds it to
// the routes, one operation per authenticated route.
//
//go:embed openapi.json
var openAPIDocument []byte

// endpointOpenAPI is the id of the routes serving the document: GET
// /openapi.json, and GET /api/v1/openapi.json beside the API, as FastAPI-style
// services do. They are public, like the presigned download: no token and no
// rate limit.
const endpointOpenAPI = "openapi_document"

// OpenAPIDocument returns a copy of the OpenAPI document a server serves
// without WithExtraOperations.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

// openAPI is GET /openapi.json and GET /api/v1/openapi.json: the embedded
// document, plus the operations of WithExtraOperations in its paths.
func (s *Server) openAPI(*call) (reply, *apiError) {
	return reply{status: http.StatusOK, raw: s.openapi, contentType: s.jsonContentType()}, nil
}
