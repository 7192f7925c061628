package lang

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// want is one "# want: LINE: SUMMARY" header line of an invalid fixture.
type want struct {
	line    int
	summary string
}

// readWants reads the header comment lines of a fixture.
func readWants(t *testing.T, path string) []want {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wants []want
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") {
			break
		}
		rest, ok := strings.CutPrefix(line, "# want: ")
		if !ok {
			continue
		}
		num, summary, ok := strings.Cut(rest, ": ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			t.Fatalf("%s: malformed want line %q", path, line)
		}
		wants = append(wants, want{line: n, summary: summary})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return wants
}

func (w want) matches(d *hcl.Diagnostic) bool {
	return d.Subject != nil && d.Subject.Start.Line == w.line && strings.Contains(d.Summary, w.summary)
}

// TestInvalidFixtures loads every testdata/invalid/*.hcl. Each must produce
// at least one error; every "# want" line must be matched by a diagnostic
// starting on that line whose summary contains the text; and every error
// must be wanted, so that one mistake does not cascade into others.
func TestInvalidFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 35 {
		t.Fatalf("found %d invalid fixtures, want at least 35", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			t.Parallel()
			wants := readWants(t, path)
			if len(wants) == 0 {
				t.Fatalf("%s has no # want lines", path)
			}
			_, _, diags := Load(path, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatalf("no errors; diagnostics: %v", diags)
			}
			for _, w := range wants {
				found := false
				for _, d := range diags {
					if w.matches(d) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("missing diagnostic on line %d with summary %q; got:\n%s", w.line, w.summary, describe(diags))
				}
			}
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				if d.Subject == nil {
					t.Errorf("error without a source range: %s: %s", d.Summary, d.Detail)
				}
				wanted := false
				for _, w := range wants {
					wanted = wanted || w.matches(d)
				}
				if !wanted {
					t.Errorf("unexpected error: %s", describe(hcl.Diagnostics{d}))
				}
				if d.Summary == "" || strings.HasSuffix(d.Summary, ".") {
					t.Errorf("summary %q must be a short phrase without a full stop", d.Summary)
				}
			}
		})
	}
}

// describe lists diagnostics one per line for failure messages.
func describe(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		loc := "(no range)"
		if d.Subject != nil {
			loc = d.Subject.String()
		}
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		b.WriteString("  " + sev + " " + loc + ": " + d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}
