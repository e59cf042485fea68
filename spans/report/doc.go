// Package report reads a run file back into the one-page usage trace of the
// seed workflow: the run's context, the usage-trace record (run_id,
// checked_at, source_urls, request_family, credential_redacted,
// result_class, failure_class, notes), one row per model call, totals per
// request family and model, what needs follow-up and where to escalate it,
// and the fixed list of what the trace does not assert.
//
// Load builds a Run from a run file, read as a stream: memory stays bounded
// whatever the file's size, the calls table keeps at most Options.MaxCalls
// rows (the calls that did not pass first), and every total, follow-up and
// the record count all calls. List summarizes the runs of a runs
// directory for `agentwrap runs`, and Resolve finds a run by id or
// "latest". Markdown, YAML, JSON and HTML render a Run; the HTML page is
// self-contained (inline CSS and an inline SVG call timeline, no scripts or
// external assets).
//
// A report shows only what the run file holds, and only the attributes of
// the agentwrap span schema it knows: an unknown attribute, event or
// resource attribute never reaches a report, and every string shown is
// scrubbed of secret patterns and control characters once more, so that a
// run file edited by hand cannot smuggle a credential or a terminal escape
// into a report. Corrupt or truncated lines are reported with their line
// numbers and skipped.
package report
