package lang

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// decodeLocals gathers the attributes of every locals block, orders them by
// dependency and evaluates them. A cycle produces one diagnostic per local
// in it; the members of a cycle, and the locals that use them, evaluate to
// unknown so that their uses report nothing more.
func (d *decoder) decodeLocals(blocks hcl.Blocks) {
	var order []*hcl.Attribute
	byName := map[string]*hcl.Attribute{}
	for _, b := range blocks {
		attrs, diags := b.Body.JustAttributes()
		d.add(diags)
		for _, a := range sortedAttributes(attrs) {
			if prev, dup := byName[a.Name]; dup {
				d.add(hcl.Diagnostics{errorDiag("Duplicate local value",
					fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique across all locals blocks.", a.Name, prev.NameRange),
					a.NameRange)})
				continue
			}
			byName[a.Name] = a
			order = append(order, a)
		}
	}
	s := d.scope
	s.localsAllowed = true
	s.ctx = nil
	for _, a := range order {
		s.localDecl[a.Name] = true
	}
	for _, comp := range localComponents(order, byName) {
		if len(comp) > 1 || refersTo(comp[0].Expr, "local", comp[0].Name) {
			d.add(cycleDiags(comp, byName))
			for _, a := range comp {
				s.setLocal(a.Name, cty.DynamicVal)
			}
			continue
		}
		a := comp[0]
		v, marks, diags := s.eval(a.Expr, cty.DynamicPseudoType, "local."+a.Name)
		d.add(diags)
		// Keep the marks: a local derived from a sensitive variable stays
		// sensitive wherever it is used.
		s.setLocal(a.Name, v.WithMarks(marks))
	}
}

// sortedAttributes returns attrs in source order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Range.Start.Byte < out[j-1].Range.Start.Byte; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// localDeps returns the declared locals that a refers to.
func localDeps(a *hcl.Attribute, byName map[string]*hcl.Attribute) []*hcl.Attribute {
	var deps []*hcl.Attribute
	seen := map[string]bool{}
	for _, t := range a.Expr.Variables() {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		attr, ok := t[1].(hcl.TraverseAttr)
		if !ok || seen[attr.Name] {
			continue
		}
		if dep := byName[attr.Name]; dep != nil {
			seen[attr.Name] = true
			deps = append(deps, dep)
		}
	}
	return deps
}

// localComponents returns the strongly connected components of the local
// dependency graph (Tarjan), dependencies before their dependants: the
// evaluation order. A component with more than one member, or one member
// that refers to itself, is a cycle.
func localComponents(order []*hcl.Attribute, byName map[string]*hcl.Attribute) [][]*hcl.Attribute {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []*hcl.Attribute
	var comps [][]*hcl.Attribute
	next := 0
	var visit func(a *hcl.Attribute)
	visit = func(a *hcl.Attribute) {
		index[a.Name], low[a.Name] = next, next
		next++
		stack = append(stack, a)
		onStack[a.Name] = true
		for _, dep := range localDeps(a, byName) {
			if _, seen := index[dep.Name]; !seen {
				visit(dep)
				low[a.Name] = min(low[a.Name], low[dep.Name])
			} else if onStack[dep.Name] {
				low[a.Name] = min(low[a.Name], index[dep.Name])
			}
		}
		if low[a.Name] != index[a.Name] {
			return
		}
		var comp []*hcl.Attribute
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top.Name] = false
			comp = append(comp, top)
			if top == a {
				break
			}
		}
		comps = append(comps, comp)
	}
	for _, a := range order {
		if _, seen := index[a.Name]; !seen {
			visit(a)
		}
	}
	return comps
}

// cycleDiags reports each member of a cycle at its own range, naming the
// path by which it depends on itself.
func cycleDiags(comp []*hcl.Attribute, byName map[string]*hcl.Attribute) hcl.Diagnostics {
	in := map[string]bool{}
	for _, a := range comp {
		in[a.Name] = true
	}
	var diags hcl.Diagnostics
	for _, a := range sortedAttributes(attrMap(comp)) {
		path := cyclePath(a, in, byName)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in local values",
			Detail: fmt.Sprintf("local.%s depends on itself: %s. Remove one of these references to break the cycle.",
				a.Name, strings.Join(path, " -> ")),
			Subject: a.NameRange.Ptr(),
			Context: a.Range.Ptr(),
		})
	}
	return diags
}

func attrMap(list []*hcl.Attribute) hcl.Attributes {
	m := hcl.Attributes{}
	for _, a := range list {
		m[a.Name] = a
	}
	return m
}

// cyclePath finds a shortest path from a back to a inside the component, as
// "local.a", "local.b", "local.a".
func cyclePath(a *hcl.Attribute, in map[string]bool, byName map[string]*hcl.Attribute) []string {
	prev := map[string]string{}
	queue := []string{a.Name}
	seen := map[string]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, dep := range localDeps(byName[cur], byName) {
			if !in[dep.Name] {
				continue
			}
			if dep.Name == a.Name {
				path := []string{"local." + a.Name}
				for n := cur; n != a.Name; n = prev[n] {
					path = append(path, "local."+n)
				}
				path = append(path, "local."+a.Name)
				// path is a, then the chain backwards; reverse the middle.
				for i, j := 1, len(path)-2; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if !seen[dep.Name] {
				seen[dep.Name] = true
				prev[dep.Name] = cur
				queue = append(queue, dep.Name)
			}
		}
	}
	return []string{"local." + a.Name, "local." + a.Name}
}
