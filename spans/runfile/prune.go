package runfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Entry is one run file of a runs directory.
type Entry struct {
	// ID is the run id: the file name without Ext.
	ID string
	// Path is the file's path.
	Path string
	// ModTime is when the file was last written: when the run's last span
	// ended.
	ModTime time.Time
}

// List returns the run files of dir, newest first: by modification time,
// then by run id (generated run ids sort by start time). Only regular files
// named <id>.jsonl are listed. A missing dir holds no runs and is no error.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot list run files: %w", err)
	}
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		id, ok := strings.CutSuffix(de.Name(), Ext)
		if !ok || id == "" || !de.Type().IsRegular() {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		out = append(out, Entry{ID: id, Path: filepath.Join(dir, de.Name()), ModTime: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.After(out[j].ModTime)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// Prune removes old run files from dir: those last written more than
// maxAge ago, and all but the newest maxCount (in List's order). Zero or
// negative maxAge or maxCount means no limit of that kind. The file at
// path keep (the current run's) is never removed and counts as the newest.
// Every file that can be removed is, even when another cannot; the error
// joins the failures. It returns the paths removed.
func Prune(dir string, maxAge time.Duration, maxCount int, keep string) (removed []string, err error) {
	if maxAge <= 0 && maxCount <= 0 {
		return nil, nil
	}
	entries, err := List(dir)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	isKept := keeper(keep)
	n := 0
	if keep != "" {
		n = 1 // the kept file is the newest
	}
	var errs []error
	for _, e := range entries {
		if isKept(e.Path) {
			continue
		}
		n++
		old := maxAge > 0 && now.Sub(e.ModTime) > maxAge
		over := maxCount > 0 && n > maxCount
		if !old && !over {
			continue
		}
		if err := os.Remove(e.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Path)
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("cannot prune run files: %w", err)
	}
	return removed, nil
}

// keeper returns a test for the kept file: the same cleaned path, or the
// same file on disk.
func keeper(keep string) func(string) bool {
	if keep == "" {
		return func(string) bool { return false }
	}
	clean := filepath.Clean(keep)
	info, statErr := os.Stat(keep)
	return func(p string) bool {
		if filepath.Clean(p) == clean {
			return true
		}
		if statErr != nil {
			return false
		}
		pi, err := os.Stat(p)
		return err == nil && os.SameFile(info, pi)
	}
}
