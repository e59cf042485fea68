package runfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/ptrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Ext is the file name extension of run files.
const Ext = ".jsonl"

// Permissions of what Create creates: the run file and its directory are
// private to the user, since span attributes describe the user's work.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

var (
	// ErrExists reports that a run file for the run id already exists:
	// run ids are unique, and a run file is never appended to by a second
	// run.
	ErrExists = errors.New("run file already exists")
	// ErrInvalidRunID reports a run id that cannot name a file in the runs
	// directory.
	ErrInvalidRunID = errors.New("invalid run id")
	// ErrShutdown reports an export to an Exporter that was shut down.
	ErrShutdown = errors.New("run file exporter is shut down")
)

// Exporter appends spans to a run file, one OTLP JSON
// ExportTraceServiceRequest per ExportSpans call. It implements
// sdktrace.SpanExporter and is safe for concurrent use.
type Exporter struct {
	path string

	// env caches the encoded resource and scope of the last fast batch.
	env atomic.Pointer[envelope]

	// encMu guards buf, the line buffer reused by each export.
	encMu sync.Mutex
	buf   []byte

	mu sync.Mutex
	f  *os.File
	// torn is set after a write that failed part-way, so the next line
	// starts on a fresh line instead of extending the torn one.
	torn bool
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// Create creates the run file dir/<runID>.jsonl and returns an Exporter
// writing to it. dir is created with DirMode when missing; an existing
// directory keeps its permissions (Create never changes the mode of a
// directory it did not create). The file is created with FileMode and must
// not exist yet: a second run with the same id gets an error wrapping
// ErrExists.
func Create(dir, runID string) (*Exporter, error) {
	if err := ValidateRunID(runID); err != nil {
		return nil, fmt.Errorf("cannot create run file: %w", err)
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("cannot create run file: %w", err)
	}
	path := filepath.Join(dir, runID+Ext)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("cannot create run file: %w: %s", ErrExists, path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create run file: %w", err)
	}
	return &Exporter{path: path, f: f}, nil
}

// ValidateRunID reports whether runID can name a run file: it must be
// non-empty, not "." or "..", and hold no path separator or NUL byte.
func ValidateRunID(runID string) error {
	if runID == "" || runID == "." || runID == ".." || strings.ContainsAny(runID, "/\\\x00") {
		return fmt.Errorf("%w: %q", ErrInvalidRunID, runID)
	}
	return nil
}

// Path returns the path of the run file.
func (e *Exporter) Path() string { return e.path }

// ExportSpans appends spans to the run file as one line. An empty batch
// writes nothing. It returns ErrShutdown after Shutdown and ctx's error
// when ctx is done before the line is written.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	// The exporter's own buffer, not a pool: a batch's line is hundreds of
	// KB, and a sync.Pool is emptied by every other garbage collection.
	e.encMu.Lock()
	defer e.encMu.Unlock()
	if need := len(spans) * spanLineHint; cap(e.buf) < need && need <= maxKept {
		// Sized for the batch at once rather than grown by doubling: each
		// doubling copies the line so far and touches fresh memory.
		e.buf = make([]byte, 0, need)
	}
	line, ok := e.appendLine(e.buf[:0], spans)
	if cap(line) <= maxKept {
		e.buf = line[:0]
	}
	if !ok {
		var err error
		if line, err = encodeLine(ToTraces(spans)); err != nil {
			return fmt.Errorf("cannot write run file: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cannot write run file: %w", err)
	}
	return e.writeLine(line)
}

// appendLine appends the line of a batch of one resource and scope to dst
// without building pdata; ok is false for any other batch.
func (e *Exporter) appendLine(dst []byte, spans []sdktrace.ReadOnlySpan) (line []byte, ok bool) {
	res, scope, ok := batchGroup(spans)
	if !ok {
		return dst, false
	}
	env := e.env.Load()
	if !env.matches(res, scope) {
		env = newEnvelope(res, scope)
		e.env.Store(env)
	}
	dst = append(dst, env.prefix...)
	n := 0
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendSpan(dst, sd)
		n++
	}
	return append(dst, env.suffix...), true
}

// encodeLine encodes td as one OTLP JSON line, newline included.
func encodeLine(td ptrace.Traces) ([]byte, error) {
	var m ptrace.JSONMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeLine writes line with a single write under the lock.
func (e *Exporter) writeLine(line []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return ErrShutdown
	}
	if e.torn {
		line = append([]byte{'\n'}, line...)
	}
	n, err := e.f.Write(line)
	if err != nil {
		// A failed write that wrote nothing leaves the file as it was.
		e.torn = e.torn || n > 0
		return fmt.Errorf("cannot write run file: %w", err)
	}
	e.torn = false
	return nil
}

// Shutdown syncs the run file to stable storage and closes it. Later
// exports return ErrShutdown; a second Shutdown does nothing. ctx is not
// consulted: syncing one local file is not worth abandoning.
func (e *Exporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return nil
	}
	f := e.f
	e.f = nil
	syncErr := f.Sync()
	closeErr := f.Close()
	if err := errors.Join(syncErr, closeErr); err != nil {
		return fmt.Errorf("cannot close run file: %w", err)
	}
	return nil
}
