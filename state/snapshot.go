package state

import (
	"cmp"
	"slices"
)

// Sorted returns the snapshot's records in key order: tables by Table,
// partitions by Table then Partition. It is the stable order of
// `srplan state show` and `srplan state list`. The records are the
// snapshot's own, not copies. A nil snapshot yields no records.
func (s *Snapshot) Sorted() ([]*TableRecord, []*PartitionRecord) {
	if s == nil {
		return nil, nil
	}
	tables := make([]*TableRecord, 0, len(s.Tables))
	for _, r := range s.Tables {
		tables = append(tables, r)
	}
	slices.SortFunc(tables, func(a, b *TableRecord) int { return cmp.Compare(a.Table, b.Table) })
	parts := make([]*PartitionRecord, 0, len(s.Partitions))
	for _, r := range s.Partitions {
		parts = append(parts, r)
	}
	slices.SortFunc(parts, func(a, b *PartitionRecord) int {
		return cmp.Or(cmp.Compare(a.Table, b.Table), cmp.Compare(a.Partition, b.Partition))
	})
	return tables, parts
}

// newSnapshot returns an empty snapshot with meta.
func newSnapshot(meta Meta) *Snapshot {
	return &Snapshot{
		Meta:       meta,
		Tables:     map[string]*TableRecord{},
		Partitions: map[PartitionKey]*PartitionRecord{},
	}
}
