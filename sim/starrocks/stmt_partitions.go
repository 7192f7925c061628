package starrocks

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// Column kinds for SHOW PARTITIONS filtering and ordering.
const (
	kindString = iota
	kindNumber
	kindTime
)

// partitionColumns returns the SHOW PARTITIONS header of STARROCKS.md 1.2
// (shared-nothing) or 1.3 (shared-data), with the Range/List column named
// after the partitioning, and each column's comparison kind.
func partitionColumns(prof profile, list bool) ([]string, []int) {
	rangeCol := "Range"
	if list {
		rangeCol = "List"
	}
	if prof.sharedData() {
		return []string{"PartitionId", "PartitionName", "CompactVersion", "VisibleVersion", "NextVersion", "State",
				"PartitionKey", rangeCol, "DistributionKey", "Buckets", "DataSize", "RowCount", "EnableDataCache",
				"AsyncWrite", "AvgCS", "P50CS", "MaxCS"},
			[]int{kindNumber, kindString, kindNumber, kindNumber, kindNumber, kindString, kindString, kindString,
				kindString, kindNumber, kindString, kindNumber, kindString, kindString, kindNumber, kindNumber, kindNumber}
	}
	return []string{"PartitionId", "PartitionName", "VisibleVersion", "VisibleVersionTime", "VisibleVersionHash",
			"State", "PartitionKey", rangeCol, "DistributionKey", "Buckets", "ReplicationNum", "StorageMedium",
			"CooldownTime", "LastConsistencyCheckTime", "DataSize", "IsInMemory", "RowCount"},
		[]int{kindNumber, kindString, kindNumber, kindTime, kindNumber, kindString, kindString, kindString,
			kindString, kindNumber, kindNumber, kindString, kindTime, kindTime, kindString, kindString, kindNumber}
}

// partitionRow renders one partition for SHOW PARTITIONS.
func partitionRow(snap *TableSnapshot, p Partition, prof profile) []any {
	d := snap.Def
	cts := d.partitionColumnTypes()
	rng := ""
	switch {
	case d.isRangeLike():
		rng = rangeText(cts, p.Lower, p.Upper)
	case d.isListLike():
		rng = listText(p.Values)
	}
	distKey := "ALL KEY"
	if !d.Distribution.Random {
		distKey = strings.Join(d.Distribution.Columns, ", ")
	}
	partKey := strings.Join(d.Partition.Columns, ", ")
	if prof.sharedData() {
		return []any{p.ID, p.Name, int64(0), p.VisibleVersion, p.VisibleVersion + 1, "NORMAL", partKey, rng, distKey,
			int64(p.Buckets), byteSizeString(p.DataSize), p.RowCount(), propertyValue(d, prof, "datacache.enable"),
			propertyValue(d, prof, "enable_async_write_back"), "0.00", "0.00", "0.00"}
	}
	medium := "HDD"
	if v, ok := d.property("storage_medium"); ok {
		medium = strings.ToUpper(v)
	}
	return []any{p.ID, p.Name, p.VisibleVersion, p.VisibleVersionTime.Format(datetimeLayout), int64(0), "NORMAL",
		partKey, rng, distKey, int64(p.Buckets), propertyValue(d, prof, "replication_num"), medium,
		"9999-12-31 23:59:59", "NULL", byteSizeString(p.DataSize), propertyValue(d, prof, "in_memory"), p.RowCount()}
}

// handleShowPartitions: SHOW [TEMPORARY] PARTITIONS FROM [db.]t [WHERE ...]
// [ORDER BY ...] [LIMIT ...], filtered and ordered like the FE proc node.
func handleShowPartitions(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	temp := p.acceptKw("TEMPORARY")
	p.next() // PARTITIONS
	if !p.acceptKw("FROM") && !p.acceptKw("IN") {
		return nil, p.unexpected()
	}
	db, name, err := tableRef(s, p)
	if err != nil {
		return nil, err
	}
	snap, err := s.c.store.Table(db, name)
	if err != nil {
		return nil, err
	}
	cols, kinds := partitionColumns(s.c.prof, snap.Def.isListLike())
	colIdx := func(n string) (int, error) {
		for i, c := range cols {
			if strings.EqualFold(c, n) {
				return i, nil
			}
		}
		return 0, analysisError(fmt.Sprintf("Unknown column '%s' in 'table list'", n))
	}
	var preds []showPredicate
	if p.acceptKw("WHERE") {
		for {
			pr, err := parseShowPredicate(p, colIdx, kinds)
			if err != nil {
				return nil, err
			}
			preds = append(preds, pr)
			if !p.acceptKw("AND") {
				break
			}
		}
	}
	type orderKey struct {
		col  int
		desc bool
	}
	var order []orderKey
	if p.acceptKw("ORDER", "BY") {
		for {
			n, err := p.ident()
			if err != nil {
				return nil, err
			}
			i, err := colIdx(n)
			if err != nil {
				return nil, err
			}
			k := orderKey{col: i}
			if p.acceptKw("DESC") {
				k.desc = true
			} else {
				p.acceptKw("ASC")
			}
			order = append(order, k)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	offset, limit := int64(0), int64(-1)
	if p.acceptKw("LIMIT") {
		if limit, err = p.intLit(); err != nil {
			return nil, err
		}
		if p.acceptPunct(",") {
			offset = limit
			if limit, err = p.intLit(); err != nil {
				return nil, err
			}
		} else if p.acceptKw("OFFSET") {
			if offset, err = p.intLit(); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("SELECT", "TABLE", name, "SHOW PARTITIONS"); err != nil {
		return nil, err
	}
	list := snap.Partitions
	if temp {
		list = snap.Temps
	}
	var rows [][]any
	for _, part := range list {
		row := partitionRow(snap, part, s.c.prof)
		ok := true
		for _, pr := range preds {
			if !pr.match(row) {
				ok = false
				break
			}
		}
		if ok {
			rows = append(rows, row)
		}
	}
	if len(order) > 0 {
		sort.SliceStable(rows, func(a, b int) bool {
			for _, k := range order {
				c := compareCell(kinds[k.col], rows[a][k.col], rows[b][k.col])
				if c != 0 {
					return (c < 0) != k.desc
				}
			}
			return false
		})
	}
	if offset > int64(len(rows)) {
		offset = int64(len(rows))
	}
	rows = rows[offset:]
	if limit >= 0 && limit < int64(len(rows)) {
		rows = rows[:limit]
	}
	return textResult(cols, rows), nil
}

// showPredicate is one "<col> op <literal>" of a SHOW WHERE clause.
type showPredicate struct {
	col  int
	op   string
	val  string
	kind int
}

func parseShowPredicate(p *parser, colIdx func(string) (int, error), kinds []int) (showPredicate, error) {
	n, err := p.ident()
	if err != nil {
		return showPredicate{}, err
	}
	i, err := colIdx(n)
	if err != nil {
		return showPredicate{}, err
	}
	pr := showPredicate{col: i, kind: kinds[i]}
	t := p.next()
	switch {
	case t.isWord("LIKE"):
		pr.op = "LIKE"
	case t.kind == tkPunct && (t.val == "=" || t.val == "!=" || t.val == "<>" || t.val == "<" || t.val == "<=" || t.val == ">" || t.val == ">="):
		pr.op = t.val
	default:
		return pr, syntaxErrorAt(p.src, t.pos, fmt.Sprintf("Unexpected input '%s'", describeToken(p.src, t)))
	}
	if pr.val, err = p.literal(); err != nil {
		return pr, err
	}
	if pr.op != "=" && pr.op != "LIKE" && pr.kind == kindString {
		return pr, analysisError(fmt.Sprintf("Only operator =|like are supported for %s", n))
	}
	return pr, nil
}

func (pr showPredicate) match(row []any) bool {
	cell := renderCell(row[pr.col])
	if pr.op == "LIKE" {
		return likeMatch(pr.val, cell, false)
	}
	if pr.kind == kindString {
		return cell == pr.val
	}
	c := compareCell(pr.kind, row[pr.col], pr.val)
	return compareHolds(pr.op, c)
}

// compareCell compares two cells by kind: numbers numerically, times and
// strings as text (the time format sorts correctly as text).
func compareCell(kind int, a, b any) int {
	as, bs := renderCell(a), renderCell(b)
	if kind == kindNumber {
		x, ok1 := new(big.Float).SetString(as)
		y, ok2 := new(big.Float).SetString(bs)
		if ok1 && ok2 {
			return x.Cmp(y)
		}
	}
	return strings.Compare(as, bs)
}
