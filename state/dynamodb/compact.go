package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// compactWriters is how many base items a compaction writes at once.
const compactWriters = 16

// compact folds the log entries after the base into the base, in place:
//
//  1. it reads the meta item and the log entries after its base, and keeps
//     for each record the last change and the serial of its entry;
//  2. it writes each changed record's base item (a tombstone for a
//     deletion) with a put conditioned on the item's serial being older,
//     so that of two compactors writing one record the newer change stays
//     whatever the order of their puts;
//  3. it moves the meta item's base to the last folded serial with a put
//     conditioned on the base it read (of two compactors one wins; the
//     other's base items are still correct, see below);
//  4. it strips the folded log entries of their data and deletes their
//     chunks.
//
// Its cost is the number of records changed since the last compaction, not
// the size of the state. Readers stay correct while base items are newer
// than the meta item's base: a reader applies every log entry after the
// base it read on top of the base items, so a record changed since that
// base ends at its last logged value whatever its base item holds, and a
// record not changed since has the same value in every version of its
// base item. A reader that meets a stripped entry starts again (errRaced).
func (s *Store) compact(ctx context.Context) error {
	m, err := s.readMeta(ctx)
	if err != nil {
		return err
	}
	entries, err := s.query(ctx, s.pk("log"), "sk > :v", serialKey(m.Base))
	if err != nil {
		return s.wrap("compact", err)
	}
	type folded struct {
		c      change
		serial uint64
	}
	last := map[string]folded{} // by base item sort key
	upto, version := m.Base, m.BaseVersion
	for _, e := range entries {
		serial, err := strconv.ParseUint(str(e, "sk"), 10, 64)
		if err != nil || serial != upto+1 {
			return nil // a gap or another compactor at work: leave it to the next write
		}
		data, err := s.entryData(ctx, e)
		if errors.Is(err, errRaced) {
			return nil
		} else if err != nil {
			return err
		}
		var cs []change
		if err := json.Unmarshal(data, &cs); err != nil {
			return fmt.Errorf("state: compact: log entry %d: %w", serial, err)
		}
		for _, c := range cs {
			last[baseKey(c)] = folded{c, serial}
		}
		upto, version = serial, str(e, "version")
	}
	if upto == m.Base {
		return nil
	}
	pk := s.pk("base#" + m.Gen)
	work := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range min(compactWriters, len(last)) {
		wg.Go(func() {
			for sk := range work {
				f := last[sk]
				if err := s.putBaseItem(ctx, pk, sk, f.c, f.serial); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for sk := range last {
		work <- sk
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return s.wrap("compact", firstErr)
	}
	next := m
	next.Base, next.BaseVersion = upto, version
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                next.item(s.metaKey()),
		ConditionExpression: aws.String("gen = :gen AND #b = :base"),
		// Bound by name, as "base" is a reserved word.
		ExpressionAttributeNames: map[string]string{"#b": "base"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":gen": &types.AttributeValueMemberS{Value: m.Gen}, ":base": numAttr(m.Base),
		},
	})
	if conditionFailed(err) {
		return nil // another compactor moved the base first
	}
	if err != nil {
		return s.wrap("compact", err)
	}
	s.hints.sawBase(upto)
	// The new base is published; what follows only frees space, so it
	// runs to its end even when ctx is cancelled.
	ctx = context.WithoutCancel(ctx)
	for _, e := range entries {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:        aws.String(s.table),
			Key:              map[string]types.AttributeValue{"pk": e["pk"], "sk": e["sk"]},
			UpdateExpression: aws.String("REMOVE #d, #c"),
			// Names are bound, as "data" is a reserved word.
			ExpressionAttributeNames: map[string]string{"#d": "data", "#c": "chunks"},
		})
		if err != nil {
			return err
		}
		if _, chunked := e["chunks"]; chunked {
			s.deleteChunks(ctx, str(e, "txn"))
		}
	}
	return nil
}

// baseKey is the sort key of a record's base item.
func baseKey(c change) string {
	if c.Kind == "t" {
		return "t\x00" + c.Table
	}
	return "p\x00" + c.Table + "\x00" + c.Partition
}

// putBaseItem writes change c, made by the log entry at serial, as the
// base item pk/sk, unless the item already holds a change of a later
// serial. A deletion is kept as a tombstone (attribute "del"), never by
// deleting the item: a compactor that is behind could otherwise bring the
// deleted record back.
func (s *Store) putBaseItem(ctx context.Context, pk, sk string, c change, serial uint64) error {
	it := key(pk, sk)
	it["k"] = &types.AttributeValueMemberS{Value: c.Kind}
	it["t"] = &types.AttributeValueMemberS{Value: c.Table}
	if c.Partition != "" {
		it["p"] = &types.AttributeValueMemberS{Value: c.Partition}
	}
	it["ser"] = numAttr(serial)
	if c.Record == nil {
		it["del"] = &types.AttributeValueMemberBOOL{Value: true}
	} else {
		it["rec"] = &types.AttributeValueMemberS{Value: string(c.Record)}
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      it,
		ConditionExpression:       aws.String("attribute_not_exists(ser) OR ser < :ser"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":ser": numAttr(serial)},
	})
	if conditionFailed(err) {
		return nil // a later change is already there
	}
	return err
}

// baseChange decodes a base item; a tombstone is a deletion.
func baseChange(it map[string]types.AttributeValue) change {
	c := change{Kind: str(it, "k"), Table: str(it, "t"), Partition: str(it, "p")}
	if _, del := it["del"]; !del {
		c.Record = json.RawMessage(str(it, "rec"))
	}
	return c
}
