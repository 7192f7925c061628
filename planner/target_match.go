package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/srplan/srplan/lang"
)

// maxListedTables bounds the table names a -target warning lists.
const maxListedTables = 20

// targetDiagnostics warns about each -target address (only) that selects
// nothing, so that a mistyped address is not silently an empty plan:
//
//   - an address whose table is not among the tables the spec selects
//     (sel) names the closest of them (did you mean) and lists them;
//   - an address db.table/partition whose table has no such formal
//     partition on the source names the closest partition.
//
// The plan is still computed: the warnings carry no spec range, since the
// address comes from the command line.
func targetDiagnostics(only []Addr, sel []selected, sources map[string]*Catalog) hcl.Diagnostics {
	if len(only) == 0 {
		return nil
	}
	tables := make(map[TableAddr]*Table, len(sel))
	names := make([]string, 0, len(sel))
	for _, s := range sel {
		var t *Table
		if cat := sources[s.block.From]; cat != nil {
			t = cat.Tables[s.addr]
		}
		tables[s.addr] = t
		names = append(names, s.addr.String())
	}
	slices.Sort(names)
	var diags hcl.Diagnostics
	seen := map[Addr]bool{}
	for _, a := range only {
		if seen[a] {
			continue
		}
		seen[a] = true
		t, ok := tables[a.Table]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Target address matches no table",
				Detail:   fmt.Sprintf("-target %s selects nothing: %s is not a table of the spec.%s %s", a, a.Table, didYouMean(a.Table.String(), names), listTables(names)),
			})
			continue
		}
		if a.Partition == "" || t == nil {
			continue
		}
		parts := make([]string, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			parts = append(parts, p.Name)
		}
		if slices.Contains(parts, a.Partition) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Target address matches no partition",
			Detail: fmt.Sprintf("-target %s selects nothing: %s has no partition %s on the source (%d partitions).%s",
				a, a.Table, a.Partition, len(parts), didYouMean(a.Partition, parts)),
		})
	}
	return diags
}

// didYouMean returns " Did you mean X?" for the candidate closest to s
// (case-insensitive edit distance), or "" when none is close: within a
// third of the longer name, at least 2.
func didYouMean(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := lang.EditDistance(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(2, max(len(s), len(best))/3) {
		return ""
	}
	return " Did you mean " + best + "?"
}

// listTables renders the tables the spec selects, at most maxListedTables.
func listTables(names []string) string {
	switch {
	case len(names) == 0:
		return "The spec selects no table on the sources."
	case len(names) > maxListedTables:
		return fmt.Sprintf("The spec selects %d tables: %s and %d more.", len(names), strings.Join(names[:maxListedTables], ", "), len(names)-maxListedTables)
	}
	return "The spec selects: " + strings.Join(names, ", ") + "."
}
