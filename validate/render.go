package validate

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

	"github.com/agentwrap/agentwrap/internal/markdown"
)

// The formats Render knows, as `agentwrap report` names them.
const (
	FormatMarkdown = "md"
	FormatYAML     = "yaml"
	FormatJSON     = "json"
	FormatHTML     = "html"
)

// Formats lists the formats Render knows.
func Formats() []string { return []string{FormatMarkdown, FormatYAML, FormatJSON, FormatHTML} }

//go:embed templates
var files embed.FS

var funcs = map[string]any{
	"join": strings.Join,
	"cell": func(s string) string {
		return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(s)
	},
	"title": func(c Check) string {
		if c == SecretsRow {
			return "nothing sensitive in the run file or this checklist"
		}
		return c.Title()
	},
}

// mdFuncs escape every value the Markdown checklist shows (see
// internal/markdown): request ids, field names and details come from the
// upstream and the manifest, which a renderer must show as text.
var mdFuncs = map[string]any{
	"cell": markdown.Text,
	"text": func(v any) string { return markdown.Text(fmt.Sprint(v)) },
	"list": func(v []string) string { return markdown.Text(strings.Join(v, ", ")) },
}

var (
	mdTemplate = texttemplate.Must(texttemplate.New("checklist.md.tmpl").Funcs(funcs).Funcs(mdFuncs).
			ParseFS(files, "templates/checklist.md.tmpl"))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("checklist.html.tmpl").Funcs(funcs).
			ParseFS(files, "templates/checklist.html.tmpl"))
)

// Render writes c to w in format, one of Formats.
func Render(w io.Writer, c *Checklist, format string) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case FormatMarkdown:
		err = mdTemplate.Execute(&buf, c)
	case FormatHTML:
		err = htmlTemplate.Execute(&buf, c)
	case FormatJSON:
		var b []byte
		b, err = json.MarshalIndent(c, "", "  ")
		buf.Write(append(b, '\n'))
	case FormatYAML:
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err = enc.Encode(c); err == nil {
			err = enc.Close()
		}
	default:
		return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return fmt.Errorf("cannot render checklist: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
