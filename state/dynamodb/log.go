package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/srplan/srplan/state"
)

const (
	// chunkSize is the most batch bytes one item holds; DynamoDB items
	// hold at most 400 KB.
	chunkSize = 300 << 10
	// compactEvery is how many log entries may pile up on the base before
	// a writer compacts them into a new base.
	compactEvery = 64
	// readAttempts bounds the retries of a read that raced a compaction.
	readAttempts = 20
)

// change is one record change in a log entry; a nil Record deletes.
type change struct {
	Kind      string          `json:"k"` // "t" table, "p" partition
	Table     string          `json:"t"`
	Partition string          `json:"p,omitempty"`
	Record    json.RawMessage `json:"r,omitempty"`
}

// encodeBatch encodes b's changes as a log entry's data.
func encodeBatch(b *state.Batch) ([]byte, error) {
	var cs []change
	for _, t := range b.DeleteTables {
		cs = append(cs, change{Kind: "t", Table: t})
	}
	for _, k := range b.DeletePartitions {
		cs = append(cs, change{Kind: "p", Table: k.Table, Partition: k.Partition})
	}
	for _, r := range b.PutTables {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode table %s: %w", r.Table, err)
		}
		cs = append(cs, change{Kind: "t", Table: r.Table, Record: raw})
	}
	for _, r := range b.PutPartitions {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode partition %s %s: %w", r.Table, r.Partition, err)
		}
		cs = append(cs, change{Kind: "p", Table: r.Table, Partition: r.Partition, Record: raw})
	}
	return json.Marshal(cs)
}

// serialKey is the sort key of the log entry for serial.
func serialKey(serial uint64) string { return fmt.Sprintf("%020d", serial) }

// Write implements state.Writer. It appends the batch to the log as one
// conditional put, so it is atomic at any size; a batch too large for one
// item is stored in chunk items first. Concurrent writers retry until each
// gets its own serial.
func (s *Store) Write(ctx context.Context, b *state.Batch) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("state: write: %w", err)
	}
	if err := s.usable(ctx); err != nil {
		return err
	}
	if b.Empty() {
		return nil
	}
	data, err := encodeBatch(b)
	if err != nil {
		return fmt.Errorf("state: write: %w", err)
	}
	txn := newID()
	entry := map[string]types.AttributeValue{
		"pk":      &types.AttributeValueMemberS{Value: s.pk("log")},
		"txn":     &types.AttributeValueMemberS{Value: txn},
		"version": &types.AttributeValueMemberS{Value: s.version},
	}
	chunked := len(data) > chunkSize
	if chunked {
		n, err := s.writeChunks(ctx, txn, data)
		if err != nil {
			s.deleteChunks(ctx, txn)
			return s.wrap("write", err)
		}
		entry["chunks"] = numAttr(uint64(n))
	} else {
		entry["data"] = &types.AttributeValueMemberB{Value: data}
	}
	serial, err := s.appendEntry(ctx, entry)
	if err != nil {
		if chunked {
			s.deleteChunks(ctx, txn)
		}
		return s.wrap("write", err)
	}
	s.hints.sawHead(serial)
	if base, known := s.hints.base(); !chunked && known && serial-base < compactEvery {
		return nil // the log is short: no need to look at the meta item
	}
	if m, err := s.readMeta(ctx); err == nil {
		s.hints.sawBase(m.Base)
		if chunked || serial-m.Base >= compactEvery {
			// The write is committed; compaction only shortens later
			// reads and is retried by the next write when it fails here.
			_ = s.compact(ctx)
		}
	}
	return nil
}

// appendEntry puts entry at the serial after the log's head, retrying
// while other writers take that serial, and returns the serial.
func (s *Store) appendEntry(ctx context.Context, entry map[string]types.AttributeValue) (uint64, error) {
	for attempt := 0; ; attempt++ {
		// The first try goes to the serial after the head this Store last
		// saw, without asking; a taken serial sends it to the query.
		head, known := s.hints.head()
		if attempt > 0 || !known {
			var err error
			if head, err = s.head(ctx); err != nil {
				return 0, err
			}
		}
		entry["sk"] = &types.AttributeValueMemberS{Value: serialKey(head + 1)}
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(s.table),
			Item:                entry,
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		if err == nil {
			return head + 1, nil
		}
		if !conditionFailed(err) {
			return 0, err
		}
		// The SDK retries a put whose answer was lost; the retry then
		// meets the entry the first attempt committed.
		if ours, err := s.committed(ctx, head+1, str(entry, "txn")); err != nil || ours {
			return head + 1, err
		}
		if attempt == 0 && known {
			continue // the hint was stale: ask for the head at once
		}
		if err := sleep(ctx, time.Duration(1+rand.IntN(20))*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

// committed reports whether the log entry at serial is write txn's.
func (s *Store) committed(ctx context.Context, serial uint64, txn string) (bool, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(s.pk("log"), serialKey(serial)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, err
	}
	return out.Item != nil && str(out.Item, "txn") == txn, nil
}

// head returns the serial of the last log entry, 0 when there is none.
func (s *Store) head(ctx context.Context) (uint64, error) {
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: s.pk("log")}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return 0, err
	}
	if len(out.Items) == 0 {
		return 0, nil
	}
	return strconv.ParseUint(str(out.Items[0], "sk"), 10, 64)
}

func chunkKey(txn string, i int) string { return fmt.Sprintf("%s#%06d", txn, i) }

// writeChunks stores data in chunk items of txn and returns their number.
func (s *Store) writeChunks(ctx context.Context, txn string, data []byte) (int, error) {
	var reqs []types.WriteRequest
	for i := 0; len(data) > 0; i++ {
		n := min(len(data), chunkSize)
		it := key(s.pk("chunk"), chunkKey(txn, i))
		it["data"] = &types.AttributeValueMemberB{Value: data[:n]}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		data = data[n:]
	}
	return len(reqs), s.batchWrite(ctx, reqs)
}

// deleteChunks removes the chunk items of txn, as far as it can: chunks
// of a write that did not commit are never read, so one left behind only
// takes space.
func (s *Store) deleteChunks(ctx context.Context, txn string) {
	items, err := s.query(ctx, s.pk("chunk"), "begins_with(sk, :v)", txn+"#")
	if err != nil {
		return
	}
	_ = s.batchWrite(context.WithoutCancel(ctx), deletes(items))
}

// deletes returns delete requests for items.
func deletes(items []map[string]types.AttributeValue) []types.WriteRequest {
	reqs := make([]types.WriteRequest, 0, len(items))
	for _, it := range items {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{
			Key: map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]},
		}})
	}
	return reqs
}

// view is the state at one serial, records still JSON encoded.
type view struct {
	meta       meta
	serial     uint64
	version    string
	tables     map[string]json.RawMessage
	partitions map[state.PartitionKey]json.RawMessage
	entries    []map[string]types.AttributeValue // the log entries after the base
}

// errRaced means a read met a compaction and must start again.
var errRaced = errors.New("the state changed during the read")

// load reads a consistent view: the base the meta item names, then the log
// entries after it; a read that meets a compaction starts again.
func (s *Store) load(ctx context.Context) (*view, error) { return s.loadFor(ctx, nil) }

// loadFor is load; with only set, the view's base holds that partition's
// record alone (one GetItem instead of reading the whole base), and its
// other records are those the log after the base touches.
func (s *Store) loadFor(ctx context.Context, only *state.PartitionKey) (*view, error) {
	for range readAttempts {
		v, err := s.loadOnce(ctx, only)
		if !errors.Is(err, errRaced) {
			return v, err
		}
	}
	return nil, s.wrap("read", fmt.Errorf("%w %d times", errRaced, readAttempts))
}

func (s *Store) loadOnce(ctx context.Context, only *state.PartitionKey) (*view, error) {
	m, err := s.readMeta(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{
		meta: m, serial: m.Base, version: m.BaseVersion,
		tables: map[string]json.RawMessage{}, partitions: map[state.PartitionKey]json.RawMessage{},
	}
	var base []map[string]types.AttributeValue
	if only != nil {
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.table), ConsistentRead: aws.Bool(true),
			Key: key(s.pk("base#"+m.Gen), "p\x00"+only.Table+"\x00"+only.Partition),
		})
		if err != nil {
			return nil, s.wrap("read", err)
		}
		if out.Item != nil {
			base = append(base, out.Item)
		}
	} else if base, err = s.query(ctx, s.pk("base#"+m.Gen), "", ""); err != nil {
		return nil, s.wrap("read", err)
	}
	for _, it := range base {
		v.apply(baseChange(it))
	}
	entries, err := s.query(ctx, s.pk("log"), "sk > :v", serialKey(m.Base))
	if err != nil {
		return nil, s.wrap("read", err)
	}
	for _, e := range entries {
		serial, err := strconv.ParseUint(str(e, "sk"), 10, 64)
		if err != nil || serial != v.serial+1 {
			return nil, errRaced
		}
		data, err := s.entryData(ctx, e)
		if err != nil {
			return nil, err
		}
		var cs []change
		if err := json.Unmarshal(data, &cs); err != nil {
			return nil, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("log entry %d: %w", serial, err)}
		}
		for _, c := range cs {
			v.apply(c)
		}
		v.serial, v.version = serial, str(e, "version")
	}
	v.entries = entries
	again, err := s.readMeta(ctx)
	if err != nil {
		return nil, err
	}
	if again.Gen != m.Gen {
		return nil, errRaced
	}
	s.hints.sawHead(v.serial)
	s.hints.sawBase(again.Base)
	return v, nil
}

// entryData returns the batch of log entry e. An entry without data was
// compacted away under the reader: errRaced.
func (s *Store) entryData(ctx context.Context, e map[string]types.AttributeValue) ([]byte, error) {
	if data := bin(e, "data"); data != nil {
		return data, nil
	}
	n, err := num(e, "chunks")
	if err != nil {
		return nil, errRaced
	}
	txn := str(e, "txn")
	items, err := s.query(ctx, s.pk("chunk"), "begins_with(sk, :v)", txn+"#")
	if err != nil {
		return nil, s.wrap("read", err)
	}
	if uint64(len(items)) != n {
		return nil, errRaced
	}
	var data []byte
	for i, it := range items { // a query returns items in sort key order
		if str(it, "sk") != chunkKey(txn, i) {
			return nil, errRaced
		}
		data = append(data, bin(it, "data")...)
	}
	return data, nil
}

func (v *view) apply(c change) {
	if c.Kind == "t" {
		if c.Record == nil {
			delete(v.tables, c.Table)
		} else {
			v.tables[c.Table] = c.Record
		}
		return
	}
	k := state.PartitionKey{Table: c.Table, Partition: c.Partition}
	if c.Record == nil {
		delete(v.partitions, k)
	} else {
		v.partitions[k] = c.Record
	}
}

// Read implements state.Reader.
func (s *Store) Read(ctx context.Context) (*state.Snapshot, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	v, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	snap := &state.Snapshot{
		Meta: state.Meta{
			FormatVersion: v.meta.Format, Lineage: v.meta.Lineage, Serial: v.serial,
			SrplanVersion: v.version, CreatedAt: v.meta.Created,
		},
		Tables:     make(map[string]*state.TableRecord, len(v.tables)),
		Partitions: make(map[state.PartitionKey]*state.PartitionRecord, len(v.partitions)),
	}
	for k, raw := range v.tables {
		r := new(state.TableRecord)
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("decode table %s: %w", k, err)}
		}
		snap.Tables[k] = r
	}
	for k, raw := range v.partitions {
		r, err := s.decodePartition(k, raw)
		if err != nil {
			return nil, err
		}
		snap.Partitions[k] = r
	}
	return snap, nil
}

// Partition implements state.Reader. It reads a consistent view of the
// state and decodes the one record.
func (s *Store) Partition(ctx context.Context, key state.PartitionKey) (*state.PartitionRecord, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	v, err := s.loadFor(ctx, &key)
	if err != nil {
		return nil, err
	}
	raw, ok := v.partitions[key]
	if !ok {
		return nil, fmt.Errorf("partition %s %s: %w", key.Table, key.Partition, state.ErrNotFound)
	}
	return s.decodePartition(key, raw)
}

func (s *Store) decodePartition(k state.PartitionKey, raw json.RawMessage) (*state.PartitionRecord, error) {
	r := new(state.PartitionRecord)
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("decode partition %s %s: %w", k.Table, k.Partition, err)}
	}
	return r, nil
}
