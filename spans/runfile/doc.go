// Package runfile writes and reads the local run file, the embedded default
// sink of agentwrap's spans: no collector is needed to keep a record of a
// run.
//
// The run file of a run is <state-dir>/runs/<run_id>.jsonl. It holds the
// same spans the OTLP/HTTP exporter sends, encoded as OTLP JSON: each line
// is one ExportTraceServiceRequest, the format the OpenTelemetry
// Collector's otlpjson tooling (ptrace.JSONUnmarshaler, the otlpjsonfile
// receiver) reads. A file can therefore be replayed to any collector or
// inspected with jq.
//
// An Exporter is an sdktrace.SpanExporter that appends one line per
// ExportSpans call. Each line is encoded in memory and written with a
// single write, so a crash leaves at most one partial line, and only when
// the operating system performed a partial write. The file is synced to
// stable storage at Shutdown, not after every export: an fsync per model
// call would cost more than the call's bookkeeping, and a line that was
// written survives a crash of agentwrap itself (only a crash of the
// machine can lose the unsynced tail).
//
// Read, ReadFile and ReadRequests read a run file back; Scan reads it as a
// stream, one line at a time, for readers that must not hold a whole file.
// A corrupt or truncated line never makes a whole run unreadable: it is
// skipped and reported as a LineError, and every other line is returned.
//
// List lists the run files of a runs directory, newest first, and Prune
// removes the old ones by age and count, never the current run's.
package runfile
