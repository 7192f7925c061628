package lang

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// valueMark is the type of the cty marks lang puts on values.
type valueMark string

const (
	// markSensitive is carried by every value derived from a variable
	// declared with sensitive = true.
	markSensitive valueMark = "sensitive"
	// markExternal is carried by every value derived from env() or file():
	// such a value is not written in the spec.
	markExternal valueMark = "external"
)

// scope evaluates expressions. Its EvalContext holds var.NAME (sensitive
// variables marked), local.NAME (when locals are allowed) and the functions.
type scope struct {
	specDir string
	funcs   map[string]function.Function
	// vars holds the declared variables' values, marked; a variable whose
	// value failed is cty.DynamicVal so that its uses stay quiet.
	vars map[string]cty.Value
	// localsAllowed is false while variables are validated.
	localsAllowed bool
	// localDecl holds every declared local; locals holds those evaluated so
	// far (cycle members and their dependants are cty.DynamicVal).
	localDecl map[string]bool
	locals    map[string]cty.Value
	ctx       *hcl.EvalContext
}

func newScope(specDir string, opts LoadOptions) *scope {
	return &scope{
		specDir:   specDir,
		funcs:     functions(specDir, opts),
		vars:      map[string]cty.Value{},
		localDecl: map[string]bool{},
		locals:    map[string]cty.Value{},
	}
}

// setLocal records an evaluated local and drops the cached EvalContext.
func (s *scope) setLocal(name string, v cty.Value) {
	s.locals[name] = v
	s.ctx = nil
}

// evalContext returns the EvalContext for the current variables and locals.
func (s *scope) evalContext() *hcl.EvalContext {
	if s.ctx != nil {
		return s.ctx
	}
	vars := map[string]cty.Value{"var": objectOf(s.vars)}
	if s.localsAllowed {
		vars["local"] = objectOf(s.locals)
	}
	s.ctx = &hcl.EvalContext{Variables: vars, Functions: s.funcs}
	return s.ctx
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// checkRefs reports references to anything but declared variables and
// locals, with a suggestion when a declared name is close.
func (s *scope) checkRefs(expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, t := range expr.Variables() {
		root, rng := t.RootName(), t.SourceRange()
		var name string
		if len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		switch root {
		case "var":
			if name == "" {
				diags = append(diags, errorDiag("Invalid reference",
					"A variable is referenced as var.NAME, for example var.src_password.", rng))
			} else if _, ok := s.vars[name]; !ok {
				diags = append(diags, errorDiag("Reference to undeclared input variable",
					fmt.Sprintf("No variable named %q is declared.%s Declare it with a variable %q block.",
						name, didYouMean(name, sortedKeys(s.vars)), name), rng))
			}
		case "local":
			switch {
			case !s.localsAllowed:
				diags = append(diags, errorDiag("Local values not allowed here",
					"Variable validation rules can refer to variables only, not to local values.", rng))
			case name == "":
				diags = append(diags, errorDiag("Invalid reference",
					"A local value is referenced as local.NAME, for example local.hosts.", rng))
			case !s.localDecl[name]:
				diags = append(diags, errorDiag("Reference to undeclared local value",
					fmt.Sprintf("No local value named %q is declared.%s Add it to a locals block.",
						name, didYouMean(name, sortedKeys(s.localDecl))), rng))
			}
		case "source", "target", "storage", "throttle":
			diags = append(diags, errorDiag("Invalid reference",
				fmt.Sprintf("A %s block can be referenced only by the table arguments from, to, via and throttle; expressions can refer to var.NAME and local.NAME.", root), rng))
		default:
			diags = append(diags, errorDiag("Invalid reference",
				fmt.Sprintf("There is no object named %q. Expressions can refer to var.NAME and local.NAME.", root), rng))
		}
	}
	return diags
}

// eval evaluates expr and converts it to ty (cty.DynamicPseudoType keeps
// the value's own type). It returns the value without marks and the set of
// marks found anywhere in it. A null value means the argument is absent; an
// unknown value means evaluation failed (and was diagnosed, or depends on
// something that was).
func (s *scope) eval(expr hcl.Expression, ty cty.Type, what string) (cty.Value, cty.ValueMarks, hcl.Diagnostics) {
	if diags := s.checkRefs(expr); diags.HasErrors() {
		return cty.UnknownVal(ty), nil, diags
	}
	ctx := s.evalContext()
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.UnknownVal(ty), nil, diags
	}
	v, marks := v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		return cty.UnknownVal(ty), marks, diags
	}
	if v.IsNull() {
		return cty.NullVal(ty), marks, diags
	}
	if ty.Equals(cty.DynamicPseudoType) {
		return v, marks, diags
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.UnknownVal(ty), marks, append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect value type",
			Detail:      fmt.Sprintf("Inappropriate value for %s: %s. Give a value of type %s.", what, convertErr(err), typeexpr.TypeString(ty)),
			Subject:     expr.Range().Ptr(),
			Expression:  expr,
			EvalContext: ctx,
		})
	}
	return cv, marks, diags
}

// convertErr words a cty conversion error for a diagnostic Detail.
func convertErr(err error) string {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return fmt.Sprintf("element %s: %s", formatPath(pe.Path), pe.Error())
	}
	return err.Error()
}

func formatPath(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch st := step.(type) {
		case cty.IndexStep:
			if st.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", st.Key.AsString())
			} else {
				fmt.Fprintf(&b, "[%s]", st.Key.AsBigFloat().Text('f', -1))
			}
		case cty.GetAttrStep:
			fmt.Fprintf(&b, ".%s", st.Name)
		}
	}
	return b.String()
}

// plain evaluates a non-secret argument: a value derived from a sensitive
// variable is an error there, because srplan shows these arguments in plans
// and logs. ok is false when the argument is absent or failed.
func (s *scope) plain(expr hcl.Expression, ty cty.Type, what string) (cty.Value, bool, hcl.Diagnostics) {
	v, marks, diags := s.eval(expr, ty, what)
	if v.IsNull() || !v.IsKnown() {
		return v, false, diags
	}
	if marks.Has(markSensitive) {
		return cty.UnknownVal(ty), false, append(diags, errorDiag("Sensitive value in a non-secret argument",
			fmt.Sprintf("The value of %s is derived from a variable declared with sensitive = true, but srplan shows %s in plans and logs. Use a variable without sensitive = true here.", what, what),
			expr.Range()))
	}
	return v, true, diags
}

// str evaluates an optional string argument.
func (s *scope) str(expr hcl.Expression, what string) (string, bool, hcl.Diagnostics) {
	v, ok, diags := s.plain(expr, cty.String, what)
	if !ok {
		return "", false, diags
	}
	return v.AsString(), true, diags
}

// boolean evaluates an optional bool argument.
func (s *scope) boolean(expr hcl.Expression, what string) (bool, bool, hcl.Diagnostics) {
	v, ok, diags := s.plain(expr, cty.Bool, what)
	if !ok {
		return false, false, diags
	}
	return v.True(), true, diags
}

// number evaluates an optional number argument.
func (s *scope) number(expr hcl.Expression, what string) (*big.Float, bool, hcl.Diagnostics) {
	v, ok, diags := s.plain(expr, cty.Number, what)
	if !ok {
		return nil, false, diags
	}
	return v.AsBigFloat(), true, diags
}

// integer evaluates an optional whole-number argument.
func (s *scope) integer(expr hcl.Expression, what string) (int, bool, hcl.Diagnostics) {
	f, ok, diags := s.number(expr, what)
	if !ok {
		return 0, false, diags
	}
	n, acc := f.Int64()
	if acc != big.Exact || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, false, append(diags, errorDiag("Invalid whole number",
			fmt.Sprintf("%s must be a whole number, not %s.", what, f.Text('g', 10)), expr.Range()))
	}
	return int(n), true, diags
}

// strList evaluates an optional list of strings. ranges[i] is the source
// range of element i: the element's own range when the argument is written
// as a list, the whole expression otherwise.
func (s *scope) strList(expr hcl.Expression, what string) (list []string, ranges []hcl.Range, ok bool, diags hcl.Diagnostics) {
	v, ok, diags := s.plain(expr, cty.List(cty.String), what)
	if !ok {
		return nil, nil, false, diags
	}
	exprs, d := hcl.ExprList(expr)
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, nil, false, append(diags, errorDiag("Invalid list element",
				fmt.Sprintf("%s must not contain null.", what), expr.Range()))
		}
		list = append(list, ev.AsString())
	}
	for i := range list {
		if !d.HasErrors() && len(exprs) == len(list) {
			ranges = append(ranges, exprs[i].Range())
		} else {
			ranges = append(ranges, expr.Range())
		}
	}
	return list, ranges, true, diags
}

// strMap evaluates an optional map of strings.
func (s *scope) strMap(expr hcl.Expression, what string) (map[string]string, bool, hcl.Diagnostics) {
	v, ok, diags := s.plain(expr, cty.Map(cty.String), what)
	if !ok {
		return nil, false, diags
	}
	m := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			return nil, false, append(diags, errorDiag("Invalid map element",
				fmt.Sprintf("%s must not contain null.", what), expr.Range()))
		}
		m[k.AsString()] = ev.AsString()
	}
	return m, true, diags
}

// credentialPolicy says how a secret argument written in the spec is
// reported.
type credentialPolicy int

const (
	// warnLiteral: passwords; a literal is a warning.
	warnLiteral credentialPolicy = iota
	// rejectLiteral: storage keys; a literal is an error.
	rejectLiteral
)

// secret evaluates a password or key. A value that carries neither the
// sensitive mark nor the external mark (env(), file()) was written in the
// spec or in an ordinary variable, and is reported according to policy.
func (s *scope) secret(expr hcl.Expression, what string, policy credentialPolicy) (Secret, bool, hcl.Diagnostics) {
	v, marks, diags := s.eval(expr, cty.String, what)
	if v.IsNull() || !v.IsKnown() {
		return Secret{}, false, diags
	}
	val := v.AsString()
	if val == "" || marks.Has(markSensitive) || marks.Has(markExternal) {
		return NewSecret(val), true, diags
	}
	sev, noun := hcl.DiagWarning, "Password"
	if policy == rejectLiteral {
		sev, noun = hcl.DiagError, "Credential"
	}
	how := fmt.Sprintf("Declare a variable with sensitive = true and set it with -var or SRPLAN_VAR_name, or read the value with env(\"NAME\") or file(\"PATH\"), and use that for %s.", what)
	d := &hcl.Diagnostic{Severity: sev, Subject: expr.Range().Ptr()}
	if len(expr.Variables()) == 0 {
		d.Summary = noun + " written in the spec"
		d.Detail = fmt.Sprintf("The value of %s is written in the spec, where anyone who can read the file or its history can see it. %s", what, how)
		d.Extra = secretSubject{} // the snippet must not print the value
	} else {
		d.Summary = noun + " not marked sensitive"
		d.Detail = fmt.Sprintf("The value of %s comes from a variable or local value that is not derived from a sensitive variable, env() or file(), so srplan cannot keep it out of output. %s", what, how)
	}
	return NewSecret(val), true, append(diags, d)
}

// absent reports whether expr is missing or a literal null: gohcl fills
// missing optional hcl.Expression fields with a static null expression.
func absent(expr hcl.Expression) bool {
	if expr == nil {
		return true
	}
	if len(expr.Variables()) > 0 {
		return false
	}
	v, diags := expr.Value(nil)
	return !diags.HasErrors() && v.IsNull()
}
