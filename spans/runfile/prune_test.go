package runfile_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/spans/runfile"
)

// runsDir writes run files named by ids, the first the newest: each is an
// hour older than the one before.
func runsDir(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	for i, id := range ids {
		p := filepath.Join(dir, id+runfile.Ext)
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := now.Add(-time.Duration(i) * time.Hour)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ids(t *testing.T, dir string) []string {
	t.Helper()
	es, err := runfile.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestListNewestFirst(t *testing.T) {
	dir := runsDir(t, "c", "a", "b")
	for _, junk := range []string{"notes.txt", ".jsonl"} {
		if err := os.WriteFile(filepath.Join(dir, junk), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.jsonl"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, dir); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("List = %v, want c a b (by modification time; other files ignored)", got)
	}
	// Equal modification times fall back to the run id, descending.
	mt := time.Now()
	for _, id := range []string{"a", "b", "c"} {
		if err := os.Chtimes(filepath.Join(dir, id+runfile.Ext), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids(t, dir); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("List with equal times = %v, want c b a", got)
	}
	if es, err := runfile.List(filepath.Join(dir, "missing")); err != nil || len(es) != 0 {
		t.Errorf("missing directory: %v, %v", es, err)
	}
}

func TestPrune(t *testing.T) {
	all := []string{"r0", "r1", "r2", "r3", "r4"} // r4 is four hours old
	for _, tc := range []struct {
		name     string
		maxAge   time.Duration
		maxCount int
		keep     string
		want     []string
	}{
		{"unlimited", 0, 0, "", all},
		{"by count", 0, 3, "", []string{"r0", "r1", "r2"}},
		{"by age", 150 * time.Minute, 0, "", []string{"r0", "r1", "r2"}},
		{"both", 150 * time.Minute, 2, "", []string{"r0", "r1"}},
		{"keep counts as newest", 0, 2, "r3", []string{"r0", "r3"}},
		{"keep survives age", time.Minute, 0, "r4", []string{"r0", "r4"}},
		{"keep survives count 1", 0, 1, "r2", []string{"r2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := runsDir(t, all...)
			keep := ""
			if tc.keep != "" {
				keep = filepath.Join(dir, tc.keep+runfile.Ext)
			}
			removed, err := runfile.Prune(dir, tc.maxAge, tc.maxCount, keep)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(t, dir)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("left %v, want %v", got, tc.want)
			}
			if len(removed)+len(got) != len(all) {
				t.Errorf("removed %v", removed)
			}
			for _, r := range removed {
				if !strings.HasPrefix(r, dir) {
					t.Errorf("removed path %q outside %s", r, dir)
				}
			}
		})
	}
}

// TestPruneKeepsTheCurrentRunByIdentity: keep given by another path to the
// same file (here through a symlinked directory) still protects it.
func TestPruneKeepsTheCurrentRunByIdentity(t *testing.T) {
	dir := runsDir(t, "old", "older")
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := runfile.Prune(dir, 0, 1, filepath.Join(link, "older"+runfile.Ext)); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, dir); !slices.Equal(got, []string{"older"}) {
		t.Errorf("left %v, want only the kept run", got)
	}
}

func TestPruneMissingDirAndErrors(t *testing.T) {
	if removed, err := runfile.Prune(filepath.Join(t.TempDir(), "none"), time.Hour, 1, ""); err != nil || removed != nil {
		t.Errorf("missing dir: %v %v", removed, err)
	}
	if os.Geteuid() == 0 {
		t.Skip("root can remove files from a read-only directory")
	}
	dir := runsDir(t, "a", "b", "c")
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := runfile.Prune(dir, 0, 1, "")
	if err == nil || !strings.HasPrefix(err.Error(), "cannot prune run files: ") {
		t.Errorf("err = %v", err)
	}
}
