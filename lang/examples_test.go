package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExamples loads every examples/* spec with no variables set: each must
// decode without errors or warnings.
func TestExamples(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("..", "examples", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(m) == 0 {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			cfg, _, diags := Load(dir, LoadOptions{AllowFS: true})
			if len(diags) != 0 {
				t.Fatalf("diagnostics:\n%s", describe(diags))
			}
			if len(cfg.Tables) == 0 || len(cfg.Sources) == 0 || len(cfg.Targets) == 0 || len(cfg.Storages) == 0 {
				t.Errorf("example is missing blocks: %+v", cfg)
			}
		})
	}
	if n < 2 {
		t.Errorf("found %d example specs, want at least quickstart and crosscloud", n)
	}
}
