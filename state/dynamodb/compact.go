package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// compact folds the log entries after the base into a new base generation:
// it writes every record of the current view under a fresh generation id,
// points the meta item at it with a put conditioned on the old generation
// (so of two compactors one wins), and then strips the folded log entries
// of their data and deletes the old generation and the folded chunks.
// Readers that meet any of this start their read again. A compaction that
// loses or fails leaves only unreferenced items, which it tries to delete.
func (s *Store) compact(ctx context.Context) error {
	v, err := s.load(ctx)
	if err != nil {
		return err
	}
	if v.serial == v.meta.Base {
		return nil
	}
	gen := newID()
	pk := s.pk("base#" + gen)
	reqs := make([]types.WriteRequest, 0, len(v.tables)+len(v.partitions))
	put := func(sk string, c change) {
		it := key(pk, sk)
		it["k"] = &types.AttributeValueMemberS{Value: c.Kind}
		it["t"] = &types.AttributeValueMemberS{Value: c.Table}
		if c.Partition != "" {
			it["p"] = &types.AttributeValueMemberS{Value: c.Partition}
		}
		it["rec"] = &types.AttributeValueMemberS{Value: string(c.Record)}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	for t, raw := range v.tables {
		put("t\x00"+t, change{Kind: "t", Table: t, Record: raw})
	}
	for k, raw := range v.partitions {
		put("p\x00"+k.Table+"\x00"+k.Partition, change{Kind: "p", Table: k.Table, Partition: k.Partition, Record: raw})
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		s.dropGen(ctx, gen)
		return err
	}
	next := v.meta
	next.Gen, next.Base, next.BaseVersion = gen, v.serial, v.version
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      next.item(s.metaKey()),
		ConditionExpression:       aws.String("gen = :gen"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":gen": &types.AttributeValueMemberS{Value: v.meta.Gen}},
	})
	if err != nil {
		s.dropGen(ctx, gen)
		return err
	}
	// The new base is published; what follows only frees space, so it
	// runs to its end even when ctx is cancelled.
	ctx = context.WithoutCancel(ctx)
	for _, e := range v.entries {
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
	s.dropGen(ctx, v.meta.Gen)
	return nil
}

// dropGen deletes the items of base generation gen, as far as it can.
func (s *Store) dropGen(ctx context.Context, gen string) {
	ctx = context.WithoutCancel(ctx)
	items, err := s.query(ctx, s.pk("base#"+gen), "", "")
	if err != nil {
		return
	}
	_ = s.batchWrite(ctx, deletes(items))
}
