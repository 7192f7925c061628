package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/srplan/srplan/providers/s3/s3test"
	"github.com/srplan/srplan/state"
)

// TestCompactionFreesSpace: a large write is chunked and folded into the
// base, and the chunks and the log entry's data are gone, while the state
// reads back whole.
func TestCompactionFreesSpace(t *testing.T) {
	s, _, _ := openInternal(t)
	first, err := s.readMeta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := &state.Batch{}
	const n = 3000
	for i := range n {
		b.PutPartitions = append(b.PutPartitions, &state.PartitionRecord{
			Table: "db.t", Partition: fmt.Sprintf("p%05d", i), LastError: fmt.Sprintf("%0200d", i),
		})
	}
	if err := s.Write(t.Context(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
	m, err := s.readMeta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if m.Gen != first.Gen || m.Base != 1 {
		t.Fatalf("after a chunked write: gen %s base %d; want the same gen (%s) at base 1", m.Gen, m.Base, first.Gen)
	}
	count := func(pk, cond, val string) int {
		t.Helper()
		items, err := s.query(context.WithoutCancel(t.Context()), pk, cond, val)
		if err != nil {
			t.Fatalf("query %s: %v", pk, err)
		}
		return len(items)
	}
	for name, tc := range map[string]struct {
		pk   string
		want int
	}{
		"chunks": {s.pk("chunk"), 0},
		"base":   {s.pk("base#" + m.Gen), n},
		"log":    {s.pk("log"), 1},
	} {
		t.Run(name, func(t *testing.T) {
			if got := count(tc.pk, "", ""); got != tc.want {
				t.Errorf("%d items, want %d", got, tc.want)
			}
		})
	}
	entries, err := s.query(t.Context(), s.pk("log"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, has := entries[0]["data"]; has {
		t.Error("the compacted log entry still holds its data")
	}
	snap, err := s.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(snap.Partitions) != n || snap.Meta.Serial != 1 || snap.Meta.SrplanVersion != "test" {
		t.Errorf("Read: %d partitions at serial %d by %q; want %d at 1 by test", len(snap.Partitions), snap.Meta.Serial, snap.Meta.SrplanVersion, n)
	}
}

// TestNewerFormatIsUnusable: a state written in a newer format is refused.
func TestNewerFormatIsUnusable(t *testing.T) {
	c := s3test.DynamoDBClient(s3test.DynamoDBEndpoint(t))
	const table = internalTable
	if err := CreateTable(t.Context(), c, table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	ws := fmt.Sprint("ws-", time.Now().UnixNano(), "-", os.Getpid())
	s, err := Open(t.Context(), c, table, ws, "test")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	m, err := s.readMeta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m.Format = state.FormatVersion + 1
	if _, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: m.item(s.metaKey())}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	_, err = Open(t.Context(), c, table, ws, "test")
	if _, ok := errors.AsType[*state.UnusableError](err); !ok {
		t.Fatalf("Open of a newer format = %v, want a *state.UnusableError", err)
	}
}

// TestCompactionKeepsTheNewestChange: a compactor that is behind (it
// folds an older change of a record after a newer one was folded, or
// after the record was deleted) changes nothing, and the deletion stays
// a tombstone that reads as absent.
func TestCompactionKeepsTheNewestChange(t *testing.T) {
	s, c, table := openInternal(t)
	m, err := s.readMeta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pk := s.pk("base#" + m.Gen)
	rec := func(attempts int) change {
		raw, _ := json.Marshal(&state.PartitionRecord{Table: "db.t", Partition: "p1", Attempts: attempts})
		return change{Kind: "p", Table: "db.t", Partition: "p1", Record: raw}
	}
	sk := baseKey(rec(0))
	mustPut := func(c change, serial uint64) {
		t.Helper()
		if err := s.putBaseItem(t.Context(), pk, sk, c, serial); err != nil {
			t.Fatalf("putBaseItem at %d: %v", serial, err)
		}
	}
	read := func() *change {
		t.Helper()
		out, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			t.Fatalf("GetItem: %v (item %v)", err, out.Item)
		}
		ch := baseChange(out.Item)
		return &ch
	}
	mustPut(rec(5), 5)
	mustPut(rec(3), 3) // behind: ignored
	if got := read(); string(got.Record) != string(rec(5).Record) {
		t.Errorf("after a late older put the base item holds %s, want the change of serial 5", got.Record)
	}
	mustPut(change{Kind: "p", Table: "db.t", Partition: "p1"}, 7) // deleted at 7
	mustPut(rec(6), 6)                                            // behind the deletion: ignored
	if got := read(); got.Record != nil {
		t.Errorf("after a deletion and a late older put the base item holds %s, want a tombstone", got.Record)
	}
}

// internalTable is the table of this package's internal tests.
const internalTable = "srplan-state-internal-test"

// openInternal opens a Store on a fresh workspace of internalTable and
// returns it with its client and table name.
func openInternal(t *testing.T) (*Store, *dynamodb.Client, string) {
	t.Helper()
	c := s3test.DynamoDBClient(s3test.DynamoDBEndpoint(t))
	if err := CreateTable(t.Context(), c, internalTable); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	s, err := Open(t.Context(), c, internalTable, fmt.Sprint("ws-", time.Now().UnixNano(), "-", os.Getpid()), "test")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, c, internalTable
}
