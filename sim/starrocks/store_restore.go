package starrocks

import (
	"fmt"
	"strings"
)

// RestoreTable is one table a RESTORE writes.
type RestoreTable struct {
	// Name is the target table name (the alias, or the backed-up name).
	Name string
	// Def is the backed-up definition.
	Def *TableDef
	// Partitions are the restored partitions with their bounds, rows and
	// backed-up VisibleVersion.
	Partitions []Partition
	// ReplicationNum is the replication_num of a table RESTORE creates.
	ReplicationNum string
}

// RestoreTables restores tables of a database in one transaction: a
// missing table is created with the backed-up definition and only the
// restored partitions; an existing table must have the same schema, its
// restored partitions are replaced (new ids, the backed-up rows and
// VisibleVersion) and partitions it lacks are added. On any error nothing
// changes. The error texts are those RESTORE reports as its job status.
func (s *Store) RestoreTables(db string, tables []RestoreTable) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dbs[db]
	if !ok {
		return errUnknownDatabase(db)
	}
	type change struct {
		entry        *tableEntry
		create       bool
		parts, temps []*Partition
	}
	var changes []change
	now := s.nowTrunc()
	for _, rt := range tables {
		t, exists := d.tables[rt.Name]
		if !exists {
			def := rt.Def.clone()
			def.Name = rt.Name
			setProperty(def, "replication_num", rt.ReplicationNum)
			if err := validateProperties(def, s.prof); err != nil {
				return fmt.Errorf("failed to find %s different hosts to create table: %s", rt.ReplicationNum, rt.Name)
			}
			t = &tableEntry{ID: s.newID(), DB: db, Def: def, Created: now}
			changes = append(changes, change{entry: t, create: true})
		} else {
			if !sameSchema(t.Def, rt.Def) {
				return fmt.Errorf("Table %s already exist but with different schema", rt.Name)
			}
			changes = append(changes, change{entry: t, parts: append([]*Partition(nil), t.parts...), temps: t.temps})
		}
		ch := &changes[len(changes)-1]
		cts := t.Def.partitionColumnTypes()
		for _, bp := range rt.Partitions {
			np := &Partition{ID: s.newID(), Name: bp.Name, Lower: bp.Lower, Upper: bp.Upper, Values: bp.Values,
				VisibleVersion: max(bp.VisibleVersion, 1), VisibleVersionTime: now, Buckets: bp.Buckets, Rows: bp.Rows}
			np.DataSize = dataSizeOf(t.Def, np.Rows)
			if t.Def.Partition.Kind == Unpartitioned {
				np.Name = rt.Name
				if len(ch.parts) > 0 {
					ch.parts[0] = np
				} else {
					ch.parts = []*Partition{np}
				}
				continue
			}
			if i := findPartition(ch.parts, bp.Name); i >= 0 {
				old := ch.parts[i]
				if !samePartitionBounds(cts, old, np) {
					return fmt.Errorf("Partition %s in table %s has different range with partition in repository", bp.Name, rt.Name)
				}
				ch.parts[i] = np
				continue
			}
			for _, e := range ch.parts {
				if overlaps(t.Def, cts, e, np) {
					return fmt.Errorf("Partition %s in table %s has conflicting range with partition %s", bp.Name, rt.Name, e.Name)
				}
			}
			ch.parts = insertPartition(t.Def, cts, ch.parts, np)
		}
	}
	for _, ch := range changes {
		if ch.create {
			ch.entry.parts = ch.parts
			d.tables[ch.entry.Def.Name] = ch.entry
			continue
		}
		ch.entry.parts = ch.parts
	}
	return nil
}

// setProperty sets (or adds) a table property.
func setProperty(d *TableDef, key, value string) {
	if value == "" {
		return
	}
	for i := range d.Properties {
		if d.Properties[i].Key == key {
			d.Properties[i].Value = value
			return
		}
	}
	d.Properties = append(d.Properties, property{Key: key, Value: value})
}

// sameSchema compares what RESTORE requires to match: columns (names,
// types, nullability, aggregation), key model, partitioning and
// distribution columns.
func sameSchema(a, b *TableDef) bool {
	if len(a.Columns) != len(b.Columns) || a.Keys != b.Keys || a.Partition.Kind != b.Partition.Kind ||
		a.Partition.TimeUnit != b.Partition.TimeUnit || !equalFoldList(a.KeyColumns, b.KeyColumns) ||
		!equalFoldList(a.Partition.Columns, b.Partition.Columns) || !equalFoldList(a.Distribution.Columns, b.Distribution.Columns) {
		return false
	}
	for i := range a.Columns {
		x, y := a.Columns[i], b.Columns[i]
		if !strings.EqualFold(x.Name, y.Name) || x.Type != y.Type || x.Nullable != y.Nullable || x.Agg != y.Agg {
			return false
		}
	}
	return true
}

func equalFoldList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func samePartitionBounds(cts []ColumnType, a, b *Partition) bool {
	if a.Lower != nil || b.Lower != nil || a.Upper != nil || b.Upper != nil {
		return compareKey(cts, a.Lower, b.Lower) == 0 && compareKey(cts, a.Upper, b.Upper) == 0
	}
	if len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Values {
		if !keysEqual(cts, a.Values[i], b.Values[i]) {
			return false
		}
	}
	return true
}

func overlaps(d *TableDef, cts []ColumnType, a, b *Partition) bool {
	if d.isRangeLike() {
		return compareKey(cts, a.Lower, b.Upper) < 0 && compareKey(cts, b.Lower, a.Upper) < 0
	}
	for _, x := range a.Values {
		for _, y := range b.Values {
			if keysEqual(cts, x, y) {
				return true
			}
		}
	}
	return false
}

// insertPartition adds a partition keeping range partitions ordered.
func insertPartition(d *TableDef, cts []ColumnType, parts []*Partition, np *Partition) []*Partition {
	parts = append(parts, np)
	if d.isRangeLike() {
		for i := len(parts) - 1; i > 0 && compareKey(cts, parts[i].Lower, parts[i-1].Lower) < 0; i-- {
			parts[i], parts[i-1] = parts[i-1], parts[i]
		}
	}
	return parts
}
