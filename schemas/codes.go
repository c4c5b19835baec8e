package schemas

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

// Code is one row of the Errors page's table of error codes.
type Code struct {
	Code   string `json:"code"`
	Status int    `json:"status"`
	When   string `json:"when"`
}

//go:embed codes.json
var codesJSON []byte

type codeTable struct {
	Source string `json:"source"`
	Codes  []Code `json:"codes"`
}

// codeTableOnce decodes the embedded table on first use. It is data we ship,
// so a failure is a build defect and panics.
var codeTableOnce = sync.OnceValue(func() codeTable {
	var t codeTable
	if err := json.Unmarshal(codesJSON, &t); err != nil {
		panic(fmt.Sprintf("schemas: embedded codes.json is invalid: %v", err))
	}
	return t
})

// Codes returns the documented error codes in the order the Errors page lists them.
func Codes() []Code {
	return append([]Code(nil), codeTableOnce().Codes...)
}

// CodesSource is the doc page the code table comes from.
func CodesSource() string { return codeTableOnce().Source }

// LookupCode finds a documented code by its exact spelling (codes are case-sensitive).
func LookupCode(code string) (Code, bool) {
	for _, c := range codeTableOnce().Codes {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// StatusOf returns the documented HTTP status of a documented code, or 0.
func StatusOf(code string) int {
	c, _ := LookupCode(code)
	return c.Status
}
