package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The extra operations of WithExtraOperations: GET
// /api/v1/extra/{op}/{item_id}, one route per op name. They stand in for the
// many operations of a large API, so a sweep over a large OpenAPI document
// has a target that implements every operation it lists.
const (
	extraLimit      = 120       // per token per window, as GET /companies/{id}
	extraPathPrefix = "/extra/" // under /api/v1, before the op name
	extraItemParam  = "item_id" // the one path parameter
)

// extraOperationName is the path segment of extra operation i: op0000, op0001, ….
func extraOperationName(i int) string { return fmt.Sprintf("op%04d", i) }

// extraOperationID is the route id, bucket name and operationId of the extra
// operation named op.
func extraOperationID(op string) string { return "extra_" + op }

// extraRoutes returns the routes of n extra operations, by op name; nil for
// none.
func extraRoutes(n int) map[string]*route {
	if n == 0 {
		return nil
	}
	out := make(map[string]*route, n)
	for i := range n {
		op := extraOperationName(i)
		out[op] = &route{
			id:      extraOperationID(op),
			method:  http.MethodGet,
			pattern: strings.Split("/api/v1"+extraPathPrefix+op+"/{"+extraItemParam+"}", "/"),
			scope:   scopeRead,
			limit:   extraLimit,
			handle:  (*Server).getExtraItem,
		}
	}
	return out
}

// extraRoute is the extra route whose path has the shape of segments,
// without regard to the method, or nil: one map lookup, however many extra
// operations there are.
func (s *Server) extraRoute(segments []string) *route {
	if len(segments) != 6 || segments[0] != "" || segments[1] != "api" || segments[2] != "v1" || segments[3] != "extra" {
		return nil
	}
	return s.extras[segments[4]]
}

// getExtraItem is GET /api/v1/extra/{op}/{item_id}. The extra operations
// hold no items, so every id is unknown.
func (s *Server) getExtraItem(*call) (reply, *apiError) {
	return reply{}, notFound("No item with that id.")
}

// extraPathItem is the OpenAPI path item of the extra operation named %[1]s,
// laid out like the path items of openapi.json and shaped like its
// GET /companies/{id}: the same security requirement, scope extension and
// error responses. Tests hold it to the routes.
const extraPathItem = `"/extra/%[1]s/{item_id}": {
      "get": {
        "operationId": "extra_%[1]s",
        "summary": "Get an item of extra operation %[1]s",
        "description": "An extra operation of the reference server, standing in for one of the many operations of a large API. It holds no items: every id is 404.",
        "security": [{"cornectToken": ["read"]}],
        "x-cornect-scope": "read",
        "x-cornect-rate-limit-per-minute": 120,
        "parameters": [
          {"name": "item_id", "in": "path", "required": true, "description": "The item's id.", "schema": {"type": "string", "format": "uuid"}}
        ],
        "responses": {
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "429": {"$ref": "#/components/responses/RateLimited"}
        }
      }
    }`

// withExtraOperations returns doc, an OpenAPI document in JSON, with the
// path items of n extra operations after its last one. The rest of doc is
// kept byte for byte.
func withExtraOperations(doc []byte, n int) ([]byte, error) {
	end, err := pathsEnd(doc)
	if err != nil {
		return nil, err
	}
	at := len(bytes.TrimRight(doc[:end], " \t\r\n")) // just after the last path item
	var b bytes.Buffer
	b.Grow(len(doc) + n*(len(extraPathItem)+16))
	b.Write(doc[:at])
	for i := range n {
		if i > 0 || doc[at-1] != '{' {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		fmt.Fprintf(&b, extraPathItem, extraOperationName(i))
	}
	b.Write(doc[at:])
	return b.Bytes(), nil
}

// pathsEnd parses doc and returns the offset of the brace that closes its
// paths object.
func pathsEnd(doc []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, fmt.Errorf("not a JSON object")
	}
	end := -1
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return 0, err
		}
		if key == "paths" {
			if !bytes.HasPrefix(v, []byte("{")) {
				return 0, fmt.Errorf("paths is not an object")
			}
			end = int(dec.InputOffset()) - 1
		}
	}
	if _, err := dec.Token(); err != nil {
		return 0, err
	}
	if end < 0 {
		return 0, fmt.Errorf("no paths")
	}
	return end, nil
}
