package state

import (
	"encoding/json"
	"fmt"
)

// keyValue is one encoded record.
type keyValue struct{ key, value []byte }

// encodedBatch holds a batch's puts encoded before any transaction starts,
// so an unencodable record (say, a Manifest that is not JSON) fails the
// batch before anything is written.
type encodedBatch struct {
	tables     []keyValue
	partitions []keyValue
}

func encodeBatch(b *Batch) (*encodedBatch, error) {
	if b == nil {
		return &encodedBatch{}, nil
	}
	enc := &encodedBatch{
		tables:     make([]keyValue, 0, len(b.PutTables)),
		partitions: make([]keyValue, 0, len(b.PutPartitions)),
	}
	for _, r := range b.PutTables {
		v, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode table %s: %w", r.Table, err)
		}
		enc.tables = append(enc.tables, keyValue{tableKey(r.Table), v})
	}
	for _, r := range b.PutPartitions {
		v, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode partition %s %s: %w", r.Table, r.Partition, err)
		}
		enc.partitions = append(enc.partitions, keyValue{partitionKey(r.Key()), v})
	}
	return enc, nil
}

// tableKey is the bbolt key of a table record: "db.table".
func tableKey(table string) []byte { return []byte(table) }

// partitionKey is the bbolt key of a partition record:
// "db.table" NUL "partition". Batch.Validate keeps NUL out of names, and
// the separator sorts a table's partitions together, before any longer
// table name with the same prefix.
func partitionKey(k PartitionKey) []byte {
	b := make([]byte, 0, len(k.Table)+1+len(k.Partition))
	b = append(b, k.Table...)
	b = append(b, 0)
	return append(b, k.Partition...)
}
