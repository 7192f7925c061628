package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalIn parses and evaluates src in a scope with the given options and
// variables.
func evalIn(t *testing.T, dir, src string, opts LoadOptions, vars map[string]cty.Value) (cty.Value, cty.ValueMarks, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, diags.Error())
	}
	s := newScope(dir, opts)
	s.localsAllowed = true
	for k, v := range vars {
		s.vars[k] = v
	}
	return s.eval(expr, cty.DynamicPseudoType, "the value")
}

func TestFunctions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	str := cty.StringVal
	num := cty.NumberIntVal
	strs := func(ss ...string) cty.Value {
		var vals []cty.Value
		for _, s := range ss {
			vals = append(vals, str(s))
		}
		return cty.ListVal(vals)
	}
	opts := LoadOptions{AllowFS: true, Env: []string{"SR_USER=migrator", "SR_EMPTY="}}
	tests := map[string]cty.Value{
		`upper("ab")`:                                    str("AB"),
		`lower("AB")`:                                    str("ab"),
		`format("%s-%03d", "p", 7)`:                      str("p-007"),
		`join(",", ["a", "b"])`:                          str("a,b"),
		`split(",", "a,b")`:                              strs("a", "b"),
		`concat(["a"], ["b"])`:                           cty.TupleVal([]cty.Value{str("a"), str("b")}),
		`length("héllo")`:                                num(5),
		`length(["a", "b"])`:                             num(2),
		`length({ a = 1 })`:                              num(1),
		`contains(["a", "b"], "b")`:                      cty.True,
		`coalesce("", "x")`:                              str("x"),
		`lookup({ a = "1" }, "b", "d")`:                  str("d"),
		`merge({ a = 1 }, { b = 2 })`:                    cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)}),
		`keys({ b = 1, a = 2 })`:                         cty.TupleVal([]cty.Value{str("a"), str("b")}),
		`values({ b = 1, a = 2 })`:                       cty.TupleVal([]cty.Value{num(2), num(1)}),
		`replace("a-b-c", "-", "_")`:                     str("a_b_c"),
		`trimspace("  x \n")`:                            str("x"),
		`trimprefix("p2024", "p")`:                       str("2024"),
		`trimsuffix("x.hcl", ".hcl")`:                    str("x"),
		`substr("p20240101", 1, 4)`:                      str("2024"),
		`min(3, 1, 2)`:                                   num(1),
		`max(3, 1, 2)`:                                   num(3),
		`tostring(12)`:                                   str("12"),
		`tonumber("12")`:                                 num(12),
		`tolist(["a", "b"])`:                             strs("a", "b"),
		`toset(["a", "a"])`:                              cty.SetVal([]cty.Value{str("a")}),
		`range(3)`:                                       cty.ListVal([]cty.Value{num(0), num(1), num(2)}),
		`flatten([["a"], ["b"]])`:                        cty.TupleVal([]cty.Value{str("a"), str("b")}),
		`distinct(["a", "a", "b"])`:                      strs("a", "b"),
		`formatdate("YYYYMMDD", "2024-03-01T00:00:00Z")`: str("20240301"),
		`regex("p([0-9]{4})", "p2024")`:                  cty.TupleVal([]cty.Value{str("2024")}),
		`regexall("[0-9]", "a1b2")`:                      strs("1", "2"),
		`jsonencode({ a = 1 })`:                          str(`{"a":1}`),
		`jsondecode("[1]")`:                              cty.TupleVal([]cty.Value{num(1)}),
		`try(jsondecode("{"), "fallback")`:               str("fallback"),
		`can(tonumber("x"))`:                             cty.False,
		`env("SR_USER")`:                                 str("migrator"),
		`env("SR_EMPTY")`:                                str(""),
		`try(env("SR_MISSING"), "root")`:                 str("root"),
		`trimspace(file("pw.txt"))`:                      str("s3cret"),
		`[for h in ["a", "b"] : "${h}:9030"]`:            cty.TupleVal([]cty.Value{str("a:9030"), str("b:9030")}),
	}
	for src, want := range tests {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			got, _, diags := evalIn(t, dir, src, opts, nil)
			if diags.HasErrors() {
				t.Fatalf("errors: %s", diags.Error())
			}
			if !got.RawEquals(want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestFunctionErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		src    string
		opts   LoadOptions
		detail string
	}{
		"env missing":                         {src: `env("SR_NOPE")`, detail: `"SR_NOPE" is not set`},
		"env ignores the process environment": {src: `env("PATH")`, detail: `"PATH" is not set`},
		"file refused":                        {src: `file("pw.txt")`, detail: "not allowed"},
		"file missing":                        {src: `file("nope.txt")`, opts: LoadOptions{AllowFS: true}, detail: "nope.txt"},
		"file directory":                      {src: `file("sub")`, opts: LoadOptions{AllowFS: true}, detail: "is a directory"},
		"unknown function":                    {src: `nosuch("x")`, detail: "nosuch"},
		"bad regex":                           {src: `regex("(", "x")`, detail: "invalid regexp"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, diags := evalIn(t, dir, tc.src, tc.opts, nil)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			if d := diags[0]; d.Subject == nil || !strings.Contains(d.Detail, tc.detail) {
				t.Errorf("diagnostic %q / %q at %v, want detail containing %q", d.Summary, d.Detail, d.Subject, tc.detail)
			}
		})
	}
}

func TestValueMarks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "k"), []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]cty.Value{
		"pw":   cty.StringVal("hunter2").Mark(markSensitive),
		"user": cty.StringVal("root"),
	}
	opts := LoadOptions{AllowFS: true, Env: []string{"PW=x"}}
	tests := map[string]struct {
		src       string
		sensitive bool
		external  bool
	}{
		"plain variable":        {src: `var.user`},
		"sensitive variable":    {src: `var.pw`, sensitive: true},
		"through a function":    {src: `upper(var.pw)`, sensitive: true},
		"through a template":    {src: `"${var.user}:${var.pw}"`, sensitive: true},
		"inside a list":         {src: `[var.user, var.pw]`, sensitive: true},
		"through a conditional": {src: `var.user == "" ? "a" : var.pw`, sensitive: true},
		"env":                   {src: `env("PW")`, external: true},
		"file":                  {src: `trimspace(file("k"))`, external: true},
		"literal":               {src: `"x"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, marks, diags := evalIn(t, dir, tc.src, opts, vars)
			if diags.HasErrors() {
				t.Fatalf("errors: %s", diags.Error())
			}
			if v.ContainsMarked() {
				t.Error("eval returned a marked value; marks must be returned separately")
			}
			if got := marks.Has(markSensitive); got != tc.sensitive {
				t.Errorf("sensitive = %v, want %v", got, tc.sensitive)
			}
			if got := marks.Has(markExternal); got != tc.external {
				t.Errorf("external = %v, want %v", got, tc.external)
			}
		})
	}
}
