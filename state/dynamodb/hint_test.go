package dynamodb

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/srplan/srplan/providers/s3/s3test"
	"github.com/srplan/srplan/state"
)

// callCounter counts DynamoDB operations by name.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		c.n[middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

// A Store that is the only writer spends one PutItem per write: the
// serial after the head it saw, and no meta read while the log is short.
// A second writer's entries make the first's hint stale; its next write
// still lands, at the right serial, and reads back in order.
func TestWritesUseTheHeadHint(t *testing.T) {
	endpoint := s3test.DynamoDBEndpoint(t)
	counter := &callCounter{n: map[string]int{}}
	c := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: s3test.DynamoDBClient(endpoint).Options().Credentials},
		func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.APIOptions = append(o.APIOptions, counter.add)
		})
	const table = internalTable
	if err := CreateTable(t.Context(), c, table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	ws := fmt.Sprint("hint-", time.Now().UnixNano(), "-", os.Getpid())
	a, err := Open(t.Context(), c, table, ws, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	write := func(s *Store, i int) {
		t.Helper()
		b := &state.Batch{PutPartitions: []*state.PartitionRecord{{Table: "db.t", Partition: fmt.Sprintf("p%03d", i), Stage: state.StageDone, Status: state.StatusOK}}}
		if err := s.Write(t.Context(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	write(a, 0) // learns the head
	counter.take()
	for i := 1; i <= 10; i++ {
		write(a, i)
	}
	if got := counter.take(); got["PutItem"] != 10 || len(got) != 1 {
		t.Errorf("10 writes of a single writer made %v calls, want 10 PutItem and nothing else", got)
	}

	b, err := Open(t.Context(), c, table, ws, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	write(b, 11)
	write(b, 12)
	write(a, 13) // a's hint is two entries behind
	snap, err := a.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Meta.Serial != 14 || len(snap.Partitions) != 14 {
		t.Errorf("after 14 writes by two stores: serial %d, %d records; want 14 and 14", snap.Meta.Serial, len(snap.Partitions))
	}
}
