package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	in := "table \"a.b\" {\nmethod = \"files\"\n  allow_delete=true\n}\n"
	want := "table \"a.b\" {\n  method       = \"files\"\n  allow_delete = true\n}\n"
	got, diags := Format("x.hcl", []byte(in))
	if diags.HasErrors() {
		t.Fatalf("errors: %s", diags.Error())
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("formatted (-want +got):\n%s", diff)
	}
	again, _ := Format("x.hcl", got)
	if string(again) != string(got) {
		t.Errorf("formatting is not idempotent:\n%s", again)
	}
	out, diags := Format("x.hcl", []byte("table \"a.b\" {\n"))
	if !diags.HasErrors() || out != nil {
		t.Errorf("broken input: out=%q diags=%v, want nil and an error", out, diags)
	}
	if d := diags[0]; d.Subject == nil || d.Subject.Filename != "x.hcl" {
		t.Errorf("diagnostic subject %v, want in x.hcl", d.Subject)
	}
	var buf strings.Builder
	if err := WriteDiagnostics(&buf, FilesFromSource("x.hcl", []byte("table \"a.b\" {\n")), diags, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `   1: table "a.b" {`) {
		t.Errorf("no snippet in:\n%s", buf.String())
	}
}
