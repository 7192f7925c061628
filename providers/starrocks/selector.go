package starrocks

import (
	"path"
	"slices"
	"strings"

	"github.com/srplan/srplan/lang"
)

// Selector chooses the tables ReadCatalog reads.
type Selector interface {
	// Databases returns the database names or path.Match globs to look in.
	Databases() []string
	// Match reports whether table of db is selected.
	Match(db, table string) bool
}

// Pattern selects tables by two path.Match globs (an exact name is a glob
// without meta characters). A malformed glob matches nothing; lang rejects
// such patterns before srplan connects anywhere.
type Pattern struct {
	DB    string
	Table string
}

// Patterns is a Selector that selects the tables matching any of its
// patterns.
type Patterns []Pattern

var _ Selector = Patterns(nil)

// Databases returns the distinct DB patterns in first-seen order.
func (ps Patterns) Databases() []string {
	var out []string
	for _, p := range ps {
		if !slices.Contains(out, p.DB) {
			out = append(out, p.DB)
		}
	}
	return out
}

// Match reports whether db.table matches any pattern.
func (ps Patterns) Match(db, table string) bool {
	for _, p := range ps {
		if globMatch(p.DB, db) && globMatch(p.Table, table) {
			return true
		}
	}
	return false
}

// globMatch is path.Match with a malformed pattern matching nothing.
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// isGlob reports whether pattern has path.Match meta characters.
func isGlob(pattern string) bool { return strings.ContainsAny(pattern, `*?[\`) }

// SelectorFromTables builds the selector of one cluster from the spec's
// table blocks. Pass the blocks whose From (for a source) or To (for a
// target) names that cluster. On the source side each block selects its
// own pattern. On the target side a block's TargetTable rename applies:
// "db.table" for an exact block, "db.*" for a pattern block (the table
// pattern is kept and the database replaced); an empty TargetTable keeps
// the source names.
func SelectorFromTables(tables []*lang.Table, side lang.ClusterKind) Selector {
	ps := make(Patterns, 0, len(tables))
	for _, t := range tables {
		p := Pattern{DB: t.DBPattern, Table: t.TablePattern}
		if side == lang.TargetCluster && t.TargetTable != "" {
			db, tbl, ok := strings.Cut(t.TargetTable, ".")
			if ok {
				p.DB = db
				if tbl != "*" {
					p.Table = tbl
				}
			}
		}
		ps = append(ps, p)
	}
	return ps
}
