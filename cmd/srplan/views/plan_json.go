package views

import (
	"encoding/json"
	"io"

	"github.com/srplan/srplan/planner"
)

// PlanJSON renders a plan as the versioned JSON document (format_version
// planner.PlanFormatVersion), the same document `plan -out` saves.
type PlanJSON struct{}

// Render writes p as indented JSON followed by a newline.
func (PlanJSON) Render(w io.Writer, p *planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}
