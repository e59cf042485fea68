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

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/markdown"
)

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

// Render writes c to w in the format f names (internal/format).
func Render(w io.Writer, c *Checklist, f string) error {
	f, err := format.Parse(f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f {
	case format.Markdown:
		err = mdTemplate.Execute(&buf, c)
	case format.HTML:
		err = htmlTemplate.Execute(&buf, c)
	case format.JSON:
		var b []byte
		b, err = json.MarshalIndent(c, "", "  ")
		buf.Write(append(b, '\n'))
	case format.YAML:
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err = enc.Encode(c); err == nil {
			err = enc.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("cannot render checklist: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
