package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/selftest"
)

var update = flag.Bool("update", false, "rewrite the generated parts of README.md and docs/")

const (
	readmePath     = "../../README.md"
	deviationsPath = "../../docs/deviations.md"
	checksBegin    = "<!-- checks:begin -->\n"
	checksEnd      = "<!-- checks:end -->"
)

// TestREADMEChecksTableMatchesTheCatalogue keeps the README's table of
// checks what `conform list --markdown` prints.
func TestREADMEChecksTableMatchesTheCatalogue(t *testing.T) {
	var table bytes.Buffer
	if err := listMarkdown(&table); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(readme), checksBegin)
	_, after, ok2 := strings.Cut(rest, checksEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the %q … %q markers", checksBegin, checksEnd)
	}
	want := before + checksBegin + table.String() + checksEnd + after
	if want == string(readme) {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("README.md's table of checks differs from `conform list --markdown`; run go test ./cmd/conform -run README -update")
}

// TestDeviationsDocMatchesTheMatrix keeps docs/deviations.md what the
// table of conform selftest says.
func TestDeviationsDocMatchesTheMatrix(t *testing.T) {
	want := selftest.DeviationsDoc()
	got, err := os.ReadFile(deviationsPath)
	if err == nil && string(got) == want {
		return
	}
	if *update {
		if err := os.WriteFile(deviationsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("docs/deviations.md is out of date; run go test ./cmd/conform -run Deviations -update")
}

// TestREADMEStatesTheMatrixCounts keeps "detects N of N" honest: the
// numbers are those of the table conform selftest runs.
func TestREADMEStatesTheMatrixCounts(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range selftest.READMEClaims() {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
