package report

import "github.com/agentwrap/agentwrap/internal/markdown"

// The report's Markdown escaping (internal/markdown), by the names its
// templates and tests use: every value from a run file goes through one of
// them.
var (
	mdText  = markdown.Text
	mdCell  = markdown.Text
	mdCode  = markdown.Code
	mdFence = markdown.Fence
	oneLine = markdown.OneLine
)
