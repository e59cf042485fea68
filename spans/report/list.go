package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/agentwrap/agentwrap/spans/runfile"
)

// Latest is the run reference Resolve reads as the newest run.
const Latest = "latest"

var (
	// ErrNoRuns reports a runs directory without run files.
	ErrNoRuns = errors.New("no runs recorded")
	// ErrNotFound reports a run id without a run file.
	ErrNotFound = errors.New("run not found")
)

// Summary is one line of the run list.
type Summary struct {
	ID    string
	Start time.Time
	Agent string
	// Duration is the run span's duration (first to last call without one).
	Duration time.Duration
	Calls    int
	// Result is the rolled-up result class of Run.Record.
	Result string
	// ExitCode is the agent's exit status; nil when not recorded.
	ExitCode *int
	// Complete is false when the run file holds no run span.
	Complete bool
	// LineErrors counts the unreadable lines of the run file.
	LineErrors int
	// Err is set when the run file could not be read at all.
	Err error
}

// List summarizes the runs of runsDir, newest first (runfile.List's
// order); limit > 0 reads only the newest limit runs. A run file that
// cannot be read is listed with Err set.
func List(runsDir string, limit int) ([]Summary, error) {
	entries, err := runfile.List(runsDir)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	out := make([]Summary, 0, len(entries))
	for _, e := range entries {
		out = append(out, summarize(e))
	}
	return out, nil
}

// summarize reads a run file as a stream, keeping no calls table beyond a
// row: a summary needs only the aggregates.
func summarize(e runfile.Entry) Summary {
	run, err := LoadWith(e.Path, Options{MaxCalls: 1})
	if err != nil {
		return Summary{ID: clean(e.ID), Err: err}
	}
	return Summary{
		ID: run.ID, Start: run.Context.Start, Agent: run.Context.Agent,
		Duration: run.Context.End.Sub(run.Context.Start),
		Calls:    run.Total.Calls, Result: run.Record.ResultClass,
		ExitCode: run.Context.ExitCode, Complete: run.Complete,
		LineErrors: len(run.LineErrors) + run.LineErrorsOmitted,
	}
}

// Resolve returns the run file of ref in runsDir: ref is a run id, or
// Latest (or empty) for the newest run. It returns an error wrapping
// ErrNoRuns or ErrNotFound when there is no such run.
func Resolve(runsDir, ref string) (string, error) {
	if ref == "" || ref == Latest {
		entries, err := runfile.List(runsDir)
		if err != nil {
			return "", err
		}
		if len(entries) == 0 {
			return "", fmt.Errorf("%w in %s", ErrNoRuns, runsDir)
		}
		return entries[0].Path, nil
	}
	if err := runfile.ValidateRunID(ref); err != nil {
		return "", err
	}
	path := filepath.Join(runsDir, ref+runfile.Ext)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()):
		return "", fmt.Errorf("%w: no run %q in %s", ErrNotFound, ref, runsDir)
	case err != nil:
		return "", fmt.Errorf("cannot open run file: %w", err)
	}
	return path, nil
}
