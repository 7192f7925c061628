package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Divergence is how a local copy of the state differs from the primary
// (shared) state, record by record. Meta is not compared: the serial and
// lineage of a local mirror count its own writes, which include the
// refreshes that make it equal to the primary again.
type Divergence struct {
	// Tables are the table records missing on one side or different, in
	// key order.
	Tables []string
	// Partitions are the partition records missing on one side or
	// different, in key order.
	Partitions []PartitionKey
	// Refresh is the batch that makes the local records equal to the
	// primary's: puts of the primary's versions and deletes of records
	// only the local copy has. It is empty when the records agree.
	Refresh *Batch
}

// Empty reports whether the two states hold the same records.
func (d *Divergence) Empty() bool { return d == nil || len(d.Tables)+len(d.Partitions) == 0 }

// String counts the differing records for messages, such as
// "3 partition records and 1 table record"; "no records" when none differ.
func (d *Divergence) String() string {
	if d.Empty() {
		return "no records"
	}
	var parts []string
	if n := len(d.Partitions); n > 0 {
		parts = append(parts, plural(n, "partition record"))
	}
	if n := len(d.Tables); n > 0 {
		parts = append(parts, plural(n, "table record"))
	}
	return strings.Join(parts, " and ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Compare compares the records of the primary and local snapshots. Records
// are equal when they encode to the same JSON, which is how every backend
// stores them; a nil snapshot holds no records.
func Compare(primary, local *Snapshot) *Divergence {
	d := &Divergence{Refresh: &Batch{}}
	var pt, lt map[string]*TableRecord
	var pp, lp map[PartitionKey]*PartitionRecord
	if primary != nil {
		pt, pp = primary.Tables, primary.Partitions
	}
	if local != nil {
		lt, lp = local.Tables, local.Partitions
	}
	for k, r := range pt {
		if l, ok := lt[k]; !ok || !sameJSON(r, l) {
			d.Tables = append(d.Tables, k)
			d.Refresh.PutTables = append(d.Refresh.PutTables, r)
		}
	}
	for k := range lt {
		if _, ok := pt[k]; !ok {
			d.Tables = append(d.Tables, k)
			d.Refresh.DeleteTables = append(d.Refresh.DeleteTables, k)
		}
	}
	for k, r := range pp {
		if l, ok := lp[k]; !ok || !sameJSON(r, l) {
			d.Partitions = append(d.Partitions, k)
			d.Refresh.PutPartitions = append(d.Refresh.PutPartitions, r)
		}
	}
	for k := range lp {
		if _, ok := pp[k]; !ok {
			d.Partitions = append(d.Partitions, k)
			d.Refresh.DeletePartitions = append(d.Refresh.DeletePartitions, k)
		}
	}
	slices.Sort(d.Tables)
	slices.SortFunc(d.Partitions, comparePartitionKeys)
	// Sorted batches keep refreshes reproducible.
	slices.SortFunc(d.Refresh.PutTables, func(a, b *TableRecord) int { return strings.Compare(a.Table, b.Table) })
	slices.Sort(d.Refresh.DeleteTables)
	slices.SortFunc(d.Refresh.PutPartitions, func(a, b *PartitionRecord) int { return comparePartitionKeys(a.Key(), b.Key()) })
	slices.SortFunc(d.Refresh.DeletePartitions, comparePartitionKeys)
	return d
}

func comparePartitionKeys(a, b PartitionKey) int {
	if c := strings.Compare(a.Table, b.Table); c != 0 {
		return c
	}
	return strings.Compare(a.Partition, b.Partition)
}

// sameJSON reports whether a and b encode alike. Records that cannot be
// encoded are never equal.
func sameJSON(a, b any) bool {
	ja, err := json.Marshal(a)
	if err != nil {
		return false
	}
	jb, err := json.Marshal(b)
	return err == nil && bytes.Equal(ja, jb)
}
