package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cornect/conform/schemas"
)

// TestJSONReportsMatchTheirPublishedSchema validates the golden run's JSON
// report and a report of every status against schemas/report.schema.json,
// the schema published for the tools that read it. A second pass holds
// them to the schema with every object closed (no member it does not
// declare), so a member added to the report without the schema fails
// here, while the published schema leaves readers free to meet new members.
func TestJSONReportsMatchTheirPublishedSchema(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "run.report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var every bytes.Buffer
	if err := JSON(&every, everyStatusResult()); err != nil {
		t.Fatal(err)
	}
	closed := closedReportSchema(t)
	for name, body := range map[string][]byte{"golden run": golden, "every status": every.Bytes()} {
		t.Run(name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["schema_version"] != JSONSchemaVersion {
				t.Errorf("schema_version = %v, want %q", doc["schema_version"], JSONSchemaVersion)
			}
			if !bytes.HasPrefix(body, []byte("{\n  \"schema_version\": ")) {
				t.Errorf("schema_version is not the first member: %.60q", body)
			}
			if vs := schemas.Validate(schemas.ReportID, body); vs != nil {
				t.Errorf("the report does not match its schema:\n%v", vs)
			}
			if err := closed.Validate(decodeNumbers(t, body)); err != nil {
				t.Errorf("the report has members its schema does not declare:\n%v", err)
			}
		})
	}
	t.Run("a report the schema must refuse", func(t *testing.T) {
		for name, body := range map[string]string{
			"no schema_version":   `{"summary": {}}`,
			"another version":     string(bytes.Replace(golden, []byte(`"schema_version": "1"`), []byte(`"schema_version": "2"`), 1)),
			"an unknown status":   string(bytes.Replace(golden, []byte(`"status": "passed"`), []byte(`"status": "green"`), 1)),
			"a skip without kind": string(bytes.Replace(every.Bytes(), []byte(`"skip": "missing-token",`), nil, 1)),
		} {
			if schemas.Validate(schemas.ReportID, []byte(body)) == nil {
				t.Errorf("%s: the schema accepts it", name)
			}
		}
	})
}

// closedReportSchema is the report schema with additionalProperties false
// on every object schema that lists properties and says nothing of others
// (conditions left as they are).
func closedReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, ok := schemas.Raw(schemas.ReportID)
	if !ok {
		t.Fatal("the report schema is not embedded")
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var closeObjects func(v any)
	closeObjects = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, has := v["properties"]; has {
				if _, said := v["additionalProperties"]; !said {
					v["additionalProperties"] = false
				}
			}
			for k, x := range v {
				if k != "examples" && k != "if" && k != "not" { // conditions, not shapes
					closeObjects(x)
				}
			}
		case []any:
			for _, x := range v {
				closeObjects(x)
			}
		}
	}
	closeObjects(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemas.ReportID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemas.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
