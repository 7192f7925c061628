package starrocks

import (
	"fmt"
	"strings"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/shopspring/decimal"
)

// LoadRequest is one load transaction: rows appended to a table (or to
// named formal or temporary partitions) atomically.
type LoadRequest struct {
	DB, Table string
	// Partitions restricts the target to these partitions (INSERT INTO t
	// PARTITION (...)); nil routes every row by its partition key. With
	// Temporary the names are temporary partitions.
	Partitions []string
	Temporary  bool
	// Rows are full-width rows in table column order whose values already
	// have the column storage types (see ConvertRow).
	Rows []gsql.Row
	// UpdateColumns lists the column positions a Primary Key partial update
	// writes; nil means full rows.
	UpdateColumns []int
	// Overwrite replaces the target partitions (Partitions, or all formal
	// partitions) by new empty ones (new ids) before loading, as INSERT
	// OVERWRITE does.
	Overwrite bool
	// SkipFiltered drops rows that fit no partition or violate a column
	// instead of failing the load (enable_insert_strict=false).
	SkipFiltered bool
}

// LoadResult describes a committed load transaction.
type LoadResult struct {
	TxnID    int64
	Rows     int64            // rows loaded
	Filtered int64            // rows dropped under SkipFiltered
	Versions map[string]int64 // partition name -> new VisibleVersion
}

// BeginTxnID allocates a transaction id without loading (used by callers
// that must report a txn id for a failed load).
func (s *Store) BeginTxnID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txnSeq++
	return s.txnSeq
}

// Load runs one load transaction. Every row must fit a partition of the
// target (auto-creating partitions for expression-partitioned tables) and
// its column constraints, otherwise nothing is loaded and the strict-mode
// "filtered data" error is returned. Each partition that received rows, and
// each partition named in Partitions, gets VisibleVersion+1 and
// VisibleVersionTime = now. Rows are merged by the table's key model.
func (s *Store) Load(req LoadRequest) (LoadResult, error) {
	res, err := s.LoadAll([]LoadRequest{req})
	if len(res) == 0 {
		return LoadResult{}, err
	}
	return res[0], err
}

// LoadAll runs several load requests as ONE transaction (a Broker Load
// with several data descriptions, a RESTORE of several tables): all of
// them are applied or none. They share one txn id, and a partition
// touched by several requests gets one new version. Results are in
// request order; on failure the results carry the txn id only.
func (s *Store) LoadAll(reqs []LoadRequest) ([]LoadResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txnSeq++
	txn := s.txnSeq
	now := s.nowTrunc()
	staged := map[*tableEntry]*stagedTable{}
	var order []*stagedTable
	out := make([]LoadResult, len(reqs))
	for i, req := range reqs {
		out[i] = LoadResult{TxnID: txn, Versions: map[string]int64{}}
		t, err := s.lookup(req.DB, req.Table)
		if err != nil {
			return out, err
		}
		st, ok := staged[t]
		if !ok {
			st = &stagedTable{t: t, parts: t.parts, temps: t.temps, fresh: map[*Partition]bool{}}
			staged[t] = st
			order = append(order, st)
		}
		if err := s.stage(st, req, txn, now, &out[i]); err != nil {
			return out, err
		}
	}
	for _, st := range order {
		st.t.parts, st.t.temps = st.parts, st.temps
	}
	return out, nil
}

// stagedTable is a table's partition list as changed by the requests of a
// transaction so far; it is published when every request has staged.
type stagedTable struct {
	t            *tableEntry
	parts, temps []*Partition
	fresh        map[*Partition]bool // partitions created by this transaction
}

// stage applies one request to the staged partitions of its table.
func (s *Store) stage(st *stagedTable, req LoadRequest, txn int64, now time.Time, res *LoadResult) error {
	var incomingTouch []*Partition
	t := st.t
	d := t.Def
	filtered := func() error { return errFilteredData(txn, txn+1) }
	rows := make([]gsql.Row, 0, len(req.Rows))
	decimals := d.decimalColumns()
	for _, r := range req.Rows {
		r = normalizeDecimals(d, decimals, r)
		if err := checkRow(d, r); err != nil {
			if !req.SkipFiltered {
				return filtered()
			}
			res.Filtered++
			continue
		}
		rows = append(rows, r)
	}
	// Work on copies so a failure leaves the table untouched.
	parts := append([]*Partition(nil), st.parts...)
	temps := append([]*Partition(nil), st.temps...)
	if req.Overwrite {
		fresh := func(set []*Partition) {
			for i, p := range set {
				if req.Partitions != nil && !containsFold(req.Partitions, p.Name) {
					continue
				}
				np := s.newPartition(t, p.Name, p.Buckets)
				np.Temp, np.Lower, np.Upper, np.Values = p.Temp, p.Lower, p.Upper, p.Values
				set[i] = np
			}
		}
		if req.Temporary {
			fresh(temps)
		} else {
			fresh(parts)
		}
		if req.Partitions == nil {
			incomingTouch = append(incomingTouch, parts...)
		}
	}
	var targets []*Partition
	if req.Partitions != nil {
		set := parts
		if req.Temporary {
			set = temps
		}
		for _, n := range req.Partitions {
			i := findPartition(set, n)
			if i < 0 {
				if req.Temporary {
					return analysisError(fmt.Sprintf("Unknown temporary partition '%s' in table '%s'", n, req.Table))
				}
				return errUnknownPartition(n, req.Table)
			}
			targets = append(targets, set[i])
		}
	}
	incoming := map[*Partition][]gsql.Row{}
	var order []*Partition
	touch := func(p *Partition) {
		if _, ok := incoming[p]; !ok {
			incoming[p] = nil
			order = append(order, p)
		}
	}
	for _, p := range targets {
		touch(p)
	}
	for _, p := range incomingTouch {
		touch(p)
	}
	cts := d.partitionColumnTypes()
	pidx := d.partitionColumnIndexes()
	for _, r := range rows {
		var p *Partition
		if d.Partition.Kind == Unpartitioned {
			if req.Partitions == nil {
				p = parts[0]
			} else {
				p = targets[0]
			}
		} else {
			key := make([]keyVal, len(pidx))
			for i, ci := range pidx {
				key[i] = keyOfValue(cts[i], r[ci])
			}
			candidates := parts
			if req.Partitions != nil {
				candidates = targets
			}
			p = routeRow(d, cts, candidates, key)
			if p == nil && req.Partitions == nil {
				np, err := s.autoPartition(t, &parts, temps, cts, key, now)
				if err != nil {
					return err
				}
				p = np
			}
		}
		if p == nil {
			if !req.SkipFiltered {
				return filtered()
			}
			res.Filtered++
			continue
		}
		touch(p)
		incoming[p] = append(incoming[p], r)
	}
	for _, p := range order {
		np := *p
		np.Rows = mergeRows(d, p.Rows, incoming[p], req.UpdateColumns)
		np.DataSize = dataSizeOf(d, np.Rows)
		if !st.fresh[p] {
			np.VisibleVersion++
		}
		np.VisibleVersionTime = now
		delete(st.fresh, p)
		st.fresh[&np] = true
		replacePtr(parts, p, &np)
		replacePtr(temps, p, &np)
		res.Versions[np.Name] = np.VisibleVersion
	}
	st.parts, st.temps = parts, temps
	res.Rows = int64(len(req.Rows)) - res.Filtered
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func replacePtr(ps []*Partition, old, nw *Partition) {
	for i, p := range ps {
		if p == old {
			ps[i] = nw
		}
	}
}

// decimalColumns returns the positions of DECIMAL columns.
func (d *TableDef) decimalColumns() []int {
	var out []int
	for i, c := range d.Columns {
		if c.Type.Base == "DECIMAL" {
			out = append(out, i)
		}
	}
	return out
}

// normalizeDecimals gives DECIMAL values the column's scale (12.5 in a
// DECIMAL(12, 3) column is stored and shown as 12.500, as in StarRocks).
// The row is copied when a value changes.
func normalizeDecimals(d *TableDef, cols []int, r gsql.Row) gsql.Row {
	copied := false
	for _, i := range cols {
		if i >= len(r) {
			continue
		}
		v, ok := r[i].(decimal.Decimal)
		scale := int32(d.Columns[i].Type.Scale)
		if !ok || v.Exponent() == -scale {
			continue
		}
		if !copied {
			r = append(gsql.Row(nil), r...)
			copied = true
		}
		r[i] = v.Round(scale)
	}
	return r
}

// routeRow finds the partition holding key among candidates.
func routeRow(d *TableDef, cts []ColumnType, candidates []*Partition, key []keyVal) *Partition {
	for _, p := range candidates {
		if d.isRangeLike() {
			k := rangeKey(key)
			for i := range k {
				if k[i].Null { // NULL keys go to the partition holding the minimum
					k = append(rangeKey(nil), k...)
					k[i] = minKeyVal(cts[i])
				}
			}
			if compareKey(cts, p.Lower, k) <= 0 && compareKey(cts, k, p.Upper) < 0 {
				return p
			}
			continue
		}
		for _, v := range p.Values {
			if keysEqual(cts, v, key) {
				return p
			}
		}
	}
	return nil
}

// autoPartition creates the partition of an expression-partitioned table
// that a row needs. It is part of the load transaction.
func (s *Store) autoPartition(t *tableEntry, parts *[]*Partition, temps []*Partition, cts []ColumnType, key []keyVal, now time.Time) (*Partition, error) {
	d := t.Def
	var np *Partition
	switch d.Partition.Kind {
	case ExprTimePartitioned:
		if key[0].Null {
			return nil, nil
		}
		tv, err := parseTemporal(key[0].S)
		if err != nil {
			return nil, nil
		}
		lo := truncUnit(tv, d.Partition.TimeUnit)
		hi := addUnit(lo, d.Partition.TimeUnit, 1)
		np = s.newPartition(t, timePartitionName(lo, d.Partition.TimeUnit), 0)
		np.Lower, np.Upper = rangeKey{temporalKey(cts[0], lo)}, rangeKey{temporalKey(cts[0], hi)}
		for _, e := range *parts {
			if compareKey(cts, np.Lower, e.Upper) < 0 && compareKey(cts, e.Lower, np.Upper) < 0 {
				return nil, errDDLf("Range %s is intersected with range: %s", rangeText(cts, np.Lower, np.Upper), rangeText(cts, e.Lower, e.Upper))
			}
		}
	case ExprColumnPartitioned:
		for _, k := range key {
			if k.Null {
				return nil, nil
			}
		}
		np = s.newPartition(t, listPartitionName(cts, key), 0)
		np.Values = [][]keyVal{key}
	default:
		return nil, nil
	}
	np.VisibleVersionTime = now
	if findPartition(*parts, np.Name) >= 0 || findPartition(temps, np.Name) >= 0 {
		return nil, errDDLf("Duplicate partition name %s", np.Name)
	}
	*parts = append(*parts, np)
	if d.isRangeLike() {
		ps := *parts
		for i := len(ps) - 1; i > 0 && compareKey(cts, ps[i].Lower, ps[i-1].Lower) < 0; i-- {
			ps[i], ps[i-1] = ps[i-1], ps[i]
		}
	}
	return np, nil
}

// checkRow enforces NOT NULL and the byte lengths of CHAR/VARCHAR columns,
// the row checks StarRocks' strict mode filters on.
func checkRow(d *TableDef, r gsql.Row) error {
	if len(r) != len(d.Columns) {
		return fmt.Errorf("row has %d values, table has %d columns", len(r), len(d.Columns))
	}
	for i, c := range d.Columns {
		v := r[i]
		if v == nil {
			if !c.Nullable {
				return fmt.Errorf("column %s is not nullable", c.Name)
			}
			continue
		}
		if c.Type.Base == "CHAR" || c.Type.Base == "VARCHAR" {
			s, ok := v.(string)
			if ok && len(s) > c.Type.Len {
				return fmt.Errorf("value too long for column %s", c.Name)
			}
		}
	}
	return nil
}

// mergeRows applies the key model: DUPLICATE appends; PRIMARY and UNIQUE
// upsert on the key (a partial update writes only update columns of an
// existing row); AGGREGATE folds value columns with their functions.
func mergeRows(d *TableDef, existing, incoming []gsql.Row, update []int) []gsql.Row {
	if len(incoming) == 0 {
		return existing
	}
	if d.Keys == DuplicateKeys {
		out := make([]gsql.Row, 0, len(existing)+len(incoming))
		out = append(out, existing...)
		return append(out, incoming...)
	}
	kidx := d.keyColumnIndexes()
	out := append(make([]gsql.Row, 0, len(existing)+len(incoming)), existing...)
	pos := make(map[string]int, len(out))
	for i, r := range out {
		pos[rowKey(d, kidx, r)] = i
	}
	for _, r := range incoming {
		k := rowKey(d, kidx, r)
		i, ok := pos[k]
		if !ok {
			pos[k] = len(out)
			out = append(out, r)
			continue
		}
		switch d.Keys {
		case AggregateKeys:
			out[i] = aggregateRow(d, out[i], r)
		default:
			if update != nil {
				nr := append(gsql.Row(nil), out[i]...)
				for _, c := range update {
					nr[c] = r[c]
				}
				out[i] = nr
			} else {
				out[i] = r
			}
		}
	}
	return out
}

func rowKey(d *TableDef, kidx []int, r gsql.Row) string {
	var b strings.Builder
	for _, i := range kidx {
		k := keyOfValue(d.Columns[i].Type, r[i])
		if k.Null {
			b.WriteString("\x01N")
		} else {
			b.WriteString("\x01V")
			b.WriteString(k.S)
		}
	}
	return b.String()
}

// aggregateRow folds a new row into an existing one of an AGGREGATE table.
func aggregateRow(d *TableDef, old, nw gsql.Row) gsql.Row {
	out := append(gsql.Row(nil), old...)
	for i, c := range d.Columns {
		if c.IsKey {
			continue
		}
		a, b := old[i], nw[i]
		switch c.Agg {
		case "SUM":
			out[i] = addValues(a, b)
		case "MAX":
			if b != nil && (a == nil || compareValues(c.Type, b, a) > 0) {
				out[i] = b
			}
		case "MIN":
			if b != nil && (a == nil || compareValues(c.Type, b, a) < 0) {
				out[i] = b
			}
		case "REPLACE":
			out[i] = b
		case "REPLACE_IF_NOT_NULL":
			if b != nil {
				out[i] = b
			}
		}
	}
	return out
}

// addValues adds two stored numeric values of the same column type with
// the wrap-around of the column's width.
func addValues(a, b any) any {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	switch x := a.(type) {
	case int8:
		return x + b.(int8)
	case int16:
		return x + b.(int16)
	case int32:
		return x + b.(int32)
	case int64:
		return x + b.(int64)
	case float32:
		return x + b.(float32)
	case float64:
		return x + b.(float64)
	case decimal.Decimal:
		return x.Add(b.(decimal.Decimal))
	}
	return b
}

// compareValues orders two stored values of a column type.
func compareValues(ct ColumnType, a, b any) int {
	c, err := ct.gmsType().Compare(gsql.NewEmptyContext(), a, b)
	if err != nil {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}
	return c
}

// dataSizeOf is the deterministic DataSize of a partition's rows.
func dataSizeOf(d *TableDef, rows []gsql.Row) int64 {
	var n int64
	for _, r := range rows {
		for i, c := range d.Columns {
			n += c.Type.byteSize(r[i])
		}
	}
	return n
}

// ConvertRow converts loose values (strings, numbers, times) to the storage
// types of the table's columns, in column order. It is the entry point for
// loaders that read rows from files.
func ConvertRow(d *TableDef, values []any) (gsql.Row, error) {
	if len(values) != len(d.Columns) {
		return nil, fmt.Errorf("starrocks sim: row has %d values, table %s has %d columns", len(values), d.Name, len(d.Columns))
	}
	ctx := gsql.NewEmptyContext()
	out := make(gsql.Row, len(values))
	for i, c := range d.Columns {
		v, _, err := c.Type.gmsType().Convert(ctx, values[i])
		if err != nil {
			return nil, fmt.Errorf("starrocks sim: column %s: %w", c.Name, err)
		}
		out[i] = v
	}
	return out, nil
}
