package lang

import (
	"fmt"
	"math"
	"math/big"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// tableBody is the body of a table block.
type tableBody struct {
	From        hcl.Expression  `hcl:"from,optional"`
	To          hcl.Expression  `hcl:"to,optional"`
	Via         hcl.Expression  `hcl:"via,optional"`
	LoadVia     hcl.Expression  `hcl:"load_via,optional"`
	Method      hcl.Expression  `hcl:"method,optional"`
	TargetTable hcl.Expression  `hcl:"target_table,optional"`
	Where       hcl.Expression  `hcl:"where,optional"`
	Split       hcl.Expression  `hcl:"split,optional"`
	Throttle    hcl.Expression  `hcl:"throttle,optional"`
	AllowDelete hcl.Expression  `hcl:"allow_delete,optional"`
	Repository  hcl.Expression  `hcl:"repository,optional"`
	Partitions  *partitionsBody `hcl:"partitions,block"`
	Schema      *schemaBody     `hcl:"schema,block"`
	Verify      *verifyBody     `hcl:"verify,block"`
}

// partitionsBody is the partitions block of a table.
type partitionsBody struct {
	Include  hcl.Expression `hcl:"include,optional"`
	Exclude  hcl.Expression `hcl:"exclude,optional"`
	From     hcl.Expression `hcl:"from,optional"`
	To       hcl.Expression `hcl:"to,optional"`
	DefRange hcl.Range      `hcl:",def_range"`
}

// schemaBody is the schema block of a table.
type schemaBody struct {
	Create         hcl.Expression `hcl:"create,optional"`
	Properties     hcl.Expression `hcl:"properties,optional"`
	DropProperties hcl.Expression `hcl:"drop_properties,optional"`
}

// verifyBody is the verify block of a table.
type verifyBody struct {
	Mode     hcl.Expression `hcl:"mode,optional"`
	Sums     hcl.Expression `hcl:"sums,optional"`
	DefRange hcl.Range      `hcl:",def_range"`
}

// Verify modes.
const (
	VerifyCount    = "count"
	VerifyChecksum = "checksum"
	VerifySums     = "sums"
)

// Split bounds.
const (
	MinSplitParts = 2
	MaxSplitParts = 1024
)

// decodeTables decodes the table blocks in order; a label seen before is
// reported and its block skipped.
func (d *decoder) decodeTables(blocks hcl.Blocks, cfg *Config) {
	first := map[string]hcl.Range{}
	for _, b := range blocks {
		label := b.Labels[0]
		if prev, dup := first[label]; dup {
			d.add(hcl.Diagnostics{errorDiag("Duplicate table block",
				fmt.Sprintf("A table block for %q was already declared at %s. Merge the two blocks or remove one.", label, prev),
				b.DefRange)})
			continue
		}
		first[label] = b.DefRange
		cfg.Tables = append(cfg.Tables, d.decodeTable(b, cfg))
	}
}

// decodeTable decodes one table block.
func (d *decoder) decodeTable(b *hcl.Block, cfg *Config) *Table {
	t := &Table{Pattern: b.Labels[0], Method: MethodAuto, DeclRange: b.DefRange,
		Schema: SchemaRule{Create: true}, Verify: VerifyRule{Mode: VerifyChecksum}}
	t.DBPattern, t.TablePattern = d.tableLabel(t.Pattern, b.LabelRanges[0])
	var raw tableBody
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	s := d.scope

	t.From = d.ref(raw.From, "from", "source", sortedKeys(cfg.Sources), b.DefRange)
	t.To = d.ref(raw.To, "to", "target", sortedKeys(cfg.Targets), b.DefRange)
	t.Via = d.ref(raw.Via, "via", "storage", sortedKeys(cfg.Storages), b.DefRange)
	if !absent(raw.LoadVia) {
		if lv := d.ref(raw.LoadVia, "load_via", "storage", sortedKeys(cfg.Storages), b.DefRange); lv != t.Via {
			t.LoadVia = lv
		}
	}
	if !absent(raw.Throttle) {
		t.Throttle = d.ref(raw.Throttle, "throttle", "throttle", sortedKeys(cfg.Throttles), b.DefRange)
	}

	if !absent(raw.Repository) {
		t.Repository = d.ref(raw.Repository, "repository", "repository", sortedKeys(cfg.Repositories), b.DefRange)
	}

	method, ok, diags := s.str(raw.Method, "method")
	d.add(diags)
	if ok {
		switch m := Method(method); m {
		case MethodAuto, MethodExport, MethodFiles, MethodBackup:
			t.Method = m
		default:
			d.add(hcl.Diagnostics{errorDiag("Invalid method",
				fmt.Sprintf("srplan has no method %q.%s Use \"auto\", \"export\" (EXPORT, CSV), \"files\" (INSERT INTO FILES, Parquet) or \"backup\" (BACKUP/RESTORE).",
					method, didYouMean(method, []string{"auto", "export", "files", "backup"})),
				raw.Method.Range())})
		}
	}

	target, ok, diags := s.str(raw.TargetTable, "target_table")
	d.add(diags)
	if ok {
		if msg := checkTargetTable(target, t.isPattern()); msg != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid target table", msg, raw.TargetTable.Range())})
		} else {
			t.TargetTable = target
		}
	}

	where, ok, diags := s.str(raw.Where, "where")
	d.add(diags)
	if ok {
		t.Where = strings.TrimSpace(where)
	}
	t.Split = d.split(raw.Split)
	d.checkMethodFilters(t, raw)
	d.checkTableRepository(t, raw, b.DefRange)

	allow, _, diags := s.boolean(raw.AllowDelete, "allow_delete")
	d.add(diags)
	t.AllowOrphanDelete = allow

	if raw.Partitions != nil {
		t.Partitions = d.partitions(raw.Partitions)
	}
	if raw.Schema != nil {
		t.Schema = d.schema(raw.Schema)
	}
	if raw.Verify != nil {
		t.Verify = d.verify(raw.Verify)
	}
	return t
}

// isPattern reports whether the table label holds glob metacharacters.
func (t *Table) isPattern() bool { return hasGlobMeta(t.Pattern) }

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// tableLabel splits and checks a table label "db.table", either part of
// which may be a path.Match glob.
func (d *decoder) tableLabel(label string, rng hcl.Range) (db, table string) {
	db, table, _ = strings.Cut(label, ".")
	if strings.Count(label, ".") != 1 || db == "" || table == "" {
		d.add(hcl.Diagnostics{errorDiag("Invalid table address",
			fmt.Sprintf("The label %q must be \"db.table\" with exactly one '.', such as \"sales.orders\" or the pattern \"sales.*\".", label), rng)})
		return db, table
	}
	for _, part := range []string{db, table} {
		if _, err := path.Match(part, ""); err != nil {
			d.add(hcl.Diagnostics{errorDiag("Invalid table pattern",
				fmt.Sprintf("%q is not a valid glob: %s. Use * for any run of characters, ? for one character and [a-z] for a class; close every '['.", part, err), rng)})
		}
	}
	return db, table
}

// ref resolves a from, to, via or throttle argument: a reference kind.NAME
// to a declared block. When the argument is absent and exactly one block of
// the kind exists, that block is used (throttle is optional and has no such
// default; callers skip it when absent).
func (d *decoder) ref(expr hcl.Expression, arg, kind string, names []string, blockRange hcl.Range) string {
	if absent(expr) {
		switch len(names) {
		case 1:
			return names[0]
		case 0:
			d.add(hcl.Diagnostics{errorDiag("Missing required argument",
				fmt.Sprintf("The table needs %s = %s.NAME, but the spec declares no %s block. Declare one.", arg, kind, kind), blockRange)})
		default:
			d.add(hcl.Diagnostics{errorDiag("Missing required argument",
				fmt.Sprintf("The spec declares %d %s blocks (%s), so the table must name one: %s = %s.%s.",
					len(names), kind, strings.Join(names, ", "), arg, kind, names[0]), blockRange)})
		}
		return ""
	}
	example := kind + ".NAME"
	if len(names) > 0 {
		example = kind + "." + names[0]
	}
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(trav) != 2 {
		d.add(hcl.Diagnostics{errorDiag("Invalid reference",
			fmt.Sprintf("%s takes a reference to a %s block, written without quotes: %s = %s.", arg, kind, arg, example), expr.Range())})
		return ""
	}
	attr, ok := trav[1].(hcl.TraverseAttr)
	if !ok {
		d.add(hcl.Diagnostics{errorDiag("Invalid reference",
			fmt.Sprintf("%s takes a reference of the form %s.", arg, example), expr.Range())})
		return ""
	}
	summary := fmt.Sprintf("Reference to undeclared %s", kind)
	if root := trav.RootName(); root != kind {
		d.add(hcl.Diagnostics{errorDiag(summary,
			fmt.Sprintf("%s must refer to a %s block, such as %s; %s.%s is not one.", arg, kind, example, root, attr.Name), trav.SourceRange())})
		return ""
	}
	for _, n := range names {
		if n == attr.Name {
			return n
		}
	}
	d.add(hcl.Diagnostics{errorDiag(summary,
		fmt.Sprintf("No %s named %q is declared.%s Declare a %s %q block or refer to an existing one.",
			kind, attr.Name, didYouMean(attr.Name, names), kind, attr.Name), trav.SourceRange())})
	return ""
}

// checkTargetTable returns "" when target is a valid rename for the block,
// or a message.
func checkTargetTable(target string, pattern bool) string {
	db, tbl, _ := strings.Cut(target, ".")
	if strings.Count(target, ".") != 1 || db == "" || tbl == "" || hasGlobMeta(db) {
		if pattern {
			return fmt.Sprintf("target_table %q must be \"db.*\": a pattern block keeps each table's name and can change only its database.", target)
		}
		return fmt.Sprintf("target_table %q must be \"db.table\" with exactly one '.', such as \"sales.orders_v2\".", target)
	}
	if pattern && tbl != "*" {
		return fmt.Sprintf("target_table %q would copy every table matched by the pattern into one table. A pattern block can change only the database: write \"%s.*\".", target, db)
	}
	if !pattern && hasGlobMeta(tbl) {
		return fmt.Sprintf("target_table %q holds a pattern, but the block names a single table. Write the new name, such as \"%s.orders_v2\".", target, db)
	}
	return ""
}

// split decodes split = { column = "c", parts = 8 }.
func (d *decoder) split(expr hcl.Expression) *Split {
	v, ok, diags := d.scope.plain(expr, cty.DynamicPseudoType, "split")
	d.add(diags)
	if !ok {
		return nil
	}
	const example = `split = { column = "user_id", parts = 8 }`
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		d.add(hcl.Diagnostics{errorDiag("Invalid split", "split must be an object: "+example+".", expr.Range())})
		return nil
	}
	sp := &Split{}
	var haveColumn, haveParts bool
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		switch key := k.AsString(); key {
		case "column":
			s, ok := ctyString(ev)
			if !ok || strings.TrimSpace(s) == "" || strings.Contains(s, "`") {
				d.add(hcl.Diagnostics{errorDiag("Invalid split column",
					"column must name one column of the table, such as \"user_id\".", objectItemRange(expr, "column"))})
				continue
			}
			sp.Column, haveColumn = s, true
		case "parts":
			n, ok := ctyInt(ev)
			if !ok || n < MinSplitParts || n > MaxSplitParts {
				d.add(hcl.Diagnostics{errorDiag("Invalid split parts",
					fmt.Sprintf("parts must be a whole number from %d to %d.", MinSplitParts, MaxSplitParts), objectItemRange(expr, "parts"))})
				continue
			}
			sp.Parts, haveParts = n, true
		default:
			d.add(hcl.Diagnostics{errorDiag("Unsupported split attribute",
				fmt.Sprintf("split has no attribute %q.%s It takes column and parts: %s.", key, didYouMean(key, []string{"column", "parts"}), example), expr.Range())})
		}
	}
	if !haveColumn || !haveParts {
		return nil
	}
	return sp
}

// objectItemRange returns the range of the value of key in an object
// constructor expression such as { column = "c", parts = 8 }, or the whole
// expression's range when expr is not written that way.
func objectItemRange(expr hcl.Expression, key string) hcl.Range {
	if obj, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range obj.Items {
			if k := hcl.ExprAsKeyword(item.KeyExpr); k == key {
				return item.ValueExpr.Range()
			}
			if v, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && v.Type().Equals(cty.String) && v.IsKnown() && !v.IsNull() && v.AsString() == key {
				return item.ValueExpr.Range()
			}
		}
	}
	return expr.Range()
}

// checkMethodFilters rejects where and split for methods that copy whole
// partitions.
func (d *decoder) checkMethodFilters(t *Table, raw tableBody) {
	if t.Method != MethodExport && t.Method != MethodBackup {
		return
	}
	why := map[Method]string{
		MethodExport: "EXPORT writes whole partitions and cannot filter or split rows.",
		MethodBackup: "BACKUP and RESTORE copy whole partitions and cannot filter or split rows.",
	}[t.Method]
	if t.Where != "" {
		d.add(hcl.Diagnostics{errorDiag(fmt.Sprintf("Method %s cannot filter rows", t.Method),
			why+" Use method = \"files\" (INSERT INTO FILES, StarRocks 3.2 or later), or remove where.", raw.Where.Range())})
	}
	if t.Split != nil || !absent(raw.Split) {
		d.add(hcl.Diagnostics{errorDiag(fmt.Sprintf("Method %s cannot split partitions", t.Method),
			why+" Use method = \"files\" (INSERT INTO FILES, StarRocks 3.2 or later), or remove split.", raw.Split.Range())})
	}
}

// partitions decodes a partitions block.
func (d *decoder) partitions(raw *partitionsBody) *PartitionFilter {
	s := d.scope
	f := &PartitionFilter{DeclRange: raw.DefRange}
	globs := func(expr hcl.Expression, what string) []string {
		list, ranges, _, diags := s.strList(expr, what)
		d.add(diags)
		var out []string
		for i, g := range list {
			if _, err := path.Match(g, ""); err != nil || g == "" {
				d.add(hcl.Diagnostics{errorDiag("Invalid partition pattern",
					fmt.Sprintf("%q is not a valid partition name glob. Use * for any run of characters, ? for one character and [0-9] for a class; close every '['.", g),
					ranges[i])})
				continue
			}
			out = append(out, g)
		}
		return out
	}
	f.Include = globs(raw.Include, "include")
	f.Exclude = globs(raw.Exclude, "exclude")
	var diags hcl.Diagnostics
	f.From, _, diags = s.str(raw.From, "from")
	d.add(diags)
	f.To, _, diags = s.str(raw.To, "to")
	d.add(diags)
	if f.From != "" && f.To != "" && f.From >= f.To {
		d.add(hcl.Diagnostics{&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid partition range",
			Detail: fmt.Sprintf("from %q is not before to %q, so no partition would be selected. Partitions are compared by name in byte order (from is included, to is not); swap the bounds or widen them.",
				f.From, f.To),
			Subject: raw.To.Range().Ptr(),
			Context: hcl.RangeBetween(raw.From.Range(), raw.To.Range()).Ptr(),
		}})
	}
	return f
}

// schema decodes a schema block; create defaults to true.
func (d *decoder) schema(raw *schemaBody) SchemaRule {
	s := d.scope
	r := SchemaRule{Create: true}
	create, ok, diags := s.boolean(raw.Create, "create")
	d.add(diags)
	if ok {
		r.Create = create
	}
	r.Properties, _, diags = s.strMap(raw.Properties, "properties")
	d.add(diags)
	drop, ranges, _, diags := s.strList(raw.DropProperties, "drop_properties")
	d.add(diags)
	for i, p := range drop {
		if _, set := r.Properties[p]; set {
			d.add(hcl.Diagnostics{errorDiag("Conflicting table property",
				fmt.Sprintf("The property %q is both set in properties and listed in drop_properties. Keep it in one of them.", p), ranges[i])})
			continue
		}
		r.DropProperties = append(r.DropProperties, p)
	}
	return r
}

// verify decodes a verify block: mode defaults to checksum, and sums is
// required exactly when mode is sums.
func (d *decoder) verify(raw *verifyBody) VerifyRule {
	s := d.scope
	r := VerifyRule{Mode: VerifyChecksum}
	mode, ok, diags := s.str(raw.Mode, "mode")
	d.add(diags)
	if ok {
		switch mode {
		case VerifyCount, VerifyChecksum, VerifySums:
			r.Mode = mode
		default:
			d.add(hcl.Diagnostics{errorDiag("Invalid verify mode",
				fmt.Sprintf("srplan has no verify mode %q.%s Use \"count\" (row counts), \"checksum\" (counts and a checksum of every column) or \"sums\" (counts and sums of the columns in sums).",
					mode, didYouMean(mode, []string{VerifyCount, VerifyChecksum, VerifySums})),
				raw.Mode.Range())})
			return r
		}
	}
	sums, _, sumsSet, diags := s.strList(raw.Sums, "sums")
	d.add(diags)
	switch {
	case r.Mode == VerifySums && len(sums) == 0 && !diags.HasErrors():
		subject := raw.DefRange
		if sumsSet {
			subject = raw.Sums.Range()
		}
		d.add(hcl.Diagnostics{errorDiag("Missing verify sums",
			"mode = \"sums\" compares the sums of the columns listed in sums, so sums must name at least one numeric column: sums = [\"amount\"].", subject)})
	case r.Mode != VerifySums && sumsSet:
		d.add(hcl.Diagnostics{errorDiag("Unexpected verify sums",
			fmt.Sprintf("sums is used only with mode = \"sums\", but the mode is %q. Set mode = \"sums\" or remove sums.", r.Mode), raw.Sums.Range())})
	default:
		r.Sums = sums
	}
	return r
}

// ctyString converts a cty value to a Go string, as HCL's own conversion
// rules allow (numbers and bools become their text).
func ctyString(v cty.Value) (string, bool) {
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() {
		return "", false
	}
	return sv.AsString(), true
}

// ctyInt converts a cty number (or numeric string) to a whole int.
func ctyInt(v cty.Value) (int, bool) {
	nv, err := convert.Convert(v, cty.Number)
	if err != nil || nv.IsNull() {
		return 0, false
	}
	i, acc := nv.AsBigFloat().Int64()
	if acc != big.Exact || i > math.MaxInt32 || i < math.MinInt32 {
		return 0, false
	}
	return int(i), true
}
