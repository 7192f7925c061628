package state

import (
	"fmt"
	"strings"
)

// Validate reports the first reason the batch cannot be committed, or nil.
// Every backend calls it before writing anything, so an invalid batch is
// rejected as a whole on every backend alike. A nil batch is valid (and
// empty). The rules:
//
//   - no nil record;
//   - a TableRecord has a Table, a PartitionRecord a Table and a Partition,
//     and so does every delete key; none of them holds a NUL byte (the bbolt
//     key separator);
//   - a key appears at most once among the puts and at most once among the
//     deletes of its kind, and never in both: a batch states one outcome per
//     record, so backends need not define an order between puts and deletes
//     (DynamoDB transactions refuse two operations on one item anyway).
func (b *Batch) Validate() error {
	if b == nil {
		return nil
	}
	tables := make(map[string]string, len(b.PutTables)+len(b.DeleteTables))
	for i, r := range b.PutTables {
		if r == nil {
			return fmt.Errorf("batch: table record %d is nil", i)
		}
		if err := checkKeyPart("table", r.Table); err != nil {
			return fmt.Errorf("batch: table record %d: %w", i, err)
		}
		if _, dup := tables[r.Table]; dup {
			return fmt.Errorf("batch: table %s is put twice", r.Table)
		}
		tables[r.Table] = "put"
	}
	for i, t := range b.DeleteTables {
		if err := checkKeyPart("table", t); err != nil {
			return fmt.Errorf("batch: table delete %d: %w", i, err)
		}
		if prev, dup := tables[t]; dup {
			return fmt.Errorf("batch: table %s is %s", t, conflict(prev))
		}
		tables[t] = "delete"
	}
	parts := make(map[PartitionKey]string, len(b.PutPartitions)+len(b.DeletePartitions))
	for i, r := range b.PutPartitions {
		if r == nil {
			return fmt.Errorf("batch: partition record %d is nil", i)
		}
		if err := checkPartitionKey(r.Key()); err != nil {
			return fmt.Errorf("batch: partition record %d: %w", i, err)
		}
		if _, dup := parts[r.Key()]; dup {
			return fmt.Errorf("batch: partition %s %s is put twice", r.Table, r.Partition)
		}
		parts[r.Key()] = "put"
	}
	for i, k := range b.DeletePartitions {
		if err := checkPartitionKey(k); err != nil {
			return fmt.Errorf("batch: partition delete %d: %w", i, err)
		}
		if prev, dup := parts[k]; dup {
			return fmt.Errorf("batch: partition %s %s is %s", k.Table, k.Partition, conflict(prev))
		}
		parts[k] = "delete"
	}
	return nil
}

// conflict describes a delete that meets an earlier operation on its key.
func conflict(prev string) string {
	if prev == "put" {
		return "both put and deleted"
	}
	return "deleted twice"
}

func checkPartitionKey(k PartitionKey) error {
	if err := checkKeyPart("table", k.Table); err != nil {
		return err
	}
	if err := checkKeyPart("partition", k.Partition); err != nil {
		return fmt.Errorf("table %s: %w", k.Table, err)
	}
	return nil
}

func checkKeyPart(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s name is empty", what)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return fmt.Errorf("%s name %q holds a NUL byte", what, v)
	}
	return nil
}
