// Package schemas holds the error contract of the Cornect API (CAPI) as JSON
// Schema draft 2020-12, and validates response bodies against it.
//
// What it holds, all embedded in the binary:
//
//   - codes.json: the Errors page's table of documented codes, with their
//     HTTP status and when they occur (Codes, LookupCode, StatusOf).
//   - error-envelope.schema.json (EnvelopeID): the body of every error
//     response, {"detail": {"code", "message", "details"?}}, with a non-empty
//     string code and message and an optional details object. Statuses
//     without a documented code (400, 404, 422, 429) are checked against this
//     schema alone.
//   - codes/<code>.schema.json, one per documented code (CodeSchemaID): the
//     envelope by $ref, with detail.code pinned by const. INSUFFICIENT_SCOPE
//     also constrains details when present: token_scope and required, both
//     required, each "read" or "read_write". It does not pin the pair the
//     docs show (read, read_write); the suite checks the values for the
//     exchange it provoked.
//   - report.schema.json (ReportID): conform's own JSON report, the one
//     --json-report writes, at schema_version 1, published for the tools
//     that read it. It is no part of the CAPI contract.
//
// Every $id is https://conform.cornect.dev/schemas/ followed by the file's
// path here; loading checks this, that each file declares draft 2020-12, and
// that each code schema pins the code its file is named after. The tests
// check that the code table and the code schemas list the same codes.
//
// Decisions:
//
//   - Unknown members are allowed at every level: CAPI v1 may add fields at
//     any time, so a new field is never a violation.
//   - Codes are case-sensitive and spelled exactly as documented, including
//     the one lower-case code, insufficient_balance: INSUFFICIENT_BALANCE is a
//     violation of its schema, and CodeSchemaID does not fold case.
//   - The status is not part of any schema (a schema sees only the body); the
//     suite compares it with StatusOf.
//   - Remote references are refused. Every embedded schema is added to the
//     compiler under its $id, and the compiler's loader fails for anything
//     else (https, file or any other scheme), so compiling never touches the
//     network or the disk. The draft 2020-12 meta-schema is built into the
//     validator library.
//   - The schemas are compiled once, on first use, with format and content
//     assertions on: a keyword written in a schema is a keyword enforced.
//
// Validate reports every violation in a body, not the first, as leaf
// findings with messages that say what was expected and what came; see
// Violation for the locations it reports and the order.
package schemas
