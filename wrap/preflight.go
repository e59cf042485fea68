package wrap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxScanBytes bounds the instruction files scanned for gateway URLs; larger
// files are only hashed.
const maxScanBytes = 1 << 20

// maxNoteLen bounds a preflight note, like agentwrap.notes.
const maxNoteLen = 200

// instructionFile is an agent instruction or memory file found before the
// run.
type instructionFile struct {
	// Path is relative to the working directory for files found there, and
	// absolute for files found in a parent directory.
	Path string
	// SHA256 is the hex SHA-256 of the file's content.
	SHA256 string
	// GatewayURLs lists the origins (scheme://host[:port], never a path,
	// query or user info) of URLs in the file that name a model gateway.
	GatewayURLs []string
}

// instructionNames lists the instruction and memory files agents read, in
// the order Preflight reports them within one directory.
func instructionNames() []string {
	return []string{
		"CLAUDE.md", "CLAUDE.local.md", "AGENTS.md", "AGENTS.override.md",
		"GEMINI.md", "QWEN.md",
		".claude/settings.json", ".claude/settings.local.json",
		".codex/config.toml", ".gemini/settings.json", ".qwen/settings.json",
		".cursorrules", ".github/copilot-instructions.md",
	}
}

// scanPreflight finds the agent instruction and memory files in dir and its
// parents up to the repository root (the first directory holding .git; when
// there is none, only dir is searched), and returns them by path and content
// hash. The notes say, naming only the file and the host, when a file names
// a model gateway (a well-known model API host, a host with an "api" label,
// or any URL set by a base-URL key) other than upstreamHost, which may be a
// host, host:port or URL. Files over 1 MiB are hashed but not scanned. The
// error is non-nil only when dir cannot be resolved.
func scanPreflight(dir, upstreamHost string) ([]instructionFile, []string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot resolve working directory: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, nil, fmt.Errorf("cannot read working directory: %w", err)
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("cannot read working directory: %s is not a directory", abs)
	}
	upstream := normalizeHost(upstreamHost)
	var files []instructionFile
	var notes []string
	for _, d := range searchDirs(abs) {
		for _, name := range instructionNames() {
			full := filepath.Join(d, filepath.FromSlash(name))
			shown := full
			if d == abs {
				shown = filepath.FromSlash(name)
			}
			f, ok, err := inspectFile(full, shown)
			if err != nil {
				notes = append(notes, clip(fmt.Sprintf("%s could not be read", clipPath(shown))))
			}
			if !ok {
				continue
			}
			files = append(files, f)
			notes = append(notes, gatewayNotes(f, upstream)...)
		}
	}
	return files, notes, nil
}

// searchDirs returns dir and its parents up to the repository root, or only
// dir when no parent holds .git.
func searchDirs(dir string) []string {
	var dirs []string
	for d := dir; ; {
		dirs = append(dirs, d)
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return dirs
		}
		parent := filepath.Dir(d)
		if parent == d {
			return []string{dir}
		}
		d = parent
	}
}

// inspectFile hashes and scans one candidate. ok is false when the file is
// absent or not a regular file; err is set when it exists but cannot be read.
func inspectFile(full, shown string) (instructionFile, bool, error) {
	fi, err := os.Stat(full)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
		return instructionFile{}, false, nil
	}
	if err != nil {
		return instructionFile{}, false, err
	}
	sum, body, err := hashFile(full)
	if err != nil {
		return instructionFile{}, false, err
	}
	return instructionFile{Path: shown, SHA256: sum, GatewayURLs: gatewayOrigins(body)}, true, nil
}

// hashFile returns the file's hex SHA-256 and, when it is at most
// maxScanBytes long, its content; the hash of a larger file is streamed.
func hashFile(path string) (string, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(h, &head), io.LimitReader(f, maxScanBytes+1))
	if err != nil {
		return "", nil, err
	}
	body := head.Bytes()
	if n > maxScanBytes {
		body = nil
		if _, err := io.Copy(h, f); err != nil {
			return "", nil, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), body, nil
}
