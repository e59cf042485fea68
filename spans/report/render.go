package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/internal/format"
)

//go:embed templates
var templates embed.FS

var (
	mdTemplate = texttemplate.Must(texttemplate.New("report.md.tmpl").Funcs(funcs(mdCell)).
			Funcs(map[string]any{"text": mdText, "code": mdCode, "fence": mdFence}).
			ParseFS(templates, "templates/report.md.tmpl"))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("report.html.tmpl").Funcs(funcs(strings.TrimSpace)).
			ParseFS(templates, "templates/report.html.tmpl"))
)

// Render writes run to w in the format f names (internal/format).
func Render(w io.Writer, run *Run, f string) error {
	f, err := format.Parse(f)
	if err != nil {
		return err
	}
	switch f {
	case format.Markdown:
		return Markdown(w, run)
	case format.YAML:
		return YAML(w, run)
	case format.JSON:
		return JSON(w, run)
	default:
		return HTML(w, run)
	}
}

// page is what the templates render.
type page struct {
	*Run
	// RecordYAML is the usage-trace record as a YAML document.
	RecordYAML string
	Timeline   timeline
}

func newPage(run *Run) (page, error) {
	rec, err := yamlBytes(run.Record)
	if err != nil {
		return page{}, err
	}
	return page{Run: run, RecordYAML: string(rec), Timeline: newTimeline(run)}, nil
}

// Markdown writes run as the one-page usage trace in Markdown.
func Markdown(w io.Writer, run *Run) error {
	return execute(w, run, mdTemplate.Execute)
}

// HTML writes run as a self-contained HTML page: inline CSS and an inline
// SVG call timeline, no scripts, no external assets.
func HTML(w io.Writer, run *Run) error {
	return execute(w, run, htmlTemplate.Execute)
}

func execute(w io.Writer, run *Run, exec func(io.Writer, any) error) error {
	p, err := newPage(run)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := exec(&buf, p); err != nil {
		return fmt.Errorf("cannot render report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// yamlChunk is how many calls YAML encodes at a time: the YAML encoder
// holds every event of a document until its end, hundreds of bytes per
// field, so the calls are encoded apart, a chunk at a time, and spliced
// into the document.
const yamlChunk = 64

// YAML writes run as a YAML document.
func YAML(w io.Writer, run *Run) error {
	head := *run
	head.Calls = []Call{}
	b, err := yamlBytes(&head)
	if err != nil {
		return err
	}
	// Calls is a top-level key: at the start of a line, unlike any
	// string value, which is one line (clean) and indented or quoted.
	const empty = "\ncalls: []\n"
	i := bytes.Index(b, []byte(empty))
	if i < 0 || len(run.Calls) == 0 {
		_, err = w.Write(b)
		return err
	}
	if _, err := w.Write(append(b[:i:i], "\ncalls:\n"...)); err != nil {
		return err
	}
	for j := 0; j < len(run.Calls); j += yamlChunk {
		chunk, err := yamlBytes(run.Calls[j:min(j+yamlChunk, len(run.Calls))])
		if err != nil {
			return err
		}
		// A sequence under a mapping key is indented by two spaces.
		var out bytes.Buffer
		for _, line := range bytes.SplitAfter(chunk, []byte("\n")) {
			if len(line) > 0 {
				out.WriteString("  ")
				out.Write(line)
			}
		}
		if _, err := w.Write(out.Bytes()); err != nil {
			return err
		}
	}
	_, err = w.Write(b[i+len(empty):])
	return err
}

func yamlBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cannot render report: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cannot render report: %w", err)
	}
	return buf.Bytes(), nil
}

// JSON writes run as an indented JSON document.
func JSON(w io.Writer, run *Run) error {
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot render report: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
