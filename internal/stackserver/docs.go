package stackserver

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// openAPIDocument is the app's document as FastAPI generates it (see the
// package doc): every route of the app under its full path, no servers,
// HTTPBearer without scopes, FastAPI's operation ids and its default 422
// schema beside the CAPI's error responses the app declares.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns a copy of the document WithFastAPIDocs serves.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

// openAPIJSON is GET /openapi.json.
func (s *Server) openAPIJSON(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/json", openAPIDocument)
}

// openAPIYAML is GET /openapi.yaml: the same document, as YAML, as apps add
// it beside FastAPI's JSON.
func (s *Server) openAPIYAML(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/yaml", s.yaml)
}

// swaggerUI is GET /docs, FastAPI's get_swagger_ui_html.
func (s *Server) swaggerUI(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "text/html; charset=utf-8", []byte(swaggerUIPage))
}

// redoc is GET /redoc, FastAPI's get_redoc_html.
func (s *Server) redoc(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "text/html; charset=utf-8", []byte(redocPage))
}

// healthz is GET /healthz, what load balancers and orchestrators poll: no
// token, no rate limit.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/json", []byte(`{"status":"ok"}`))
}

// index is GET /api/v1/, the API's root: what it is, where its documents are.
func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/json", []byte(`{"name":"Cornect API","version":"v1","openapi":"/openapi.json"}`))
}

func writeBody(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client went away
}

// mustYAML renders a JSON document as block-style YAML, keeping the order
// of its members: YAML reads JSON as flow style, which is undone node by
// node.
func mustYAML(doc []byte) []byte {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		panic(fmt.Sprintf("stackserver: reading the OpenAPI document: %v", err))
	}
	blockStyle(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		panic(fmt.Sprintf("stackserver: encoding the OpenAPI document as YAML: %v", err))
	}
	return b.Bytes()
}

func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

const swaggerUIPage = `
    <!DOCTYPE html>
    <html>
    <head>
    <link type="text/css" rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
    <link rel="shortcut icon" href="https://fastapi.tiangolo.com/img/favicon.png">
    <title>Cornect API - Swagger UI</title>
    </head>
    <body>
    <div id="swagger-ui">
    </div>
    <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
    <!-- ` + "`SwaggerUIBundle`" + ` is now available on the page -->
    <script>
    const ui = SwaggerUIBundle({
        url: '/openapi.json',
    "dom_id": "#swagger-ui",
"layout": "BaseLayout",
"deepLinking": true,
"showExtensions": true,
"showCommonExtensions": true,
    presets: [
        SwaggerUIBundle.presets.apis,
        SwaggerUIBundle.SwaggerUIStandalonePreset
        ],
    })
    </script>
    </body>
    </html>
    `

const redocPage = `
    <!DOCTYPE html>
    <html>
    <head>
    <title>Cornect API - ReDoc</title>
    <!-- needed for adaptive design -->
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link href="https://fonts.googleapis.com/css?family=Montserrat:300,400,700|Roboto:300,400,700" rel="stylesheet">
    <link rel="shortcut icon" href="https://fastapi.tiangolo.com/img/favicon.png">
    <!--
    ReDoc doesn't change outer page styles
    -->
    <style>
      body {
        margin: 0;
        padding: 0;
      }
    </style>
    </head>
    <body>
    <noscript>
        ReDoc requires Javascript to function. Please enable it to browse the documentation.
    </noscript>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"> </script>
    </body>
    </html>
    `
