package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBadInputSpecFixtures runs every invalid spec fixture of package lang
// through `srplan validate` and `srplan plan -out`: both exit 1 with the
// fixture's diagnostics at file:line:col, summary and an explanation, and
// neither writes a state or plan file.
func TestBadInputSpecFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("..", "..", "..", "lang", "testdata", "invalid", "*.hcl"))
	if err != nil || len(paths) < 60 {
		t.Fatalf("found %d lang fixtures (%v), want at least 60", len(paths), err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".hcl")
		if name == "file_not_allowed" {
			continue // about lang.LoadOptions.AllowFS, which the CLI always sets
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := fixtureWants(t, string(src))
			w := &workspace{dir: t.TempDir()}
			w.spec = filepath.Join(w.dir, "migration.hcl")
			if err := os.WriteFile(w.spec, src, 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshotWorkspace(t, w.dir)
			for _, args := range [][]string{{"validate"}, {"plan", "-out", "saved.plan"}} {
				badInputsTried.Add(1)
				r := w.run(t, args...)
				out := r.stdout + r.stderr
				if r.code != 1 {
					t.Errorf("exit %d, want 1:\n%s", r.code, r)
				}
				for _, wl := range wants {
					loc := regexp.MustCompile(`migration\.hcl:` + strconv.Itoa(wl.line) + `:\d+: Error: ` + regexp.QuoteMeta(wl.summary))
					if !loc.MatchString(out) {
						t.Errorf("no diagnostic at migration.hcl:%d:COL with summary %q:\n%s", wl.line, wl.summary, r)
					}
				}
				if !hasExplanation(r.stderr) {
					t.Errorf("the diagnostics carry no explanation of what to fix:\n%s", r)
				}
			}
			if diff := cmp.Diff(before, snapshotWorkspace(t, w.dir)); diff != "" {
				t.Errorf("a spec error wrote files (-before +after):\n%s", diff)
			}
		})
	}
}

// fixtureWant is one "# want: LINE: SUMMARY" header line of a lang fixture.
type fixtureWant struct {
	line    int
	summary string
}

func fixtureWants(t *testing.T, src string) []fixtureWant {
	t.Helper()
	var out []fixtureWant
	for line := range strings.Lines(src) {
		if !strings.HasPrefix(line, "#") {
			break
		}
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: ")
		if !ok {
			continue
		}
		num, summary, _ := strings.Cut(rest, ": ")
		n, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("malformed want line %q", line)
		}
		out = append(out, fixtureWant{n, summary})
	}
	if len(out) == 0 {
		t.Fatal("the fixture has no # want line")
	}
	return out
}

// hasExplanation reports whether printed diagnostics have a paragraph of
// prose after the source snippet: a line that is neither a location, a
// snippet line, nor blank.
func hasExplanation(stderr string) bool {
	for line := range strings.Lines(stderr) {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(line, "  ") || strings.Contains(l, ": Error: ") || strings.Contains(l, ": Warning: ") {
			continue
		}
		if len(strings.Fields(l)) >= 4 {
			return true
		}
	}
	return false
}
