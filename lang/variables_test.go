package lang

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// TestVariablePrecedence runs every combination of the four sources of a
// value: default < -var-file < SRPLAN_VAR_name < -var.
func TestVariablePrecedence(t *testing.T) {
	t.Parallel()
	levels := []string{"default", "file", "env", "flag"}
	for mask := 0; mask < 1<<len(levels); mask++ {
		var present []string
		for i, l := range levels {
			if mask&(1<<i) != 0 {
				present = append(present, l)
			}
		}
		name := strings.Join(present, "+")
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			has := func(l string) bool {
				for _, p := range present {
					if p == l {
						return true
					}
				}
				return false
			}
			src := "variable \"v\" {\n  type = string\n"
			if has("default") {
				src += "  default = \"default\"\n"
			}
			src += "}\n"
			dir := writeSpec(t, map[string]string{"main.hcl": src, "vars/values.hcl": `v = "file"`})
			opts := LoadOptions{Env: []string{"HOME=/root", "SRPLAN_VAR_other=x"}}
			if has("file") {
				opts.VarFiles = []string{filepath.Join(dir, "vars", "values.hcl")}
			}
			if has("env") {
				opts.Env = append(opts.Env, "SRPLAN_VAR_v=env")
			}
			if has("flag") {
				opts.Vars = map[string]string{"v": "flag"}
			}
			cfg, _, diags := Load(filepath.Join(dir, "main.hcl"), opts)
			if len(present) == 0 {
				if !errorsContaining(diags, "No value for required variable") {
					t.Fatalf("want a required-variable error, got:\n%s", describe(diags))
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("unexpected errors:\n%s", describe(diags))
			}
			want := cty.StringVal(present[len(present)-1])
			if got := cfg.Variables["v"].Value; !got.RawEquals(want) {
				t.Errorf("value = %#v, want %#v", got, want)
			}
		})
	}
}

func TestVariableTypesFromStrings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		typ  string
		raw  string
		want cty.Value
	}{
		"string kept verbatim": {typ: "string", raw: `["a"]`, want: cty.StringVal(`["a"]`)},
		"untyped is a string":  {typ: "any", raw: `12`, want: cty.StringVal("12")},
		"number":               {typ: "number", raw: `12.5`, want: cty.NumberFloatVal(12.5)},
		"bool":                 {typ: "bool", raw: `true`, want: cty.True},
		"list":                 {typ: "list(string)", raw: `["a:9030", "b"]`, want: cty.ListVal([]cty.Value{cty.StringVal("a:9030"), cty.StringVal("b")})},
		"map":                  {typ: "map(number)", raw: `{ a = 1 }`, want: cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1)})},
	}
	for name, tc := range tests {
		for _, via := range []string{"flag", "env"} {
			t.Run(name+" via "+via, func(t *testing.T) {
				t.Parallel()
				src := fmt.Sprintf("variable \"v\" {\n  type = %s\n}\n", tc.typ)
				if tc.typ == "any" {
					src = "variable \"v\" {}\n"
				}
				opts := LoadOptions{}
				if via == "flag" {
					opts.Vars = map[string]string{"v": tc.raw}
				} else {
					opts.Env = []string{"SRPLAN_VAR_v=" + tc.raw}
				}
				cfg, _, _ := mustLoad(t, src, opts)
				if got := cfg.Variables["v"].Value; !got.RawEquals(tc.want) {
					t.Errorf("value = %#v, want %#v", got, tc.want)
				}
			})
		}
	}
}

func TestVariableErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		opts LoadOptions
		want string
	}{
		"flag for undeclared variable": {
			src:  `variable "region" { default = "x" }`,
			opts: LoadOptions{Vars: map[string]string{"regoin": "y"}},
			want: "Value for undeclared variable",
		},
		"flag not convertible": {
			src:  `variable "n" { type = number }`,
			opts: LoadOptions{Vars: map[string]string{"n": `"abc"`}},
			want: "Invalid value for variable",
		},
		"flag not an expression": {
			src:  `variable "l" { type = list(string) }`,
			opts: LoadOptions{Vars: map[string]string{"l": `[a b`}},
			want: "Invalid value for variable",
		},
		"env not convertible": {
			src:  `variable "b" { type = bool }`,
			opts: LoadOptions{Env: []string{"SRPLAN_VAR_b=maybe"}},
			want: "Invalid value for variable",
		},
		"validation fails for a flag": {
			src: `variable "parts" {
  type    = number
  default = 2
  validation {
    condition     = var.parts <= 16
    error_message = "At most 16 parts."
  }
}`,
			opts: LoadOptions{Vars: map[string]string{"parts": "17"}},
			want: "Invalid value for variable",
		},
		"validation must refer to its variable": {
			src: `variable "a" {
  default = "x"
  validation {
    condition     = true
    error_message = "never"
  }
}`,
			want: "Invalid validation condition",
		},
		"validation may not use locals": {
			src: `locals { max = 3 }
variable "a" {
  default = 1
  validation {
    condition     = var.a < local.max
    error_message = "too big"
  }
}`,
			want: "Local values not allowed here",
		},
		"default may not use variables": {
			src: `variable "a" { default = "x" }
variable "b" { default = var.a }`,
			want: "Variables not allowed",
		},
		"invalid type": {
			src:  `variable "a" { type = list }`,
			want: "Invalid type specification",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags, _ := loadSrc(t, tc.src, tc.opts)
			if !errorsContaining(diags, tc.want) {
				t.Fatalf("want an error %q, got:\n%s", tc.want, describe(diags))
			}
		})
	}
}

func TestUndeclaredFlagIsSourcelessAndNamesTheVariable(t *testing.T) {
	t.Parallel()
	_, diags, _ := loadSrc(t, `variable "region" { default = "x" }`,
		LoadOptions{Vars: map[string]string{"regoin": "s3cret-value"}})
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got:\n%s", describe(diags))
	}
	d := diags[0]
	if d.Subject != nil || !strings.Contains(d.Detail, `"regoin"`) || !strings.Contains(d.Detail, `Did you mean "region"?`) {
		t.Errorf("diagnostic = %s", describe(diags))
	}
	if strings.Contains(d.Detail, "s3cret-value") {
		t.Errorf("the diagnostic shows the value: %s", d.Detail)
	}
}

func TestVarFiles(t *testing.T) {
	t.Parallel()
	dir := writeSpec(t, map[string]string{
		"main.hcl": `variable "a" {}
variable "b" { type = number }`,
		"one.hcl": `a = "one"
b = 1`,
		"two.hcl": `b     = 2
extra = true`,
	})
	cfg, _, diags := Load(filepath.Join(dir, "main.hcl"), LoadOptions{
		VarFiles: []string{filepath.Join(dir, "one.hcl"), filepath.Join(dir, "two.hcl")},
	})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", describe(diags))
	}
	if got := summaries(diags, hcl.DiagWarning); !cmp.Equal(got, []string{"Value for undeclared variable"}) {
		t.Errorf("warnings = %v, want one for extra", got)
	}
	if got := cfg.Variables["a"].Value; !got.RawEquals(cty.StringVal("one")) {
		t.Errorf("a = %#v, want one", got)
	}
	if got := cfg.Variables["b"].Value; !got.RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("b = %#v, want 2 (the later file wins)", got)
	}

	_, _, diags = Load(filepath.Join(dir, "main.hcl"), LoadOptions{VarFiles: []string{filepath.Join(dir, "missing.hcl")}})
	if !errorsContaining(diags, "Failed to read file") {
		t.Errorf("missing var file: got\n%s", describe(diags))
	}
}

func TestVariableValidationMessage(t *testing.T) {
	t.Parallel()
	src := `variable "region" {
  default = "us-east-2"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+-[0-9]$", var.region))
    error_message = "The region ${var.region} is not an AWS region name."
  }
}
variable "pw" {
  sensitive = true
  default   = "short"
  validation {
    condition     = length(var.pw) >= 8
    error_message = "The password ${var.pw} is too short."
  }
}`
	_, diags, _ := loadSrc(t, src, LoadOptions{Vars: map[string]string{"region": "Mars"}})
	var details []string
	for _, d := range diags {
		if d.Summary == "Invalid value for variable" {
			details = append(details, d.Detail)
			if d.Subject == nil || d.Subject.Start.Line != 4 && d.Subject.Start.Line != 12 {
				t.Errorf("subject %v, want the condition", d.Subject)
			}
		}
	}
	if len(details) != 2 {
		t.Fatalf("want two validation errors, got:\n%s", describe(diags))
	}
	if !strings.HasPrefix(details[0], "The region Mars is not an AWS region name.") {
		t.Errorf("detail = %q", details[0])
	}
	if strings.Contains(details[1], "short") || !strings.Contains(details[1], "sensitive") {
		t.Errorf("sensitive message not hidden: %q", details[1])
	}
}

func TestVariableRedaction(t *testing.T) {
	t.Parallel()
	cfg, _, _ := mustLoad(t, `variable "pw" {
  sensitive = true
  default   = "hunter2"
}
variable "n" {
  default = 3
}`, LoadOptions{})
	pw, n := cfg.Variables["pw"], cfg.Variables["n"]
	if !pw.Value.RawEquals(cty.StringVal("hunter2")) {
		t.Fatalf("pw value = %#v: Variable.Value must hold the real, unmarked value", pw.Value)
	}
	for _, form := range []string{
		fmt.Sprint(pw), fmt.Sprintf("%v %+v %#v %s %q %x", pw, pw, pw, pw, pw, pw),
		fmt.Sprintf("%v %+v %#v", *pw, *pw, *pw), fmt.Sprintf("%+v", cfg.Variables),
	} {
		if strings.Contains(form, "hunter2") || strings.Contains(form, "68756e74657232") {
			t.Errorf("a printed form shows the value: %s", form)
		}
	}
	b, err := json.Marshal(cfg.Variables)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") {
		t.Errorf("JSON shows the value: %s", b)
	}
	if got, want := n.String(), "var.n = 3"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := pw.String(), "var.pw = (sensitive)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
