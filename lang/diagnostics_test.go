package lang

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestWriteDiagnostics(t *testing.T) {
	t.Parallel()
	dir := writeSpec(t, map[string]string{"main.hcl": `source "starrocks" "old" {
  hosts    = ["fe1"]
  user     = "root"
  password = "hunter2"
}
cluster "x" {
}
`})
	path := filepath.Join(dir, "main.hcl")
	_, files, diags := Load(path, LoadOptions{Vars: map[string]string{"nope": "v"}})
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, files, diags, 0, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		path + ":6:1: Error: Unsupported block type",
		"   6: cluster \"x\" {",
		path + ":4:14: Warning: Password written in the spec",
		"Error: Value for undeclared variable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Warnings first, then the sourceless error, then errors by position.
	w := strings.Index(out, "Warning: Password")
	s := strings.Index(out, "Error: Value for undeclared")
	e := strings.Index(out, "Error: Unsupported block type")
	if !(w < s && s < e) {
		t.Errorf("order warning=%d sourceless=%d error=%d, want increasing:\n%s", w, s, e, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes without color:\n%q", out)
	}
	buf.Reset()
	if err := WriteDiagnostics(&buf, files, diags, 80, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[31mError") {
		t.Errorf("no colour with color=true:\n%q", buf.String())
	}
}

func TestSortDiagnostics(t *testing.T) {
	t.Parallel()
	at := func(file string, line, col int) *hcl.Range {
		return &hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: col}, End: hcl.Pos{Line: line, Column: col + 1}}
	}
	in := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "b3", Subject: at("b.hcl", 3, 1)},
		{Severity: hcl.DiagError, Summary: "a9", Subject: at("a.hcl", 9, 1)},
		{Severity: hcl.DiagWarning, Summary: "w", Subject: at("z.hcl", 1, 1)},
		{Severity: hcl.DiagError, Summary: "a2c5", Subject: at("a.hcl", 2, 5)},
		{Severity: hcl.DiagError, Summary: "none"},
		{Severity: hcl.DiagError, Summary: "a2c1", Subject: at("a.hcl", 2, 1)},
	}
	var got []string
	for _, d := range SortDiagnostics(in) {
		got = append(got, d.Summary)
	}
	want := []string{"w", "none", "a2c1", "a2c5", "a9", "b3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"olf":       ` Did you mean "old"?`,
		"stages":    ` Did you mean "stage"?`,
		"something": "",
	}
	for given, want := range tests {
		if got := didYouMean(given, []string{"new", "old", "stage"}); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", given, got, want)
		}
	}
}

// TestWriteDiagnosticsMasksSecrets: the snippet of a password written in
// the spec shows asterisks, not the value (plan runs in CI, whose logs
// many people read); other snippets of the same file are unchanged.
func TestWriteDiagnosticsMasksSecrets(t *testing.T) {
	t.Parallel()
	dir := writeSpec(t, map[string]string{"main.hcl": `source "starrocks" "old" {
  hosts    = ["fe1"]
  user     = "root"
  password = "hunter2-Secret"
}
cluster "x" {
}
`})
	path := filepath.Join(dir, "main.hcl")
	_, files, diags := Load(path, LoadOptions{})
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, files, diags, 0, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "hunter2") {
		t.Errorf("the output shows the password:\n%s", out)
	}
	for _, want := range []string{
		path + ":4:14: Warning: Password written in the spec",
		`   4:   password = "**************"`,
		`   6: cluster "x" {`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if b := files.Map()[path].Bytes; !strings.Contains(string(b), "hunter2-Secret") {
		t.Errorf("the loaded file itself was changed")
	}
}
