package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/srplan/srplan/state"
)

// meta is the meta item.
type meta struct {
	Lineage     string
	Format      int
	Created     time.Time
	Gen         string
	Base        uint64
	BaseVersion string
}

func (m *meta) item(k map[string]types.AttributeValue) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		"lineage":      &types.AttributeValueMemberS{Value: m.Lineage},
		"format":       numAttr(uint64(m.Format)),
		"created":      &types.AttributeValueMemberS{Value: m.Created.UTC().Format(time.RFC3339Nano)},
		"gen":          &types.AttributeValueMemberS{Value: m.Gen},
		"base":         numAttr(m.Base),
		"base_version": &types.AttributeValueMemberS{Value: m.BaseVersion},
	}
	for n, v := range k {
		it[n] = v
	}
	return it
}

func decodeMeta(it map[string]types.AttributeValue) (meta, error) {
	var m meta
	m.Lineage = str(it, "lineage")
	m.Gen = str(it, "gen")
	m.BaseVersion = str(it, "base_version")
	format, err := num(it, "format")
	if err != nil {
		return m, err
	}
	m.Format = int(format)
	if m.Base, err = num(it, "base"); err != nil {
		return m, err
	}
	if c := str(it, "created"); c != "" {
		if m.Created, err = time.Parse(time.RFC3339Nano, c); err != nil {
			return m, fmt.Errorf("meta attribute created: %w", err)
		}
	}
	if m.Lineage == "" || m.Gen == "" {
		return m, fmt.Errorf("meta item lacks lineage or gen")
	}
	return m, nil
}

// readMeta reads the meta item with a strongly consistent read.
func (s *Store) readMeta(ctx context.Context) (meta, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: s.metaKey(), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return meta{}, s.wrap("read meta of", err)
	}
	if out.Item == nil {
		return meta{}, &state.UnusableError{Path: s.location(), Err: errors.New("the meta item is missing")}
	}
	m, err := decodeMeta(out.Item)
	if err != nil {
		return meta{}, &state.UnusableError{Path: s.location(), Err: err}
	}
	return m, nil
}

func numAttr(n uint64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatUint(n, 10)}
}

func str(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it map[string]types.AttributeValue, name string) (uint64, error) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is missing or not a number", name)
	}
	n, err := strconv.ParseUint(v.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return n, nil
}

func bin(it map[string]types.AttributeValue, name string) []byte {
	if v, ok := it[name].(*types.AttributeValueMemberB); ok {
		return v.Value
	}
	return nil
}

// query returns every item of partition key pk, reading all pages with
// strongly consistent reads. A non-empty cond ("sk > :v",
// "begins_with(sk, :v)") narrows the sort key, with :v bound to val.
func (s *Store) query(ctx context.Context, pk, cond, val string) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	}
	if cond != "" {
		in.KeyConditionExpression = aws.String("pk = :pk AND " + cond)
		in.ExpressionAttributeValues[":v"] = &types.AttributeValueMemberS{Value: val}
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// batchWrite writes reqs with BatchWriteItem, 25 at a time, retrying
// unprocessed items with a growing pause.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		pending := reqs[:n]
		reqs = reqs[n:]
		for delay := 10 * time.Millisecond; len(pending) > 0; delay = min(2*delay, time.Second) {
			out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{s.table: pending},
			})
			if err != nil {
				return err
			}
			pending = out.UnprocessedItems[s.table]
			if len(pending) > 0 {
				if err := sleep(ctx, delay); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
