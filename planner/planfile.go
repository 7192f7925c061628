package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WritePlanFile saves p as JSON at path with mode 0600, atomically (a
// temporary file renamed into place), so a reader never sees half a plan.
// A plan never holds secrets: lang.Secret values are not part of it.
func WritePlanFile(path string, p *Plan) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".srplan-plan-*")
	if err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	return nil
}

// ErrNotAPlan is returned by ReadPlanFile for a file that is not a saved plan.
var ErrNotAPlan = errors.New("not a saved srplan plan")

// ReadPlanFile reads a plan saved by WritePlanFile. It refuses files that
// are not plans, and plans of a newer major format version.
func ReadPlanFile(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read plan %s: file does not exist", path)
		}
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("read plan %s: %w (%v)", path, ErrNotAPlan, err)
	}
	if p.FormatVersion == "" {
		return nil, fmt.Errorf("read plan %s: %w (no format_version)", path, ErrNotAPlan)
	}
	major, _, _ := strings.Cut(p.FormatVersion, ".")
	want, _, _ := strings.Cut(PlanFormatVersion, ".")
	if major != want {
		return nil, fmt.Errorf("read plan %s: plan format %s was written by srplan %s; this srplan reads format %s: make the plan again with this srplan",
			path, p.FormatVersion, p.SrplanVersion, PlanFormatVersion)
	}
	return &p, nil
}
