package probe

import (
	"regexp"
	"strings"
)

// OperationKey names an operation: its method and path template,
// "POST /exports/{export_id}/download". Pacing, coverage and reports all
// key operations this way.
func OperationKey(method, template string) string { return strings.ToUpper(method) + " " + template }

// pathParam is one {name} of a path template. OpenAPI allows any
// characters but braces and slashes in a name: {pet-id} is one parameter.
var pathParam = regexp.MustCompile(`\{([^{}/]+)\}`)

// PathParams lists the parameters of a path template, in path order.
func PathParams(template string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(template, -1) {
		out = append(out, m[1])
	}
	return out
}

// FillPath replaces every parameter of a path template with value(name).
// The caller escapes the values.
func FillPath(template string, value func(name string) string) string {
	return pathParam.ReplaceAllStringFunc(template, func(m string) string {
		return value(m[1 : len(m)-1])
	})
}
