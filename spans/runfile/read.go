package runfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// MaxLineSize is the longest line Read accepts; a longer line is skipped
// and reported as a LineError. One line holds the spans of one batch of
// observed calls: at most 256 spans of a few kilobytes, about 1 MB at
// worst. Decoding a line takes about 2.5 times its size, so this bound
// keeps a tampered file's longest line, like every other, well under the
// 100 MB a report may use (a 60 MiB line took 160 MB).
const MaxLineSize = 16 << 20

// errLineTooLong is the LineError cause of a line over the size limit.
var errLineTooLong = errors.New("line too long")

// LineError describes a line of a run file that could not be decoded: a
// line torn by a crash, or one edited by hand. Line counts from 1.
type LineError struct {
	Line int
	Err  error
}

// Error returns "line N: cause".
func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the decoding error.
func (e LineError) Unwrap() error { return e.Err }

// ReadFile reads the run file at path; see Read.
func ReadFile(path string) (ptrace.Traces, []LineError, error) {
	f, err := os.Open(path)
	if err != nil {
		return ptrace.NewTraces(), nil, fmt.Errorf("cannot open run file: %w", err)
	}
	defer f.Close()
	return Read(f)
}

// Read decodes a run file and merges the spans of all its lines into one
// Traces: the resource spans of each line are appended in file order
// (equal resources of different lines are not combined). Lines that cannot
// be decoded are skipped and returned as LineErrors; blank lines are
// ignored. The error is non-nil only when reading r fails, and the spans
// read before the failure are still returned.
func Read(r io.Reader) (ptrace.Traces, []LineError, error) {
	merged := ptrace.NewTraces()
	bad, err := eachRequest(r, MaxLineSize, func(td ptrace.Traces) error {
		td.ResourceSpans().MoveAndAppendTo(merged.ResourceSpans())
		return nil
	})
	return merged, bad, err
}

// ReadRequests decodes a run file into one Traces per valid line, each an
// export request as the run wrote it, for replaying the run to a
// collector. Bad lines are handled as by Read.
func ReadRequests(r io.Reader) ([]ptrace.Traces, []LineError, error) {
	var reqs []ptrace.Traces
	bad, err := eachRequest(r, MaxLineSize, func(td ptrace.Traces) error {
		reqs = append(reqs, td)
		return nil
	})
	return reqs, bad, err
}

// Scan reads a run file as a stream, one line at a time: fn gets the spans
// of each line that decodes as OTLP JSON, in file order, and bad (when not
// nil) each line that does not, as Read reports it; blank lines are
// ignored. Only the line being decoded is held in memory, so a reader of
// any size is scanned in memory bounded by MaxLineSize. Scan stops at the
// first error fn returns and returns it; otherwise the error is non-nil
// only when reading r fails.
func Scan(r io.Reader, fn func(ptrace.Traces) error, bad func(LineError)) error {
	return scan(r, MaxLineSize, fn, bad)
}

// eachRequest is Scan collecting the line errors.
func eachRequest(r io.Reader, limit int, fn func(ptrace.Traces) error) ([]LineError, error) {
	var bad []LineError
	err := scan(r, limit, fn, func(e LineError) { bad = append(bad, e) })
	return bad, err
}

// scan is Scan with lines over limit bytes reported, not decoded.
func scan(r io.Reader, limit int, fn func(ptrace.Traces) error, bad func(LineError)) error {
	var u ptrace.JSONUnmarshaler
	if bad == nil {
		bad = func(LineError) {}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(br, limit)
		if err != nil && !errors.Is(err, errLineTooLong) {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("cannot read run file: line %d: %w", n, err)
		}
		if err != nil {
			bad(LineError{Line: n, Err: fmt.Errorf("%w (limit %d bytes)", err, limit)})
			continue
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		td, err := u.UnmarshalTraces(line)
		if err != nil {
			bad(LineError{Line: n, Err: decodeError(err)})
			continue
		}
		if err := fn(td); err != nil {
			return err
		}
	}
}

// quoted matches a quoted value in a decoding error message.
var quoted = regexp.MustCompile(`"[^"]*"`)

// decodeError describes why a line failed to decode without quoting the
// line, which may hold anything: the JSON decoder's message ends with the
// bytes around the error, cut here, and may quote the value it rejected,
// replaced with "...".
func decodeError(err error) error {
	msg, _, _ := strings.Cut(err.Error(), " of ...|")
	return fmt.Errorf("not an OTLP JSON trace request: %s", quoted.ReplaceAllString(msg, `"..."`))
}

// readLine returns the next line of br without its newline; a last line
// without a newline is returned too. It returns io.EOF only when no bytes
// are left, and errLineTooLong, after skipping to the end of the line, for
// a line over limit bytes.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong && len(line)+len(bytes.TrimSuffix(chunk, []byte{'\n'})) > limit {
			tooLong, line = true, nil
		}
		if !tooLong {
			line = append(line, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil || (errors.Is(err, io.EOF) && (len(line) > 0 || tooLong)):
			if tooLong {
				return nil, errLineTooLong
			}
			return bytes.TrimSuffix(line, []byte{'\n'}), nil
		default:
			return nil, err
		}
	}
}
