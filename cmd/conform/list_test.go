package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cornect/conform/internal/version"
	"github.com/cornect/conform/suite"
)

func TestListPrintsEveryCheckWithItsSource(t *testing.T) {
	var out, errOut strings.Builder
	if code := realMain(context.Background(), []string{"list"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, c := range suite.Catalogue() {
		if !strings.Contains(out.String(), c.ID) || !strings.Contains(out.String(), c.Source) {
			t.Errorf("conform list lacks %s or its source", c.ID)
		}
	}
}

func TestListJSONIsTheCatalogue(t *testing.T) {
	var out, errOut strings.Builder
	if code := realMain(context.Background(), []string{"list", "--json"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got []listedCheck
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatal(err)
	}
	cat := suite.Catalogue()
	if len(got) != len(cat) {
		t.Fatalf("%d entries, catalogue has %d", len(got), len(cat))
	}
	for i, c := range cat {
		if got[i].ID != c.ID || got[i].Level != string(c.Level) || got[i].Since == "" || len(got[i].Labels) == 0 {
			t.Errorf("entry %d = %+v, want %s", i, got[i], c.ID)
		}
	}
}

func TestVersionNamesSuiteAndContract(t *testing.T) {
	var out, errOut strings.Builder
	if code := realMain(context.Background(), []string{"version"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), version.Suite) || !strings.Contains(out.String(), "CAPI v1") {
		t.Errorf("version output %q", out.String())
	}
	if code := realMain(context.Background(), []string{"version", "extra"}, &out, &errOut); code != exitUsage {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}

func TestDryRunSendsNothingAndExplainsSkips(t *testing.T) {
	// A base URL nobody listens on: a dry run must not even try it.
	env := map[string]string{
		"CONFORM_BASE_URL":   "http://127.0.0.1:1/api/v1",
		"CONFORM_TOKEN_READ": "cornect_" + strings.Repeat("r", 32),
	}
	res := runConform(t, env, "run", "--dry-run", "--label-filter", "!rate-limit")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	plain := strings.Join(strings.Fields(res.stdout), " ")
	for _, want := range []string{
		"would run MUST AUTH-MISSING",
		"would skip MUST AUTH-EXPIRED CONFORM_TOKEN_EXPIRED not set",
		"would skip MUST CREDITS-INSUFFICIENT CONFORM_TOKEN_NO_CREDITS not set",
		"not selected MUST RATE-LIMIT-429",
		"would run SHOULD AUTH-CHALLENGE",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("dry run lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, strings.Repeat("r", 32)) {
		t.Error("dry run printed a token value")
	}
	bad := runConform(t, nil, "run", "--dry-run", "--label-filter", "auth &&")
	if bad.code != exitUsage {
		t.Errorf("a malformed label filter: exit %d, want 2", bad.code)
	}
}
