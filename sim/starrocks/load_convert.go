package starrocks

import (
	"fmt"
	"strings"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/shopspring/decimal"
)

// loadConverter turns the files of a Broker Load into table rows, one
// load request per data description, counting what StarRocks counts:
// scanned rows, rows filtered as errors (column count, conversion, NOT
// NULL, length, no partition) and rows not selected by WHERE.
//
// Mapping: CSV fields map by position to the column list (default: the
// table's columns); Parquet columns map by name. Columns named neither by
// the file nor by SET take their default (NULL when nullable). With
// strict_mode=false a value that does not convert becomes NULL (the row is
// filtered only when the column is NOT NULL); with strict_mode=true the
// row is filtered.
type loadConverter struct {
	c       *Cluster
	strict  bool
	reqs    []*LoadRequest
	byDesc  map[*dataDesc]int
	snaps   map[string]*TableSnapshot
	scanned int64
	cands   map[*LoadRequest][]*Partition // partitions a request may write
	// filtered are error rows, unselected the rows WHERE dropped.
	filtered, unselected int64
}

// requests returns the load requests, in data-description order.
func (lc *loadConverter) requests() []LoadRequest {
	out := make([]LoadRequest, len(lc.reqs))
	for i, r := range lc.reqs {
		out[i] = *r
	}
	return out
}

// request returns the request of a data description.
func (lc *loadConverter) request(db string, d *dataDesc) (*LoadRequest, *TableSnapshot, error) {
	if lc.byDesc == nil {
		lc.byDesc, lc.snaps = map[*dataDesc]int{}, map[string]*TableSnapshot{}
	}
	snap, ok := lc.snaps[d.Table]
	if !ok {
		var err error
		if snap, err = lc.c.store.Table(db, d.Table); err != nil {
			return nil, nil, fmt.Errorf("Unknown table '%s'", d.Table)
		}
		lc.snaps[d.Table] = snap
	}
	i, ok := lc.byDesc[d]
	if !ok {
		lc.reqs = append(lc.reqs, &LoadRequest{DB: db, Table: d.Table, Partitions: d.Partitions, Temporary: d.Temporary})
		i = len(lc.reqs) - 1
		lc.byDesc[d] = i
	}
	return lc.reqs[i], snap, nil
}

// Column sources of a load plan.
const (
	srcField   = iota // a file column (CSV position or Parquet column)
	srcLiteral        // a literal (SET col = "x") or a COLUMNS FROM PATH value
	srcNull           // SET col = NULL, or a file column the file lacks
	srcDefault        // a column the load does not name
)

// colSource says where a table column's value comes from.
type colSource struct {
	kind int
	idx  int    // srcField: index in the file row
	lit  string // srcLiteral: CSV text
}

// loadPlan maps the columns of one file to the table's columns, honouring
// the column list, COLUMNS FROM PATH and SET.
func loadPlan(def *TableDef, d *dataDesc, fileCols []string, pathVals map[string]string) []colSource {
	find := func(name string) colSource {
		for i, fc := range fileCols {
			if strings.EqualFold(fc, name) {
				return colSource{kind: srcField, idx: i}
			}
		}
		if v, ok := pathVals[strings.ToLower(name)]; ok {
			return colSource{kind: srcLiteral, lit: v}
		}
		return colSource{kind: srcNull}
	}
	plan := make([]colSource, len(def.Columns))
	for i, col := range def.Columns {
		src := find(col.Name)
		if src.kind == srcNull {
			src.kind = srcDefault
		}
		for _, e := range d.Set {
			if !strings.EqualFold(e.Column, col.Name) {
				continue
			}
			switch {
			case e.Ref != "":
				src = find(e.Ref)
			case e.Lit != nil:
				src = colSource{kind: srcLiteral, lit: *e.Lit}
			default:
				src = colSource{kind: srcNull}
			}
		}
		plan[i] = src
	}
	return plan
}

// addFile converts one file of a data description.
func (lc *loadConverter) addFile(db string, f brokerFile, data []byte) error {
	req, snap, err := lc.request(db, f.desc)
	if err != nil {
		return err
	}
	d := f.desc
	def := snap.Def
	pathVals := columnsFromPath(d.FromPath, f.obj.Key)
	if formatOf(d, f.obj.Key) == "PARQUET" {
		pf, err := readParquet(data)
		if err != nil {
			return fmt.Errorf("%s: %v", f.st.URL(f.obj.Key), err)
		}
		names := make([]string, len(pf.cols))
		for i, col := range pf.cols {
			if d.Columns == nil || containsFold(d.Columns, col.Name) {
				names[i] = col.Name
			}
		}
		plan := loadPlan(def, d, names, pathVals)
		for _, r := range pf.rows {
			lc.scanned++
			lc.addRow(req, snap, d, plan, func(i int) any { return r[i] })
		}
		return nil
	}
	colSep, rowSep := d.ColSep, d.RowSep
	if colSep == "" {
		colSep = "\t"
	}
	if rowSep == "" {
		rowSep = "\n"
	}
	names := d.Columns
	if names == nil {
		for _, n := range def.ColumnNames() {
			if !containsFold(d.FromPath, n) {
				names = append(names, n)
			}
		}
	}
	plan := loadPlan(def, d, names, pathVals)
	for _, fields := range splitCSV(data, colSep, rowSep, d.SkipHeader) {
		lc.scanned++
		if len(fields) != len(names) {
			lc.filtered++ // "actual column number ... schema column number"
			continue
		}
		lc.addRow(req, snap, d, plan, func(i int) any {
			if fields[i] == csvNull {
				return nil
			}
			return csvText(fields[i])
		})
	}
	return nil
}

// csvText marks a value read from CSV text (converted with the CSV rules).
type csvText string

// addRow builds one table row from a file row by the plan, applies WHERE
// and the row checks, and queues it.
func (lc *loadConverter) addRow(req *LoadRequest, snap *TableSnapshot, d *dataDesc, plan []colSource, field func(int) any) {
	def := snap.Def
	row := make(gsql.Row, len(def.Columns))
	for i, col := range def.Columns {
		var v any
		switch src := plan[i]; src.kind {
		case srcDefault:
			dv, ok := defaultValue(lc.c, col)
			if !ok {
				lc.filtered++
				return
			}
			row[i] = dv
			continue
		case srcField:
			v = field(src.idx)
		case srcLiteral:
			v = csvText(src.lit)
		}
		cv, ok := convertLoadValue(col.Type, v)
		if !ok {
			if lc.strict || !col.Nullable {
				lc.filtered++
				return
			}
			cv = nil
		}
		row[i] = cv
	}
	for _, w := range d.Where {
		if !w.match(def, row) {
			lc.unselected++
			return
		}
	}
	if err := checkRow(def, row); err != nil {
		lc.filtered++
		return
	}
	if !lc.routable(snap, req, row) {
		lc.filtered++
		return
	}
	if d.Negative {
		for i, col := range def.Columns {
			if col.Agg == "SUM" && row[i] != nil {
				row[i] = negate(row[i])
			}
		}
	}
	req.Rows = append(req.Rows, row)
}

// convertLoadValue converts a file value to a column's storage value.
func convertLoadValue(ct ColumnType, v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case csvText:
		return parseCSVValue(ct, string(x))
	case string:
		return parseCSVValue(ct, x)
	}
	if ct.Base == "DECIMAL" || ct.Base == "LARGEINT" {
		s, _ := renderValue(ColumnType{Base: "VARCHAR"}, v)
		return parseCSVValue(ct, s)
	}
	out, _, err := ct.gmsType().Convert(gsql.NewEmptyContext(), v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// defaultValue is the value of a column the load does not name.
func defaultValue(c *Cluster, col Column) (any, bool) {
	switch {
	case col.DefCurTS:
		return c.jobNow().UTC(), true
	case col.Default != nil:
		v, ok := parseCSVValue(col.Type, *col.Default)
		return v, ok
	case col.Nullable:
		return nil, true
	}
	return nil, false
}

// match evaluates a WHERE predicate on a converted row.
func (w wherePred) match(def *TableDef, row gsql.Row) bool {
	i := def.column(w.Column)
	v := row[i]
	switch w.Op {
	case "IS NULL":
		return v == nil
	case "IS NOT NULL":
		return v != nil
	}
	if v == nil {
		return false
	}
	lit, ok := parseCSVValue(def.Columns[i].Type, *w.Value)
	if !ok {
		return false
	}
	c := compareValues(def.Columns[i].Type, v, lit)
	return compareHolds(w.Op, c)
}

// routable reports whether a row fits a partition the request may write
// (expression-partitioned tables create partitions, except for NULL keys).
func (lc *loadConverter) routable(snap *TableSnapshot, req *LoadRequest, row gsql.Row) bool {
	d := snap.Def
	if d.Partition.Kind == Unpartitioned {
		return true
	}
	if lc.cands == nil {
		lc.cands = map[*LoadRequest][]*Partition{}
	}
	cands, ok := lc.cands[req]
	if !ok {
		set := snap.Partitions
		if req.Temporary {
			set = snap.Temps
		}
		for i := range set {
			if req.Partitions == nil || containsFold(req.Partitions, set[i].Name) {
				cands = append(cands, &set[i])
			}
		}
		lc.cands[req] = cands
	}
	cts := d.partitionColumnTypes()
	key := make([]keyVal, len(cts))
	for i, ci := range d.partitionColumnIndexes() {
		key[i] = keyOfValue(cts[i], row[ci])
	}
	if routeRow(d, cts, cands, key) != nil {
		return true
	}
	if req.Partitions != nil {
		return false
	}
	if d.Partition.Kind == ExprTimePartitioned || d.Partition.Kind == ExprColumnPartitioned {
		for _, k := range key {
			if k.Null {
				return false
			}
		}
		return true
	}
	return false
}

// negate flips the sign of a SUM value (NEGATIVE loads).
func negate(v any) any {
	switch x := v.(type) {
	case int8:
		return -x
	case int16:
		return -x
	case int32:
		return -x
	case int64:
		return -x
	case float32:
		return -x
	case float64:
		return -x
	case decimal.Decimal:
		return x.Neg()
	}
	return v
}

// columnsFromPath extracts COLUMNS FROM PATH values (".../k=v/..."),
// keyed by lower-case column name.
func columnsFromPath(cols []string, key string) map[string]string {
	out := map[string]string{}
	if len(cols) == 0 {
		return out
	}
	for _, seg := range strings.Split(key, "/") {
		k, v, ok := strings.Cut(seg, "=")
		if ok && containsFold(cols, k) {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}
