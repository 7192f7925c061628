package starrocks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/srplan/srplan/planner"
)

// TableDef is what ParseCreateTable reads from a SHOW CREATE TABLE text
// (STARROCKS.md 2.2).
type TableDef struct {
	// Name is the table name as written after CREATE TABLE, without database.
	Name string
	// Engine is the ENGINE= value ("OLAP" for native tables), "" if absent.
	Engine string
	// KeysType is DUPLICATE, AGGREGATE, UNIQUE or PRIMARY. A statement
	// without a key clause yields DUPLICATE, the StarRocks default.
	KeysType string
	// KeyColumns are the columns of the key clause, in order.
	KeyColumns []string
	// Columns in table order; Key is set for the KeyColumns.
	Columns []planner.Column
	// Comment is the table COMMENT, "" if absent.
	Comment string
	// PartitionKind is Unpartitioned when there is no PARTITION BY clause.
	PartitionKind planner.PartitionKind
	// PartitionColumns are the columns the partition clause refers to, in
	// order of first appearance: the RANGE/LIST key, the column inside
	// date_trunc/time_slice, or the listed columns of a column expression.
	PartitionColumns []string
	// Distribution is HASH or RANDOM, "" when there is no DISTRIBUTED BY.
	Distribution string
	// DistributionColumns are the HASH columns (empty for RANDOM).
	DistributionColumns []string
	// Buckets is the BUCKETS number, 0 when not printed (automatic bucketing).
	Buckets int
	// SortKey is the ORDER BY column list, empty when absent.
	SortKey []string
	// Properties of the PROPERTIES clause, never nil.
	Properties map[string]string
}

// aggregateFuncs are the aggregate types an AGGREGATE KEY value column may
// carry after its type.
var aggregateFuncs = map[string]bool{
	"SUM": true, "MIN": true, "MAX": true, "REPLACE": true, "REPLACE_IF_NOT_NULL": true,
	"HLL_UNION": true, "BITMAP_UNION": true, "PERCENTILE_UNION": true,
}

// clauseWords start the clauses that may follow the column list; a
// PARTITION BY expression ends at the first of them.
var clauseWords = map[string]bool{
	"ENGINE": true, "DUPLICATE": true, "AGGREGATE": true, "UNIQUE": true, "PRIMARY": true,
	"COMMENT": true, "PARTITION": true, "DISTRIBUTED": true, "ORDER": true, "ROLLUP": true,
	"PROPERTIES": true, "BROKER": true,
}

// ParseCreateTable parses the text of SHOW CREATE TABLE for an OLAP table.
// It reads the shapes of STARROCKS.md 2.2: columns with an optional
// aggregate type, the key clause, RANGE, LIST, time-function and column
// expression partitioning, DISTRIBUTED BY, ORDER BY and PROPERTIES. Unknown
// clauses are skipped, so a newer release's additions do not break it; a
// statement that is not CREATE TABLE or that ends early is an error.
func ParseCreateTable(ddl string) (*TableDef, error) {
	toks, err := lexDDL(ddl)
	if err != nil {
		return nil, fmt.Errorf("parse create table: %w", err)
	}
	p := &ddlParser{src: ddl, toks: toks}
	def, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("parse create table: %w", err)
	}
	return def, nil
}

// ddlParser walks the tokens of one statement.
type ddlParser struct {
	src  string
	toks []token
	pos  int
}

func (p *ddlParser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tokSym, text: "", start: len(p.src), end: len(p.src)}
}

func (p *ddlParser) peekAt(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return token{kind: tokSym, start: len(p.src), end: len(p.src)}
}

func (p *ddlParser) done() bool { return p.pos >= len(p.toks) }

func (p *ddlParser) next() token {
	t := p.peek()
	if !p.done() {
		p.pos++
	}
	return t
}

// errorf reports a problem at the current token.
func (p *ddlParser) errorf(format string, args ...any) error {
	t := p.peek()
	where := "at end of statement"
	if !p.done() {
		where = fmt.Sprintf("at offset %d near %q", t.start, p.src[t.start:t.end])
	}
	return fmt.Errorf(format+" "+where, args...)
}

func (p *ddlParser) expectSym(s string) error {
	if !p.peek().isSym(s) {
		return p.errorf("want %q", s)
	}
	p.pos++
	return nil
}

func (p *ddlParser) expectWord(w string) error {
	if !p.peek().is(w) {
		return p.errorf("want %s", w)
	}
	p.pos++
	return nil
}

// name reads an identifier, quoted or bare.
func (p *ddlParser) name() (string, error) {
	t := p.peek()
	if t.kind != tokIdent && t.kind != tokWord {
		return "", p.errorf("want a name")
	}
	p.pos++
	return t.text, nil
}

// skipGroup skips a balanced ( ... ) group starting at the current "(".
func (p *ddlParser) skipGroup() error {
	depth := 0
	for !p.done() {
		t := p.next()
		switch {
		case t.isSym("("):
			depth++
		case t.isSym(")"):
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return p.errorf("unbalanced parentheses")
}

// nameList reads "( name, name ... )".
func (p *ddlParser) nameList() ([]string, error) {
	if err := p.expectSym("("); err != nil {
		return nil, err
	}
	var names []string
	for {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		names = append(names, n)
		if p.peek().isSym(",") {
			p.pos++
			continue
		}
		return names, p.expectSym(")")
	}
}

func (p *ddlParser) parse() (*TableDef, error) {
	def := &TableDef{KeysType: "DUPLICATE", PartitionKind: planner.Unpartitioned, Properties: map[string]string{}}
	if err := p.expectWord("CREATE"); err != nil {
		return nil, err
	}
	for p.peek().is("TEMPORARY") || p.peek().is("EXTERNAL") {
		p.pos++
	}
	if err := p.expectWord("TABLE"); err != nil {
		return nil, err
	}
	if p.peek().is("IF") {
		for _, w := range []string{"IF", "NOT", "EXISTS"} {
			if err := p.expectWord(w); err != nil {
				return nil, err
			}
		}
	}
	var err error
	if def.Name, err = p.name(); err != nil {
		return nil, err
	}
	if p.peek().isSym(".") {
		p.pos++
		if def.Name, err = p.name(); err != nil {
			return nil, err
		}
	}
	if err := p.columns(def); err != nil {
		return nil, err
	}
	if err := p.clauses(def); err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(def.KeyColumns))
	for _, k := range def.KeyColumns {
		keys[strings.ToLower(k)] = true
	}
	for i := range def.Columns {
		def.Columns[i].Key = keys[strings.ToLower(def.Columns[i].Name)]
	}
	return def, nil
}

// columns reads the parenthesised column and index list.
func (p *ddlParser) columns(def *TableDef) error {
	if err := p.expectSym("("); err != nil {
		return err
	}
	for {
		switch t := p.peek(); {
		case t.is("INDEX") || t.is("CONSTRAINT"):
			if err := p.skipElement(); err != nil {
				return err
			}
		default:
			col, err := p.column()
			if err != nil {
				return err
			}
			def.Columns = append(def.Columns, col)
		}
		switch t := p.next(); {
		case t.isSym(","):
		case t.isSym(")"):
			return nil
		default:
			p.pos--
			return p.errorf("want \",\" or \")\" after a column")
		}
	}
}

// skipElement skips one element of the column list up to (not including)
// the "," or ")" that ends it.
func (p *ddlParser) skipElement() error {
	for !p.done() {
		t := p.peek()
		switch {
		case t.isSym("("):
			if err := p.skipGroup(); err != nil {
				return err
			}
		case t.isSym(",") || t.isSym(")"):
			return nil
		default:
			p.pos++
		}
	}
	return p.errorf("unterminated column list")
}

// column reads "name type [agg] [NULL|NOT NULL] [DEFAULT v] [AUTO_INCREMENT]
// [AS expr] [COMMENT s]" and stops before the "," or ")" that ends it.
func (p *ddlParser) column() (planner.Column, error) {
	var col planner.Column
	var err error
	if col.Name, err = p.name(); err != nil {
		return col, err
	}
	if col.Type, err = p.columnType(); err != nil {
		return col, fmt.Errorf("column %s: %w", col.Name, err)
	}
	if t := p.peek(); t.kind == tokWord && aggregateFuncs[strings.ToUpper(t.text)] {
		col.Aggregation = strings.ToUpper(t.text)
		p.pos++
	}
	col.Nullable = true
	for !p.done() {
		t := p.peek()
		switch {
		case t.isSym(",") || t.isSym(")"):
			return col, nil
		case t.isSym("("):
			if err := p.skipGroup(); err != nil {
				return col, err
			}
		case t.is("NOT") && p.peekAt(1).is("NULL"):
			col.Nullable = false
			p.pos += 2
		case t.is("NULL"):
			col.Nullable = true
			p.pos++
		case t.is("DEFAULT"):
			if err := p.skipDefault(); err != nil {
				return col, err
			}
		case t.is("AS"):
			// A generated column's expression runs to the end of the
			// element; words in it are not attributes.
			return col, p.skipElement()
		default:
			p.pos++
		}
	}
	return col, p.errorf("unterminated column list")
}

// skipDefault skips "DEFAULT value", where value is a literal, a signed
// number, a word such as CURRENT_TIMESTAMP with optional arguments, or a
// parenthesised expression. A NULL default does not make the column
// nullable; the NULL or NOT NULL attribute does.
func (p *ddlParser) skipDefault() error {
	p.pos++
	if p.peek().isSym("-") || p.peek().isSym("+") {
		p.pos++
	}
	switch t := p.peek(); {
	case t.isSym("("):
		return p.skipGroup()
	case t.kind == tokWord:
		p.pos++
		if p.peek().isSym("(") {
			return p.skipGroup()
		}
	case t.kind == tokString:
		p.pos++
	default:
		return p.errorf("want a default value")
	}
	return nil
}

// columnType reads a type: a word followed by balanced (...) or <...>
// groups, e.g. decimal(10, 2) or array<struct<a int(11)>>. The result is
// the source text, lower case.
func (p *ddlParser) columnType() (string, error) {
	first := p.peek()
	if first.kind != tokWord {
		return "", p.errorf("want a type")
	}
	p.pos++
	end := first.end
	for p.peek().isSym("(") || p.peek().isSym("<") {
		depth := 0
		for !p.done() {
			t := p.next()
			if t.isSym("(") || t.isSym("<") {
				depth++
			} else if t.isSym(")") || t.isSym(">") {
				depth--
			}
			if depth == 0 {
				end = t.end
				break
			}
		}
		if depth != 0 {
			return "", p.errorf("unbalanced type")
		}
	}
	return strings.ToLower(p.src[first.start:end]), nil
}

// clauses reads everything after the column list.
func (p *ddlParser) clauses(def *TableDef) error {
	for !p.done() {
		t := p.peek()
		var err error
		switch {
		case t.isSym(";"):
			p.pos++
		case t.is("ENGINE"):
			p.pos++
			if p.peek().isSym("=") {
				p.pos++
			}
			def.Engine, err = p.name()
			def.Engine = strings.ToUpper(def.Engine)
		case (t.is("DUPLICATE") || t.is("AGGREGATE") || t.is("UNIQUE") || t.is("PRIMARY")) && p.peekAt(1).is("KEY"):
			def.KeysType = strings.ToUpper(t.text)
			p.pos += 2
			def.KeyColumns, err = p.nameList()
		case t.is("COMMENT"):
			p.pos++
			if p.peek().isSym("=") {
				p.pos++
			}
			if s := p.next(); s.kind == tokString {
				def.Comment = s.text
			} else {
				p.pos--
				err = p.errorf("want a comment string")
			}
		case t.is("PARTITION") && p.peekAt(1).is("BY"):
			p.pos += 2
			err = p.partitionBy(def)
		case t.is("DISTRIBUTED") && p.peekAt(1).is("BY"):
			p.pos += 2
			err = p.distributedBy(def)
		case t.is("ORDER") && p.peekAt(1).is("BY"):
			p.pos += 2
			def.SortKey, err = p.nameList()
		case t.is("PROPERTIES"):
			p.pos++
			err = p.properties(def.Properties)
		case t.isSym("("):
			err = p.skipGroup()
		default:
			p.pos++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// partitionBy reads the clause after PARTITION BY.
func (p *ddlParser) partitionBy(def *TableDef) error {
	if (p.peek().is("RANGE") || p.peek().is("LIST")) && p.peekAt(1).isSym("(") {
		def.PartitionKind = planner.RangePartitioned
		if p.peek().is("LIST") {
			def.PartitionKind = planner.ListPartitioned
		}
		p.pos++
		start := p.pos
		if err := p.skipGroup(); err != nil {
			return err
		}
		def.PartitionColumns = columnRefs(p.toks[start:p.pos])
		if p.peek().isSym("(") {
			return p.skipGroup()
		}
		return nil
	}
	// date_trunc('day', `c`), time_slice(`c`, INTERVAL 1 day) or a column
	// list, with or without parentheses, up to the next clause.
	def.PartitionKind = planner.ExpressionPartitions
	start := p.pos
	for !p.done() {
		t := p.peek()
		if t.isSym(";") || t.kind == tokWord && clauseWords[strings.ToUpper(t.text)] {
			break
		}
		if t.isSym("(") {
			if err := p.skipGroup(); err != nil {
				return err
			}
			continue
		}
		p.pos++
	}
	if p.pos == start {
		return p.errorf("want a partition expression")
	}
	def.PartitionColumns = columnRefs(p.toks[start:p.pos])
	return nil
}

// timeUnitWords are the bare words of a partition expression that are not
// column names.
var timeUnitWords = map[string]bool{
	"INTERVAL": true, "YEAR": true, "QUARTER": true, "MONTH": true, "WEEK": true, "DAY": true,
	"HOUR": true, "MINUTE": true, "SECOND": true, "MILLISECOND": true, "MICROSECOND": true,
	"FLOOR": true, "CEIL": true, "AS": true,
}

// columnRefs returns the column names a partition key or expression refers
// to, in order of first appearance. SHOW CREATE TABLE quotes column names,
// so quoted identifiers are taken when there are any; otherwise bare words
// that are neither function names, numbers nor interval units are.
func columnRefs(toks []token) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, t := range toks {
		if t.kind == tokIdent {
			add(t.text)
		}
	}
	if len(out) > 0 {
		return out
	}
	for i, t := range toks {
		if t.kind != tokWord || timeUnitWords[strings.ToUpper(t.text)] || t.text[0] >= '0' && t.text[0] <= '9' {
			continue
		}
		if i+1 < len(toks) && toks[i+1].isSym("(") {
			continue
		}
		add(t.text)
	}
	return out
}

// distributedBy reads "HASH(cols) [BUCKETS n]" or "RANDOM [BUCKETS n]".
func (p *ddlParser) distributedBy(def *TableDef) error {
	var err error
	switch {
	case p.peek().is("HASH"):
		p.pos++
		def.Distribution = "HASH"
		if def.DistributionColumns, err = p.nameList(); err != nil {
			return err
		}
	case p.peek().is("RANDOM"):
		p.pos++
		def.Distribution = "RANDOM"
	default:
		return p.errorf("want HASH or RANDOM")
	}
	if p.peek().is("BUCKETS") {
		p.pos++
		n := p.next()
		if def.Buckets, err = strconv.Atoi(n.text); err != nil || n.kind != tokWord {
			p.pos--
			return p.errorf("want a bucket count")
		}
	}
	return nil
}

// properties reads ( "k" = "v", ... ) into props.
func (p *ddlParser) properties(props map[string]string) error {
	if err := p.expectSym("("); err != nil {
		return err
	}
	if p.peek().isSym(")") {
		p.pos++
		return nil
	}
	for {
		k := p.next()
		if k.kind != tokString {
			p.pos--
			return p.errorf("want a quoted property name")
		}
		if err := p.expectSym("="); err != nil {
			return err
		}
		v := p.next()
		if v.kind != tokString {
			p.pos--
			return p.errorf("want a quoted value for property %q", k.text)
		}
		props[k.text] = v.text
		if p.peek().isSym(",") {
			p.pos++
			continue
		}
		return p.expectSym(")")
	}
}
