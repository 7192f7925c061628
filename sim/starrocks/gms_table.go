package starrocks

import (
	"encoding/binary"
	"strconv"
	"strings"
	"sync"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function"
)

// Hidden table names. Statement rewriting turns StarRocks-only table
// references into names the engine resolves through gmsDatabase:
//
//	t#part#p1#p2   formal partitions p1, p2 of t   (FROM t PARTITION (p1, p2))
//	t#temp#tp1     temporary partition tp1 of t    (FROM t TEMPORARY PARTITION (tp1))
//	t#load#17      insert target collecting rows for pending load 17
//
// '#' cannot occur in StarRocks table or partition names.
const (
	hiddenPart = "#part#"
	hiddenTemp = "#temp#"
	hiddenLoad = "#load#"
)

// hiddenPartitionName renders the hidden name of a partition selection.
func hiddenPartitionName(table string, temp bool, parts []string) string {
	marker := hiddenPart
	if temp {
		marker = hiddenTemp
	}
	return table + marker + strings.Join(parts, "#")
}

// gmsDatabase exposes one store database to the engine.
type gmsDatabase struct {
	c    *Cluster
	name string
}

var _ gsql.Database = (*gmsDatabase)(nil)

func (d *gmsDatabase) Name() string { return d.name }

// GetTableNames implements sql.Database.
func (d *gmsDatabase) GetTableNames(*gsql.Context) ([]string, error) {
	return d.c.store.TableNames(d.name)
}

// GetTableInsensitive implements sql.Database. Table names are matched
// exactly (StarRocks table names are case-sensitive).
func (d *gmsDatabase) GetTableInsensitive(_ *gsql.Context, name string) (gsql.Table, bool, error) {
	base, sel := name, partSelection{}
	var load *pendingLoad
	switch {
	case strings.Contains(name, hiddenPart):
		base, sel.names = splitHidden(name, hiddenPart)
	case strings.Contains(name, hiddenTemp):
		base, sel.names = splitHidden(name, hiddenTemp)
		sel.temp = true
	case strings.Contains(name, hiddenLoad):
		var ids []string
		base, ids = splitHidden(name, hiddenLoad)
		if len(ids) == 1 {
			id, _ := strconv.ParseInt(ids[0], 10, 64)
			load = d.c.loads.get(id)
		}
		if load == nil {
			return nil, false, nil
		}
	}
	snap := d.c.store.TableIfExists(d.name, base)
	if snap == nil {
		return nil, false, nil
	}
	for _, n := range sel.names {
		if _, ok := snap.Partition(n, sel.temp); !ok {
			if sel.temp {
				return nil, false, analysisError("Unknown temporary partition '" + n + "' in table '" + base + "'")
			}
			return nil, false, errUnknownPartition(n, base)
		}
	}
	return &gmsTable{c: d.c, db: d.name, name: base, def: snap.Def, sel: sel, load: load}, true, nil
}

func splitHidden(name, marker string) (string, []string) {
	i := strings.Index(name, marker)
	return name[:i], strings.Split(name[i+len(marker):], "#")
}

// partSelection restricts a scan to named partitions.
type partSelection struct {
	names []string // nil: all formal partitions
	temp  bool
}

// gmsTable is the engine's view of a table (or of a partition selection,
// or an INSERT target). Data is read from a store snapshot taken when the
// engine asks for partitions, so one scan sees one consistent state.
type gmsTable struct {
	c    *Cluster
	db   string
	name string
	def  *TableDef
	sel  partSelection
	load *pendingLoad
}

var (
	_ gsql.Table           = (*gmsTable)(nil)
	_ gsql.InsertableTable = (*gmsTable)(nil)
	_ gsql.StatisticsTable = (*gmsTable)(nil)
)

func (t *gmsTable) Name() string                { return t.name }
func (t *gmsTable) String() string              { return t.name }
func (t *gmsTable) Collation() gsql.CollationID { return gsql.Collation_Default }

// Schema maps the StarRocks columns to engine columns, with defaults.
func (t *gmsTable) Schema() gsql.Schema {
	s := make(gsql.Schema, len(t.def.Columns))
	for i, c := range t.def.Columns {
		typ := c.Type.gmsType()
		col := &gsql.Column{Name: c.Name, Type: typ, Nullable: c.Nullable, Source: t.name, DatabaseSource: t.db, Comment: c.Comment}
		switch {
		case c.DefCurTS:
			if now, err := function.NewNow(); err == nil {
				col.Default, _ = gsql.NewColumnDefaultValue(now, typ, false, true, false)
			}
		case c.Default != nil:
			if v, _, err := typ.Convert(gsql.NewEmptyContext(), *c.Default); err == nil {
				col.Default, _ = gsql.NewColumnDefaultValue(expression.NewLiteral(v, typ), typ, true, false, c.Nullable)
			}
		case c.Nullable:
			col.Default, _ = gsql.NewColumnDefaultValue(expression.NewLiteral(nil, typ), typ, true, false, true)
		}
		s[i] = col
	}
	return s
}

// snapshotPartitions returns the partitions the table view covers.
func (t *gmsTable) snapshotPartitions() ([]Partition, error) {
	snap, err := t.c.store.Table(t.db, t.name)
	if err != nil {
		return nil, errTableNotFoundQuery(t.db, t.name)
	}
	if snap.Def != t.def {
		return nil, analysisError("Table '" + t.name + "' was changed by a concurrent DDL; retry the statement")
	}
	if t.sel.names == nil {
		return snap.Partitions, nil
	}
	var out []Partition
	for _, n := range t.sel.names {
		p, ok := snap.Partition(n, t.sel.temp)
		if !ok {
			return nil, errUnknownPartition(n, t.name)
		}
		out = append(out, p)
	}
	return out, nil
}

// Partitions implements sql.Table: one engine partition per StarRocks partition.
func (t *gmsTable) Partitions(*gsql.Context) (gsql.PartitionIter, error) {
	if t.load != nil {
		return gsql.PartitionsToPartitionIter(), nil
	}
	ps, err := t.snapshotPartitions()
	if err != nil {
		return nil, err
	}
	out := make([]gsql.Partition, 0, len(ps))
	for _, p := range ps {
		key := make([]byte, 8)
		binary.BigEndian.PutUint64(key, uint64(p.ID))
		out = append(out, rowsPartition{key: key, rows: p.Rows})
	}
	return gsql.PartitionsToPartitionIter(out...), nil
}

// PartitionRows implements sql.Table.
func (t *gmsTable) PartitionRows(_ *gsql.Context, p gsql.Partition) (gsql.RowIter, error) {
	rp, ok := p.(rowsPartition)
	if !ok {
		return gsql.RowsToRowIter(), nil
	}
	return gsql.RowsToRowIter(rp.rows...), nil
}

// DataLength implements sql.StatisticsTable.
func (t *gmsTable) DataLength(*gsql.Context) (uint64, error) {
	ps, err := t.snapshotPartitions()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range ps {
		n += p.DataSize
	}
	return uint64(n), nil
}

// RowCount implements sql.StatisticsTable.
func (t *gmsTable) RowCount(*gsql.Context) (uint64, bool, error) {
	ps, err := t.snapshotPartitions()
	if err != nil {
		return 0, false, err
	}
	var n int
	for _, p := range ps {
		n += len(p.Rows)
	}
	return uint64(n), true, nil
}

// Inserter implements sql.InsertableTable. Only hidden load targets accept
// rows; the INSERT statement handler commits them as one load transaction.
func (t *gmsTable) Inserter(*gsql.Context) gsql.RowInserter {
	return &gmsInserter{load: t.load, table: t.name}
}

// pendingLoad collects the rows an INSERT produces before they are
// committed through Store.Load.
type pendingLoad struct {
	id   int64
	mu   sync.Mutex
	rows []gsql.Row
}

// pendingLoads is the registry of in-flight INSERT targets.
type pendingLoads struct {
	mu   sync.Mutex
	seq  int64
	byID map[int64]*pendingLoad
}

func (l *pendingLoads) open() *pendingLoad {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	if l.byID == nil {
		l.byID = map[int64]*pendingLoad{}
	}
	pl := &pendingLoad{id: l.seq}
	l.byID[pl.id] = pl
	return pl
}

func (l *pendingLoads) get(id int64) *pendingLoad {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

func (l *pendingLoads) close(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byID, id)
}

// gmsInserter appends rows to a pending load.
type gmsInserter struct {
	load  *pendingLoad
	table string
}

func (i *gmsInserter) StatementBegin(*gsql.Context)              {}
func (i *gmsInserter) DiscardChanges(*gsql.Context, error) error { return nil }
func (i *gmsInserter) StatementComplete(*gsql.Context) error     { return nil }
func (i *gmsInserter) Close(*gsql.Context) error                 { return nil }

// Insert implements sql.RowInserter.
func (i *gmsInserter) Insert(_ *gsql.Context, r gsql.Row) error {
	if i.load == nil {
		return analysisError("Table '" + i.table + "' cannot be written by this statement")
	}
	i.load.mu.Lock()
	defer i.load.mu.Unlock()
	i.load.rows = append(i.load.rows, append(gsql.Row(nil), r...))
	return nil
}
