package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// baseSpec declares one source, one target and one storage, so that tables
// may leave from, to and via out.
const baseSpec = `
source "starrocks" "old" {
  hosts = ["fe1"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2"]
  user  = "root"
}
storage "local" "stage" {
  path = "./stage"
}
`

// writeSpec writes files (name -> content) into a new temporary directory
// and returns it.
func writeSpec(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadSrc loads src as dir/main.hcl and returns the config, the diagnostics
// and the directory.
func loadSrc(t *testing.T, src string, opts LoadOptions) (*Config, hcl.Diagnostics, string) {
	t.Helper()
	dir := writeSpec(t, map[string]string{"main.hcl": src})
	cfg, _, diags := Load(filepath.Join(dir, "main.hcl"), opts)
	return cfg, diags, dir
}

// mustLoad is loadSrc that fails the test on any error.
func mustLoad(t *testing.T, src string, opts LoadOptions) (*Config, hcl.Diagnostics, string) {
	t.Helper()
	cfg, diags, dir := loadSrc(t, src, opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", describe(diags))
	}
	if cfg == nil {
		t.Fatal("nil config")
	}
	return cfg, diags, dir
}

// summaries lists the summaries of diags of one severity, sorted by
// position.
func summaries(diags hcl.Diagnostics, sev hcl.DiagnosticSeverity) []string {
	var out []string
	for _, d := range SortDiagnostics(diags) {
		if d.Severity == sev {
			out = append(out, d.Summary)
		}
	}
	return out
}

// cmpConfig compares decoded values: ranges are ignored and locations are
// compared by name.
var cmpConfig = cmp.Options{
	cmpopts.IgnoreTypes(hcl.Range{}),
	cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
	cmpopts.EquateEmpty(),
}

// errorsContaining reports whether some error's summary contains s.
func errorsContaining(diags hcl.Diagnostics, s string) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && strings.Contains(d.Summary, s) {
			return true
		}
	}
	return false
}
