package planner

import (
	"regexp"
	"strings"
)

// columnDrift compares source and target columns by name. Column order is
// not drift: loads always name their columns.
func columnDrift(src, dst []Column) []ColumnDiff {
	tcols := make(map[string]Column, len(dst))
	for _, c := range dst {
		tcols[strings.ToLower(c.Name)] = c
	}
	var out []ColumnDiff
	seen := make(map[string]bool, len(src))
	for _, s := range src {
		key := strings.ToLower(s.Name)
		seen[key] = true
		t, ok := tcols[key]
		if !ok {
			out = append(out, ColumnDiff{Kind: "added", Column: s.Name, Source: columnDef(s)})
			continue
		}
		if normType(s.Type) != normType(t.Type) || s.Nullable != t.Nullable {
			out = append(out, ColumnDiff{Kind: "changed", Column: s.Name, Source: columnDef(s), Target: columnDef(t)})
		}
	}
	for _, t := range dst {
		if !seen[strings.ToLower(t.Name)] {
			out = append(out, ColumnDiff{Kind: "removed", Column: t.Name, Target: columnDef(t)})
		}
	}
	return out
}

func columnDef(c Column) string {
	s := c.Type
	if c.Nullable {
		s += " NULL"
	} else {
		s += " NOT NULL"
	}
	return s
}

var intWidth = regexp.MustCompile(`^(tinyint|smallint|int|bigint|largeint)\(\d+\)$`)

// normType folds spellings that mean the same type: integer display widths
// (int(11) = int) and string = varchar(65533).
func normType(t string) string {
	t = strings.ToLower(strings.ReplaceAll(t, " ", ""))
	if m := intWidth.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	if t == "string" {
		return "varchar(65533)"
	}
	return t
}
