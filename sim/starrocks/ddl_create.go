package starrocks

import (
	"fmt"
	"strings"
)

// createTableStmt is a parsed CREATE TABLE.
type createTableStmt struct {
	IfNotExists bool
	DB          string
	Def         *TableDef
	Specs       []partitionSpec // initial RANGE/LIST partitions, batches expanded
	LikeDB      string          // CREATE TABLE t LIKE src
	Like        string
}

// parseCreateTable parses CREATE TABLE ... as StarRocks' grammar allows:
// CREATE TABLE [IF NOT EXISTS] name (cols[, indexes]) [ENGINE=OLAP] [keys]
// [COMMENT] [partition] [distribution] [ORDER BY (...)] [PROPERTIES (...)].
func parseCreateTable(src string) (*createTableStmt, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	st := &createTableStmt{}
	if err := p.expectKw("CREATE"); err != nil {
		return nil, err
	}
	if p.isKw("EXTERNAL") || p.isKw("TEMPORARY") {
		return nil, errUnsupportedStatement(src)
	}
	if err := p.expectKw("TABLE"); err != nil {
		return nil, err
	}
	st.IfNotExists = p.acceptKw("IF", "NOT", "EXISTS")
	db, name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	st.DB = db
	if p.acceptKw("LIKE") {
		st.Def = &TableDef{Name: name}
		if st.LikeDB, st.Like, err = p.qualifiedName(); err != nil {
			return nil, err
		}
		return st, p.expectEnd()
	}
	if p.isKw("AS") {
		return nil, errUnsupportedStatement("CREATE TABLE AS SELECT")
	}
	d := &TableDef{Name: name}
	st.Def = d
	if err := parseColumnsBlock(p, d); err != nil {
		return nil, err
	}
	if p.acceptKw("ENGINE") {
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		e, err := p.ident()
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(e, "OLAP") {
			return nil, errDDLf("Unknown engine name: %s", e)
		}
	}
	for _, k := range []KeysType{DuplicateKeys, AggregateKeys, UniqueKeys, PrimaryKeys} {
		if p.acceptKw(string(k), "KEY") {
			d.Keys = k
			if d.KeyColumns, err = p.identList(); err != nil {
				return nil, err
			}
			break
		}
	}
	if p.acceptKw("COMMENT") {
		if d.Comment, err = p.stringLit(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("PARTITION", "BY") {
		if err = parsePartitionBy(p, d, st); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("DISTRIBUTED", "BY") {
		if d.Distribution, err = parseDistribution(p); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("ORDER", "BY") {
		if d.OrderBy, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.isKw("ROLLUP") {
		return nil, errUnsupportedStatement("CREATE TABLE with ROLLUP")
	}
	if p.acceptKw("PROPERTIES") {
		if d.Properties, err = p.properties(); err != nil {
			return nil, err
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := completeTableDef(d); err != nil {
		return nil, err
	}
	return st, nil
}

// parseColumnsBlock consumes "(col defs, INDEX defs)".
func parseColumnsBlock(p *parser, d *TableDef) error {
	if err := p.expectPunct("("); err != nil {
		return err
	}
	for {
		if p.isKw("INDEX") {
			idx, err := parseIndex(p)
			if err != nil {
				return err
			}
			d.Indexes = append(d.Indexes, idx)
		} else {
			c, err := parseColumnDef(p)
			if err != nil {
				return err
			}
			if d.column(c.Name) >= 0 {
				return errDDLf("Duplicate column name '%s'", c.Name)
			}
			d.Columns = append(d.Columns, c)
		}
		if p.acceptPunct(",") {
			continue
		}
		return p.expectPunct(")")
	}
}

// parseColumnDef consumes "name type [KEY] [agg] [NULL|NOT NULL]
// [DEFAULT ...] [COMMENT '...']".
func parseColumnDef(p *parser) (Column, error) {
	var c Column
	var err error
	if c.Name, err = p.ident(); err != nil {
		return c, err
	}
	if c.Type, err = parseColumnType(p); err != nil {
		return c, err
	}
	c.Nullable = true
	p.acceptKw("KEY")
	for _, agg := range []string{"REPLACE_IF_NOT_NULL", "REPLACE", "SUM", "MAX", "MIN"} {
		if p.acceptKw(agg) {
			c.Agg = agg
			break
		}
	}
	if p.isKw("BITMAP_UNION") || p.isKw("HLL_UNION") || p.isKw("PERCENTILE_UNION") {
		return c, errUnsupportedStatement("aggregate type " + p.peek().val)
	}
	if p.acceptKw("NOT", "NULL") {
		c.Nullable = false
	} else {
		p.acceptKw("NULL")
	}
	if p.acceptKw("DEFAULT") {
		switch {
		case p.acceptKw("CURRENT_TIMESTAMP"):
			c.DefCurTS = true
		case p.acceptKw("NULL"):
		default:
			lit, err := p.literal()
			if err != nil {
				return c, err
			}
			c.Default = &lit
		}
	}
	if p.isKw("AUTO_INCREMENT") || p.isKw("AS") {
		return c, errUnsupportedStatement("column " + p.peek().val)
	}
	if p.acceptKw("COMMENT") {
		if c.Comment, err = p.stringLit(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// parseIndex consumes INDEX name (cols) [USING type] [COMMENT '...'] and
// renders it the way SHOW CREATE TABLE prints indexes.
func parseIndex(p *parser) (string, error) {
	p.next()
	name, err := p.ident()
	if err != nil {
		return "", err
	}
	cols, err := p.identList()
	if err != nil {
		return "", err
	}
	using := "BITMAP"
	if p.acceptKw("USING") {
		t, err := p.ident()
		if err != nil {
			return "", err
		}
		using = strings.ToUpper(t)
	}
	comment := ""
	if p.acceptKw("COMMENT") {
		if comment, err = p.stringLit(); err != nil {
			return "", err
		}
	}
	var qc []string
	for _, c := range cols {
		qc = append(qc, quoteIdent(c))
	}
	return fmt.Sprintf("INDEX %s (%s) USING %s COMMENT '%s'", name, strings.Join(qc, ", "), using, strings.ReplaceAll(comment, "'", "\\'")), nil
}

// parsePartitionBy consumes the clause after PARTITION BY.
func parsePartitionBy(p *parser, d *TableDef, st *createTableStmt) error {
	var err error
	switch {
	case p.isKw("RANGE") && p.peekAt(1).isPunct("("):
		p.next()
		d.Partition.Kind = RangePartitioned
	case p.isKw("LIST") && p.peekAt(1).isPunct("("):
		p.next()
		d.Partition.Kind = ListPartitioned
	case p.isKw("DATE_TRUNC") && p.peekAt(1).isPunct("("):
		p.next()
		p.next()
		unit, err := p.stringLit()
		if err != nil {
			return err
		}
		if err := p.expectPunct(","); err != nil {
			return err
		}
		col, err := p.ident()
		if err != nil {
			return err
		}
		if err := p.expectPunct(")"); err != nil {
			return err
		}
		unit = strings.ToLower(unit)
		switch unit {
		case "hour", "day", "month", "year":
		default:
			return errDDLf("Unsupported date_trunc unit '%s' in the StarRocks simulator", unit)
		}
		d.Partition = PartitionDesc{Kind: ExprTimePartitioned, Columns: []string{col}, TimeUnit: unit}
		return nil
	case p.isKw("TIME_SLICE"):
		return errUnsupportedStatement("PARTITION BY time_slice")
	default:
		var cols []string
		if p.peek().isPunct("(") {
			if cols, err = p.identList(); err != nil {
				return err
			}
		} else {
			for {
				c, err := p.ident()
				if err != nil {
					return err
				}
				cols = append(cols, c)
				if !p.acceptPunct(",") {
					break
				}
			}
		}
		d.Partition = PartitionDesc{Kind: ExprColumnPartitioned, Columns: cols}
		return nil
	}
	if d.Partition.Columns, err = p.identList(); err != nil {
		return err
	}
	if err := checkPartitionColumns(d); err != nil {
		return err
	}
	if err := p.expectPunct("("); err != nil {
		return err
	}
	if p.acceptPunct(")") {
		return nil
	}
	for {
		switch {
		case p.isKw("START"):
			if d.Partition.Kind != RangePartitioned {
				return p.unexpected()
			}
			b, err := parseBatch(p)
			if err != nil {
				return err
			}
			specs, err := expandBatch(d, b)
			if err != nil {
				return err
			}
			st.Specs = append(st.Specs, specs...)
		case p.acceptKw("PARTITION"):
			s, err := parsePartitionSpec(p, d)
			if err != nil {
				return err
			}
			st.Specs = append(st.Specs, s)
		default:
			return p.unexpected()
		}
		if p.acceptPunct(",") {
			continue
		}
		return p.expectPunct(")")
	}
}

// parseDistribution consumes HASH(cols) [BUCKETS n] | RANDOM [BUCKETS n].
func parseDistribution(p *parser) (Distribution, error) {
	var dist Distribution
	var err error
	switch {
	case p.acceptKw("HASH"):
		if dist.Columns, err = p.identList(); err != nil {
			return dist, err
		}
	case p.acceptKw("RANDOM"):
		dist.Random = true
	default:
		return dist, p.unexpected()
	}
	if p.acceptKw("BUCKETS") {
		n, err := p.intLit()
		if err != nil {
			return dist, err
		}
		if n <= 0 {
			return dist, errDDLf("Number of hash distribution should be greater than zero.")
		}
		dist.Buckets = int(n)
	}
	return dist, nil
}
