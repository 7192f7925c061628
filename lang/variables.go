package lang

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// envVarPrefix prefixes the environment variables that set input
// variables: SRPLAN_VAR_name.
const envVarPrefix = "SRPLAN_VAR_"

// variableBlockSchema is the body of a variable block.
var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

// validationBlock is a validation block inside a variable.
type validationBlock struct {
	Condition    hcl.Expression `hcl:"condition"`
	ErrorMessage hcl.Expression `hcl:"error_message"`
	DefRange     hcl.Range      `hcl:",def_range"`
	Body         hcl.Body       `hcl:",body"`
}

// varDecl is a variable block while its value is being assembled.
type varDecl struct {
	v           *Variable
	ty          cty.Type
	value       cty.Value  // the highest-precedence value so far; cty.NilVal if none
	origin      string     // where value came from, for messages
	valueRange  *hcl.Range // source range of value, when it has one
	validations []validationBlock
}

// set records a value given at a higher precedence level.
func (v *varDecl) set(val cty.Value, origin string, rng *hcl.Range) {
	v.value, v.origin, v.valueRange = val, origin, rng
}

// decodeVariables decodes the variable blocks, assigns each its value by
// precedence (default < -var-file < SRPLAN_VAR_name < -var), converts it to
// the declared type and runs the validation rules.
func (d *decoder) decodeVariables(blocks hcl.Blocks, cfg *Config) {
	decls := map[string]*varDecl{}
	var order []*varDecl
	for _, b := range blocks {
		if v := d.decodeVariable(b, decls); v != nil {
			decls[v.v.Name] = v
			order = append(order, v)
		}
	}
	d.varFileValues(decls)
	for _, v := range order {
		if raw, ok := lookupEnv(d.opts.Env, envVarPrefix+v.v.Name); ok {
			d.rawValue(v, raw, "the environment variable "+envVarPrefix+v.v.Name)
		}
	}
	for _, name := range sortedKeys(d.opts.Vars) {
		v, ok := decls[name]
		if !ok {
			d.add(hcl.Diagnostics{sourcelessError("Value for undeclared variable",
				fmt.Sprintf("A value for %q was given with -var, but no variable of that name is declared.%s Declare it with a variable %q block, or remove the -var flag.",
					name, didYouMean(name, sortedKeys(decls)), name))})
			continue
		}
		d.rawValue(v, d.opts.Vars[name], "-var")
	}
	for _, v := range order {
		cfg.Variables[v.v.Name] = v.v
		d.scope.vars[v.v.Name] = d.finalValue(v)
	}
	d.scope.ctx = nil
	for _, v := range order {
		d.validate(v)
	}
}

// decodeVariable decodes one variable block and its default.
func (d *decoder) decodeVariable(b *hcl.Block, decls map[string]*varDecl) *varDecl {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		d.add(hcl.Diagnostics{errorDiag("Invalid variable name",
			fmt.Sprintf("The name %q is not valid: a variable name must start with a letter and contain only letters, digits, underscores and dashes.", name),
			b.LabelRanges[0])})
		return nil
	}
	if prev, dup := decls[name]; dup {
		d.add(hcl.Diagnostics{errorDiag("Duplicate variable declaration",
			fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique; rename or remove one of them.", name, prev.v.DeclRange),
			b.DefRange)})
		return nil
	}
	v := &varDecl{v: &Variable{Name: name, DeclRange: b.DefRange}, ty: cty.DynamicPseudoType}
	content, diags := b.Body.Content(variableBlockSchema)
	d.add(diags)
	if a := content.Attributes["type"]; a != nil {
		ty, diags := typeexpr.TypeConstraint(a.Expr)
		d.add(diags)
		if !diags.HasErrors() {
			v.ty = ty
		}
	}
	if a := content.Attributes["description"]; a != nil {
		if val, ok := d.staticValue(a, cty.String); ok {
			v.v.Description = val.AsString()
		}
	}
	if a := content.Attributes["sensitive"]; a != nil {
		if val, ok := d.staticValue(a, cty.Bool); ok {
			v.v.Sensitive = val.True()
		}
	}
	if a := content.Attributes["default"]; a != nil {
		val, diags := a.Expr.Value(nil)
		d.add(diags)
		if !diags.HasErrors() && !val.IsNull() {
			v.set(val, "the default", a.Expr.Range().Ptr())
		}
	}
	for _, vb := range content.Blocks {
		var rule validationBlock
		diags := gohcl.DecodeBody(vb.Body, nil, &rule)
		d.add(diags)
		okCond := d.require(vb.Body, rule.Condition, "condition")
		okMsg := d.require(vb.Body, rule.ErrorMessage, "error_message")
		if !diags.HasErrors() && okCond && okMsg {
			rule.DefRange = vb.DefRange
			v.validations = append(v.validations, rule)
		}
	}
	return v
}

// staticValue evaluates a variable attribute that must be a constant.
func (d *decoder) staticValue(a *hcl.Attribute, ty cty.Type) (cty.Value, bool) {
	val, diags := a.Expr.Value(nil)
	d.add(diags)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(val, ty)
	if err == nil && cv.IsNull() {
		err = fmt.Errorf("must not be null")
	}
	if err != nil {
		d.add(hcl.Diagnostics{errorDiag("Incorrect value type",
			fmt.Sprintf("Inappropriate value for %s: %s. Give a constant of type %s.", a.Name, convertErr(err), typeexpr.TypeString(ty)),
			a.Expr.Range())})
		return cty.NilVal, false
	}
	return cv, true
}

// varFileValues reads the -var-file files in order.
func (d *decoder) varFileValues(decls map[string]*varDecl) {
	for _, path := range d.opts.VarFiles {
		f, diags := d.files.parse(path)
		d.add(diags)
		if f == nil {
			continue
		}
		attrs, diags := f.Body.JustAttributes()
		d.add(diags)
		for _, name := range sortedKeys(attrs) {
			a := attrs[name]
			v, ok := decls[name]
			if !ok {
				d.add(hcl.Diagnostics{warningDiag("Value for undeclared variable",
					fmt.Sprintf("The file %s sets %q, but no variable of that name is declared.%s srplan ignores it; declare the variable or remove the line.",
						path, name, didYouMean(name, sortedKeys(decls))),
					a.NameRange)})
				continue
			}
			val, diags := a.Expr.Value(nil)
			d.add(diags)
			if !diags.HasErrors() && !val.IsNull() {
				v.set(val, "the file "+path, a.Expr.Range().Ptr())
			}
		}
	}
}

// rawValue records a value given as a raw string (environment or -var):
// taken verbatim for string and untyped variables, parsed as an HCL
// expression otherwise.
func (d *decoder) rawValue(v *varDecl, raw, origin string) {
	if v.ty.Equals(cty.String) || v.ty.Equals(cty.DynamicPseudoType) {
		v.set(cty.StringVal(raw), origin, nil)
		return
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "<value for var."+v.v.Name+">", hcl.InitialPos)
	var val cty.Value
	if !diags.HasErrors() {
		val, diags = expr.Value(nil)
	}
	if diags.HasErrors() {
		// The parser's own diagnostics would point into a file that does
		// not exist and might quote a sensitive value; name the problem.
		d.add(hcl.Diagnostics{errorDiag("Invalid value for variable",
			fmt.Sprintf("The value for var.%s given by %s is not a valid %s constant: %s. Write it in HCL syntax, for example -var '%s=[\"a\", \"b\"]' for a list.",
				v.v.Name, origin, typeexpr.TypeString(v.ty), diags[0].Summary, v.v.Name),
			v.v.DeclRange)})
		v.set(cty.DynamicVal, origin, nil)
		return
	}
	v.set(val, origin, nil)
}

// finalValue converts the chosen value to the declared type, records it in
// the Variable (unmarked) and returns it for the scope (marked when
// sensitive; cty.DynamicVal when it failed, so that uses stay quiet).
func (d *decoder) finalValue(v *varDecl) cty.Value {
	if v.value == cty.NilVal {
		d.add(hcl.Diagnostics{errorDiag("No value for required variable",
			fmt.Sprintf("The variable %q has no default and no value was given. Set it with -var '%s=...', the environment variable %s%s, a -var-file, or give the variable a default.",
				v.v.Name, v.v.Name, envVarPrefix, v.v.Name),
			v.v.DeclRange)})
		return cty.DynamicVal
	}
	if !v.value.IsKnown() {
		return cty.DynamicVal
	}
	cv, err := convert.Convert(v.value, v.ty)
	if err != nil {
		subject := v.v.DeclRange
		if v.valueRange != nil {
			subject = *v.valueRange
		}
		d.add(hcl.Diagnostics{errorDiag("Invalid value for variable",
			fmt.Sprintf("The value for var.%s given by %s is not suitable: %s. The variable's type is %s.",
				v.v.Name, v.origin, convertErr(err), typeexpr.TypeString(v.ty)),
			subject)})
		return cty.DynamicVal
	}
	v.v.Value = cv
	if v.v.Sensitive {
		return cv.Mark(markSensitive)
	}
	return cv
}

// validate runs a variable's validation rules. Rules may refer to
// variables, not to locals.
func (d *decoder) validate(v *varDecl) {
	if v.v.Value == cty.NilVal {
		return
	}
	for _, rule := range v.validations {
		if !refersTo(rule.Condition, "var", v.v.Name) {
			d.add(hcl.Diagnostics{errorDiag("Invalid validation condition",
				fmt.Sprintf("The condition must refer to var.%s, the value it validates.", v.v.Name),
				rule.Condition.Range())})
			continue
		}
		ok, _, diags := d.scope.eval(rule.Condition, cty.Bool, "the validation condition")
		d.add(diags)
		if !ok.IsKnown() {
			continue
		}
		if ok.IsNull() {
			d.add(hcl.Diagnostics{errorDiag("Invalid validation condition",
				"The condition evaluated to null; it must be true or false.", rule.Condition.Range())})
			continue
		}
		if ok.True() {
			continue
		}
		msg := "The value is not valid."
		m, marks, diags := d.scope.eval(rule.ErrorMessage, cty.String, "error_message")
		d.add(diags)
		switch {
		case marks.Has(markSensitive):
			msg = "The error message refers to a sensitive value and is not shown."
		case m.IsKnown() && !m.IsNull() && strings.TrimSpace(m.AsString()) != "":
			msg = m.AsString()
		}
		d.add(hcl.Diagnostics{&hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Invalid value for variable",
			Detail:      fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", msg, rule.DefRange),
			Subject:     rule.Condition.Range().Ptr(),
			Expression:  rule.Condition,
			EvalContext: d.scope.evalContext(),
		}})
	}
}

// refersTo reports whether expr refers to root.name.
func refersTo(expr hcl.Expression, root, name string) bool {
	for _, t := range expr.Variables() {
		if t.RootName() == root && len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok && a.Name == name {
				return true
			}
		}
	}
	return false
}

// String returns "var.NAME = VALUE" with a sensitive value shown as
// (sensitive).
func (v Variable) String() string { return "var." + v.Name + " = " + v.valueString() }

// GoString is like String, for %#v.
func (v Variable) GoString() string { return v.String() }

// Format prints String for every verb, so a sensitive value is never shown.
func (v Variable) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, v.String()) }

// MarshalJSON writes name, description, sensitive and the value as JSON,
// the value replaced by "(sensitive)" when sensitive.
func (v Variable) MarshalJSON() ([]byte, error) {
	out := struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Sensitive   bool            `json:"sensitive,omitempty"`
		Value       json.RawMessage `json:"value"`
	}{Name: v.Name, Description: v.Description, Sensitive: v.Sensitive, Value: json.RawMessage(v.valueString())}
	if v.Sensitive {
		out.Value = json.RawMessage(`"(sensitive)"`)
	}
	return json.Marshal(out)
}

// valueString renders the value as JSON, "(sensitive)" or "null".
func (v Variable) valueString() string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Value == cty.NilVal || v.Value.IsNull() || !v.Value.IsWhollyKnown():
		return "null"
	}
	b, err := ctyjson.Marshal(v.Value, v.Value.Type())
	if err != nil {
		return "null"
	}
	return string(b)
}
