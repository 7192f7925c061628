package starrocks

import (
	"strings"
)

// KeysType is a StarRocks table model.
type KeysType string

// The four table models.
const (
	DuplicateKeys KeysType = "DUPLICATE"
	AggregateKeys KeysType = "AGGREGATE"
	UniqueKeys    KeysType = "UNIQUE"
	PrimaryKeys   KeysType = "PRIMARY"
)

// PartitionKind is how a table is partitioned.
type PartitionKind int

// Partitioning schemes.
const (
	Unpartitioned PartitionKind = iota
	RangePartitioned
	ListPartitioned
	ExprTimePartitioned   // PARTITION BY date_trunc('unit', col): auto-created range partitions
	ExprColumnPartitioned // PARTITION BY (c1, c2): auto-created list partitions
)

// Column is one column of a table definition.
type Column struct {
	Name     string
	Type     ColumnType
	Agg      string  // SUM, MAX, MIN, REPLACE, REPLACE_IF_NOT_NULL on AGGREGATE value columns; "" otherwise
	Nullable bool    // StarRocks columns are nullable unless NOT NULL
	Default  *string // literal default; nil when none
	DefCurTS bool    // DEFAULT CURRENT_TIMESTAMP
	Comment  string
	IsKey    bool
}

// PartitionDesc is the partitioning clause of a table.
type PartitionDesc struct {
	Kind     PartitionKind
	Columns  []string // partition columns (the time column for ExprTimePartitioned)
	TimeUnit string   // ExprTimePartitioned: hour, day, month or year
}

// Distribution is the DISTRIBUTED BY clause.
type Distribution struct {
	Random  bool
	Columns []string // HASH columns
	Buckets int      // 0 when not specified (automatic bucketing)
}

// TableDef is the definition of a table: everything SHOW CREATE TABLE
// prints except the partitions themselves, which live in the store.
// A TableDef is immutable once the table is created; DDL that changes it
// replaces it.
type TableDef struct {
	Name         string
	Columns      []Column
	Keys         KeysType
	KeyColumns   []string
	Comment      string
	Partition    PartitionDesc
	Distribution Distribution
	OrderBy      []string
	Properties   []property // user-given properties, validated, in declaration order
	Indexes      []string   // index clauses, rendered
}

// column returns the index of a column by case-insensitive name, or -1.
func (d *TableDef) column(name string) int {
	for i, c := range d.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// ColumnNames lists the columns in order.
func (d *TableDef) ColumnNames() []string {
	out := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		out[i] = c.Name
	}
	return out
}

// partitionColumnTypes returns the types of the partition columns.
func (d *TableDef) partitionColumnTypes() []ColumnType {
	var out []ColumnType
	for _, n := range d.Partition.Columns {
		out = append(out, d.Columns[d.column(n)].Type)
	}
	return out
}

// partitionColumnIndexes returns the row positions of the partition columns.
func (d *TableDef) partitionColumnIndexes() []int {
	var out []int
	for _, n := range d.Partition.Columns {
		out = append(out, d.column(n))
	}
	return out
}

// keyColumnIndexes returns the row positions of the key columns.
func (d *TableDef) keyColumnIndexes() []int {
	var out []int
	for _, n := range d.KeyColumns {
		out = append(out, d.column(n))
	}
	return out
}

// isRangeLike reports whether partitions carry ranges (range or time
// expression partitioning).
func (d *TableDef) isRangeLike() bool {
	return d.Partition.Kind == RangePartitioned || d.Partition.Kind == ExprTimePartitioned
}

// isListLike reports whether partitions carry value lists.
func (d *TableDef) isListLike() bool {
	return d.Partition.Kind == ListPartitioned || d.Partition.Kind == ExprColumnPartitioned
}

// property returns a user-given property value.
func (d *TableDef) property(key string) (string, bool) {
	for _, p := range d.Properties {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// clone returns a deep-enough copy for DDL that replaces the definition.
func (d *TableDef) clone() *TableDef {
	n := *d
	n.Columns = append([]Column(nil), d.Columns...)
	n.KeyColumns = append([]string(nil), d.KeyColumns...)
	n.Partition.Columns = append([]string(nil), d.Partition.Columns...)
	n.Distribution.Columns = append([]string(nil), d.Distribution.Columns...)
	n.OrderBy = append([]string(nil), d.OrderBy...)
	n.Properties = append([]property(nil), d.Properties...)
	n.Indexes = append([]string(nil), d.Indexes...)
	return &n
}
