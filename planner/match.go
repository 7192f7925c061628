package planner

import (
	"path"
	"sort"

	"github.com/srplan/srplan/lang"
)

// selected is one source table chosen by a table block.
type selected struct {
	addr  TableAddr
	block *lang.Table
}

// isPattern reports whether a table label holds glob metacharacters.
func isPattern(t *lang.Table) bool {
	return hasMeta(t.DBPattern) || hasMeta(t.TablePattern)
}

func hasMeta(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			return true
		}
	}
	return false
}

// globMatch is path.Match with a malformed pattern treated as no match;
// lang has already rejected malformed patterns.
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// selectTables expands the spec's table blocks against the source catalogs.
// Exact labels win over patterns; among patterns the first declared wins.
// The result is sorted by source address. Exact labels naming a missing
// table and patterns matching nothing are returned as notFound.
func selectTables(cfg *lang.Config, sources map[string]*Catalog) (sel []selected, notFound []*lang.Table, overlaps [][2]*lang.Table) {
	chosen := map[TableAddr]*lang.Table{}
	// Exact blocks first.
	for _, b := range cfg.Tables {
		if isPattern(b) {
			continue
		}
		cat := sources[b.From]
		addr := TableAddr{DB: b.DBPattern, Table: b.TablePattern}
		if cat == nil || cat.Tables[addr] == nil {
			notFound = append(notFound, b)
			continue
		}
		if _, dup := chosen[addr]; !dup {
			chosen[addr] = b
		}
	}
	for _, b := range cfg.Tables {
		if !isPattern(b) {
			continue
		}
		cat := sources[b.From]
		matched := false
		if cat != nil {
			for addr := range cat.Tables {
				if !globMatch(b.DBPattern, addr.DB) || !globMatch(b.TablePattern, addr.Table) {
					continue
				}
				matched = true
				prev, taken := chosen[addr]
				if !taken {
					chosen[addr] = b
					continue
				}
				if isPattern(prev) && prev != b {
					overlaps = append(overlaps, [2]*lang.Table{prev, b})
				}
			}
		}
		if !matched {
			notFound = append(notFound, b)
		}
	}
	sel = make([]selected, 0, len(chosen))
	for addr, b := range chosen {
		sel = append(sel, selected{addr: addr, block: b})
	}
	sort.Slice(sel, func(i, j int) bool { return lessAddr(sel[i].addr, sel[j].addr) })
	return sel, notFound, dedupOverlaps(overlaps)
}

func lessAddr(a, b TableAddr) bool {
	if a.DB != b.DB {
		return a.DB < b.DB
	}
	return a.Table < b.Table
}

// dedupOverlaps keeps one entry per pair of blocks.
func dedupOverlaps(in [][2]*lang.Table) [][2]*lang.Table {
	seen := map[[2]*lang.Table]bool{}
	var out [][2]*lang.Table
	for _, o := range in {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}

// targetAddr applies the block's rename rule to a source address.
func targetAddr(b *lang.Table, src TableAddr) TableAddr {
	if b.TargetTable == "" {
		return src
	}
	t, err := ParseTableAddr(b.TargetTable)
	if err != nil {
		return src
	}
	if t.Table == "*" {
		return TableAddr{DB: t.DB, Table: src.Table}
	}
	return t
}

// partitionSelected applies a partitions block to a partition name: any
// include glob (or none given), no exclude glob, and From <= name < To in
// byte-wise lexical order.
func partitionSelected(f *lang.PartitionFilter, name string) bool {
	if f == nil {
		return true
	}
	if len(f.Include) > 0 {
		ok := false
		for _, g := range f.Include {
			if globMatch(g, name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, g := range f.Exclude {
		if globMatch(g, name) {
			return false
		}
	}
	if f.From != "" && name < f.From {
		return false
	}
	if f.To != "" && name >= f.To {
		return false
	}
	return true
}
